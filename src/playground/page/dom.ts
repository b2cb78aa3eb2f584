// Small DOM helpers shared by the page's views.

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

export function setStatus(text: string): void {
  $('status').textContent = text;
}

export type ConsoleClass = 'stdout' | 'stderr' | 'console' | 'result';

/** Appends to the console pane. */
export function log(text: string, cls: ConsoleClass = 'stdout'): void {
  const pane = $('console');
  const span = document.createElement('span');
  span.className = cls;
  span.textContent = text;
  pane.append(span);
  pane.scrollTop = pane.scrollHeight;
}

export function clearConsole(): void {
  $('console').textContent = '';
}
