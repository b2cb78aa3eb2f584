// The code editor: a textarea with a line-number gutter where a click sets a breakpoint and a
// shift-click one with a condition, and a marker on the line where the program is stopped.
import { $, escapeHtml } from './dom.js';

/** Pixel height of one line; the stylesheet's --line. */
const LINE = 19;

export class Editor {
  /** line -> condition ('' for none) */
  readonly breakpoints = new Map<number, string>();
  private currentLine: number | null = null;
  private readonly code = $<HTMLTextAreaElement>('code');
  private readonly gutter = $('gutter');
  private readonly condBox = $('cond-editor');
  private readonly condInput = $<HTMLInputElement>('cond-input');

  constructor(private readonly onBreakpointsChanged: () => void) {
    this.gutter.addEventListener('click', (e) => {
      const line = Number((e.target as HTMLElement).dataset.line);
      if (!line) return;
      if (e.shiftKey) return this.editCondition(line);
      if (this.breakpoints.has(line)) this.breakpoints.delete(line);
      else this.breakpoints.set(line, '');
      this.render();
      this.onBreakpointsChanged();
    });
    this.condInput.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== 'Escape') return;
      if (e.key === 'Enter') {
        this.breakpoints.set(Number(this.condInput.dataset.line), this.condInput.value.trim());
        this.render();
        this.onBreakpointsChanged();
      }
      this.condBox.hidden = true;
    });
    this.code.addEventListener('input', () => this.render());
    this.code.addEventListener('scroll', () => {
      this.gutter.scrollTop = this.code.scrollTop;
      this.placeCurrentLine();
    });
    this.code.addEventListener('keydown', (e) => {
      if (e.key !== 'Tab') return;
      e.preventDefault();
      this.code.setRangeText('    ', this.code.selectionStart, this.code.selectionEnd, 'end');
      this.render();
    });
  }

  get text(): string {
    return this.code.value;
  }

  set text(value: string) {
    this.code.value = value;
    this.render();
  }

  /** Marks the line the program stopped at (null: none) and scrolls it into view. */
  showCurrentLine(line: number | null): void {
    this.currentLine = line;
    this.render();
    if (line === null) return;
    const top = (line - 1) * LINE;
    if (top < this.code.scrollTop || top > this.code.scrollTop + this.code.clientHeight - 2 * LINE) {
      this.code.scrollTop = Math.max(0, top - this.code.clientHeight / 3);
    }
  }

  /** The debugger moved breakpoints to lines with code: show them where they will stop. */
  moveBreakpoints(moved: Map<number, number>): void {
    if (moved.size === 0) return;
    for (const [from, to] of moved) {
      const cond = this.breakpoints.get(from) ?? '';
      this.breakpoints.delete(from);
      this.breakpoints.set(to, cond);
    }
    this.render();
  }

  private editCondition(line: number): void {
    this.condBox.hidden = false;
    this.condBox.style.top = `${line * LINE - this.code.scrollTop + 4}px`;
    this.condInput.value = this.breakpoints.get(line) ?? '';
    this.condInput.dataset.line = String(line);
    this.condInput.focus();
  }

  private render(): void {
    const lines = this.code.value.split('\n').length;
    const parts: string[] = [];
    for (let i = 1; i <= lines; i++) {
      const cls: string[] = [];
      const cond = this.breakpoints.get(i);
      if (cond !== undefined) cls.push('bp');
      if (cond) cls.push('cond');
      if (i === this.currentLine) cls.push('here');
      const title = cond ? ` title="condition: ${escapeHtml(cond)}"` : '';
      parts.push(`<div data-line="${i}" class="${cls.join(' ')}"${title}>${i}</div>`);
    }
    this.gutter.innerHTML = parts.join('');
    this.gutter.scrollTop = this.code.scrollTop;
    this.placeCurrentLine();
  }

  private placeCurrentLine(): void {
    const el = $('current-line');
    el.hidden = this.currentLine === null;
    if (this.currentLine !== null) el.style.top = `${(this.currentLine - 1) * LINE - this.code.scrollTop}px`;
  }
}
