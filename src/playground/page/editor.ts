// The code editor: CodeMirror 6 with Python highlighting and indentation, search (Ctrl+F), and a
// breakpoint gutter where a click sets a breakpoint and a shift-click one with a condition; the
// line where the program is stopped is marked. The debugger reads the breakpoints from here.
import { defaultKeymap, history, historyKeymap, indentWithTab, insertNewlineAndIndent } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { bracketMatching, forceParsing, indentOnInput, indentUnit } from '@codemirror/language';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { EditorState, type StateEffect } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers, type KeyBinding } from '@codemirror/view';
import { breakpointGutter, breakpointsOf, gutterClick, replaceBreakpoints, setBreakpoint, setStoppedLine, type GutterHandlers } from './breakpointGutter.js';
import { $ } from './dom.js';
import { editorLook } from './editorTheme.js';

/**
 * Enter indents from the syntax tree. The parser works in slices of wall time, so on a busy machine
 * it may not have reached the cursor yet, and the new line would only copy the current one's
 * indentation: the parse is brought up to the cursor first.
 */
const enterIndents: KeyBinding = {
  key: 'Enter',
  run: (view) => {
    forceParsing(view, view.state.selection.main.head, 1000);
    return insertNewlineAndIndent(view);
  },
};

/** Where an editor goes: its box, and the condition box (holding its input) it opens over a line. */
export interface EditorParts {
  box: HTMLElement;
  condBox: HTMLElement;
  condInput: HTMLInputElement;
}

/** The page's one editor (the notebook's cells bring their own parts). */
const pageEditor = (): EditorParts => ({ box: $('editor'), condBox: $('cond-editor'), condInput: $<HTMLInputElement>('cond-input') });

export class Editor {
  private readonly view: EditorView;
  private readonly box: HTMLElement;
  private readonly condBox: HTMLElement;
  private readonly condInput: HTMLInputElement;

  constructor(
    private readonly onBreakpointsChanged: () => void,
    parts: EditorParts = pageEditor(),
  ) {
    this.box = parts.box;
    this.condBox = parts.condBox;
    this.condInput = parts.condInput;
    const handlers: GutterHandlers = {
      toggle: (line) => {
        this.setBreakpoint(line, this.breakpoints.has(line) ? null : '');
      },
      editCondition: (line) => this.editCondition(line),
    };
    this.view = new EditorView({
      parent: this.box,
      state: EditorState.create({
        extensions: [
          breakpointGutter(handlers),
          lineNumbers({ domEventHandlers: { mousedown: gutterClick(handlers) } }),
          highlightActiveLineGutter(),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          search({ top: true }),
          // Python's convention; CodeMirror's default unit is two spaces
          indentUnit.of('    '),
          EditorState.tabSize.of(4),
          python(),
          keymap.of([enterIndents, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ 'aria-label': 'program', spellcheck: 'false', autocorrect: 'off', autocapitalize: 'off' }),
          editorLook,
        ],
      }),
    });
    this.condInput.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== 'Escape') return;
      // the key is ours: once the editor has the focus back, it would get the Enter too
      e.preventDefault();
      if (e.key === 'Enter') this.setBreakpoint(Number(this.condInput.dataset.line), this.condInput.value.trim());
      this.condBox.hidden = true;
      this.view.focus();
    });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  set text(value: string) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
  }

  /** line -> condition ('' for none), for the lines the breakpoints are on now */
  get breakpoints(): Map<number, string> {
    return breakpointsOf(this.view.state);
  }

  /** Marks the line the program stopped at (null: none) and scrolls it into view. */
  showCurrentLine(line: number | null): void {
    const effects: StateEffect<unknown>[] = [setStoppedLine.of(line)];
    if (line !== null && line <= this.view.state.doc.lines) {
      effects.push(EditorView.scrollIntoView(this.view.state.doc.line(line).from, { y: 'nearest', yMargin: 40 }));
    }
    this.view.dispatch({ effects });
  }

  /** The debugger moved breakpoints to lines with code: show them where they will stop. */
  moveBreakpoints(moved: Map<number, number>): void {
    if (moved.size === 0) return;
    const before = this.breakpoints;
    const after = new Map(before);
    for (const from of moved.keys()) after.delete(from);
    for (const [from, to] of moved) after.set(to, before.get(from) ?? '');
    this.view.dispatch({ effects: replaceBreakpoints.of(after) });
  }

  private setBreakpoint(line: number, condition: string | null): void {
    this.view.dispatch({ effects: setBreakpoint.of({ line, condition }) });
    this.onBreakpointsChanged();
  }

  /** The condition box opens under the line, over the editor. */
  private editCondition(line: number): void {
    const block = this.view.lineBlockAt(this.view.state.doc.line(line).from);
    const top = block.bottom + this.view.documentTop - this.box.getBoundingClientRect().top;
    this.condBox.hidden = false;
    this.condBox.style.top = `${top}px`;
    this.condInput.value = this.breakpoints.get(line) ?? '';
    this.condInput.dataset.line = String(line);
    this.condInput.focus();
  }
}
