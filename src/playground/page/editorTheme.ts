// The editor's look on the page's dark panels: CodeMirror's own theme facility and a highlight
// style for the Python tokens its parser tags.
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

const theme = EditorView.theme(
  {
    '&': { height: '100%', backgroundColor: 'var(--bg)', color: 'var(--fg)', fontSize: '13px' },
    '.cm-scroller': { fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', lineHeight: 'var(--line)' },
    '.cm-content': { caretColor: '#e8e8e8' },
    '&.cm-focused .cm-cursor': { borderLeftColor: '#e8e8e8' },
    '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: '#264f78' },
    '.cm-gutters': { backgroundColor: 'var(--bg)', color: 'var(--dim)', border: 'none' },
    '.cm-activeLine': { backgroundColor: '#ffffff08' },
    '.cm-activeLineGutter': { backgroundColor: 'transparent', color: 'var(--fg)' },
    '.cm-stopped-line': { backgroundColor: '#ffd54f26', boxShadow: 'inset 3px 0 #ffd54f' },
    '.cm-searchMatch': { backgroundColor: '#72a1ff59', outline: '1px solid #457dff' },
    '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: '#6199ff2f' },
    '.cm-selectionMatch': { backgroundColor: '#aafe661a' },
    '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--fg)' },
    '.cm-panels.cm-panels-top': { borderBottom: '1px solid #333' },
    '.cm-textfield': { backgroundColor: '#2b2d31', color: 'var(--fg)', border: '1px solid #3a3d44' },
    '.cm-button': { backgroundImage: 'none', backgroundColor: '#33363c', color: 'var(--fg)', border: '1px solid #45484f' },
    '.cm-matchingBracket, &.cm-focused .cm-matchingBracket': { backgroundColor: '#bad0f847', outline: 'none' },
  },
  { dark: true },
);

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: '#c586c0' },
  { tag: [t.bool, t.null, t.self], color: '#569cd6' },
  { tag: [t.string, t.special(t.string)], color: '#ce9178' },
  { tag: [t.number], color: '#b5cea8' },
  { tag: [t.comment], color: '#6a9955', fontStyle: 'italic' },
  { tag: [t.function(t.definition(t.variableName)), t.function(t.variableName)], color: '#dcdcaa' },
  { tag: [t.definition(t.className), t.className], color: '#4ec9b0' },
  { tag: [t.propertyName, t.attributeName], color: '#9cdcfe' },
  { tag: [t.variableName], color: '#d8dadf' },
  { tag: [t.operator, t.punctuation, t.bracket], color: '#bbbbbb' },
  { tag: t.invalid, color: '#f44747' },
]);

export const editorLook: Extension = [theme, syntaxHighlighting(highlight)];
