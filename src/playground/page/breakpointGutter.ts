// The editor's breakpoint gutter: one slot per line (a click toggles a breakpoint there, a
// shift-click asks for a condition) and the line where the program is stopped. Breakpoints live in
// the editor's state as a range set, so they move with their code when lines are added above them.
import { RangeSet, StateEffect, StateField, type EditorState, type Extension } from '@codemirror/state';
import { Decoration, EditorView, GutterMarker, gutter, type BlockInfo, type DecorationSet } from '@codemirror/view';

/** A breakpoint at a line's start, with its condition ('' for none). */
class Breakpoint extends GutterMarker {
  constructor(readonly condition: string) {
    super();
  }
  override eq(other: GutterMarker): boolean {
    return other instanceof Breakpoint && other.condition === this.condition;
  }
}

/** What a line's slot shows: its number (for finding it), a breakpoint, the stop. */
class Slot extends GutterMarker {
  constructor(
    readonly line: number,
    readonly condition: string | undefined,
    readonly here: boolean,
  ) {
    super();
  }
  override eq(other: GutterMarker): boolean {
    return other instanceof Slot && other.line === this.line && other.condition === this.condition && other.here === this.here;
  }
  override toDOM(): Node {
    const el = document.createElement('div');
    el.dataset.line = String(this.line);
    const cls: string[] = [];
    if (this.condition !== undefined) cls.push('bp');
    if (this.condition) cls.push('cond');
    if (this.here) cls.push('here');
    el.className = cls.join(' ');
    if (this.condition) el.title = `condition: ${this.condition}`;
    return el;
  }
}

/** Sets the breakpoint of a line (condition '' for none, null to remove it). */
export const setBreakpoint = StateEffect.define<{ line: number; condition: string | null }>();
/** Replaces every breakpoint (the debugger moved some to lines with code). */
export const replaceBreakpoints = StateEffect.define<Map<number, string>>();
/** Marks the line the program stopped at (null: none). */
export const setStoppedLine = StateEffect.define<number | null>();

function breakpointSet(state: EditorState, lines: Map<number, string>): RangeSet<Breakpoint> {
  const ranges = [...lines]
    .filter(([line]) => line >= 1 && line <= state.doc.lines)
    .sort(([a], [b]) => a - b)
    .map(([line, condition]) => new Breakpoint(condition).range(state.doc.line(line).from));
  return RangeSet.of(ranges);
}

export const breakpointField = StateField.define<RangeSet<Breakpoint>>({
  create: () => RangeSet.empty,
  update(set, tr) {
    set = set.map(tr.changes);
    for (const e of tr.effects) {
      if (e.is(replaceBreakpoints)) set = breakpointSet(tr.state, e.value);
      if (!e.is(setBreakpoint)) continue;
      const { line, condition } = e.value;
      if (line < 1 || line > tr.state.doc.lines) continue;
      const from = tr.state.doc.line(line).from;
      set = set.update({ filter: (f) => f !== from, filterFrom: from, filterTo: from });
      if (condition !== null) set = set.update({ add: [new Breakpoint(condition).range(from)] });
    }
    return set;
  },
});

/** The breakpoints by line number (1-based), as the debugger is told them. */
export function breakpointsOf(state: EditorState): Map<number, string> {
  const lines = new Map<number, string>();
  const iter = state.field(breakpointField).iter();
  for (; iter.value; iter.next()) lines.set(state.doc.lineAt(iter.from).number, iter.value.condition);
  return lines;
}

export const stoppedLineField = StateField.define<number | null>({
  create: () => null,
  update(line, tr) {
    for (const e of tr.effects) if (e.is(setStoppedLine)) line = e.value;
    return line !== null && line > tr.state.doc.lines ? null : line;
  },
  provide: (field) =>
    EditorView.decorations.from(field, (line): ((view: EditorView) => DecorationSet) => (view) => {
      if (line === null || line > view.state.doc.lines) return Decoration.none;
      return Decoration.set([Decoration.line({ class: 'cm-stopped-line' }).range(view.state.doc.line(line).from)]);
    }),
});

export interface GutterHandlers {
  /** A plain click on a line's slot or number. */
  toggle: (line: number) => void;
  /** A shift-click: edit the line's condition. */
  editCondition: (line: number) => void;
}

/** A gutter's mousedown handler that calls the handlers with the 1-based line clicked. */
export function gutterClick(handlers: GutterHandlers): (view: EditorView, block: BlockInfo, event: Event) => boolean {
  return (view, block, event) => {
    const line = view.state.doc.lineAt(block.from).number;
    if (event instanceof MouseEvent && event.shiftKey) handlers.editCondition(line);
    else handlers.toggle(line);
    // keeps the click from moving the cursor or the focus away from where the user was typing
    event.preventDefault();
    return true;
  };
}

/** The gutter and the state it draws. */
export function breakpointGutter(handlers: GutterHandlers): Extension {
  return [
    breakpointField,
    stoppedLineField,
    gutter({
      class: 'cm-breakpoints',
      renderEmptyElements: true,
      lineMarker(view, block) {
        const line = view.state.doc.lineAt(block.from);
        let condition: string | undefined;
        view.state.field(breakpointField).between(line.from, line.from, (from, _to, bp) => {
          if (from === line.from) condition = bp.condition;
        });
        return new Slot(line.number, condition, view.state.field(stoppedLineField) === line.number);
      },
      lineMarkerChange: (u) => u.startState.field(breakpointField) !== u.state.field(breakpointField) || u.startState.field(stoppedLineField) !== u.state.field(stoppedLineField),
      initialSpacer: () => new Slot(0, undefined, false),
      domEventHandlers: { mousedown: gutterClick(handlers) },
    }),
  ];
}
