// The variables pane's tree, shared by the program debugger and the notebook: a frame's scopes,
// each a row whose children (fetched with a DAP variables request) show when it is first opened.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { escapeHtml } from './dom.js';

export type DapRequest = (command: string, args?: unknown) => Promise<Record<string, unknown>>;

/** A tree row; its children are fetched when it is first opened. */
export function variableRow(request: DapRequest, v: DebugProtocol.Variable, isScope = false): HTMLDivElement {
  const row = document.createElement('div');
  const line = document.createElement('div');
  line.className = 'row';
  line.innerHTML =
    `<span class="tw">${v.variablesReference ? '▸' : ''}</span><span class="name">${escapeHtml(v.name)}</span>` +
    (isScope ? '' : `<span>: </span><span class="value">${escapeHtml(v.value)}</span>${v.type ? `<span class="type">${escapeHtml(v.type)}</span>` : ''}`);
  row.append(line);
  row.dataset.name = v.name;
  if (v.variablesReference) {
    row.dataset.ref = String(v.variablesReference);
    line.addEventListener('click', () => void toggleRow(request, row));
  }
  return row;
}

export async function toggleRow(request: DapRequest, row: HTMLDivElement): Promise<void> {
  const open = row.querySelector(':scope > .children');
  const tw = row.querySelector(':scope > .row .tw');
  if (open) {
    open.remove();
    if (tw) tw.textContent = '▸';
    return;
  }
  const box = document.createElement('div');
  box.className = 'children';
  row.append(box);
  if (tw) tw.textContent = '▾';
  const r = (await request('variables', { variablesReference: Number(row.dataset.ref) })) as DebugProtocol.VariablesResponse['body'];
  for (const v of r.variables) box.append(variableRow(request, v));
}

/** A frame's scopes into root, Locals opened. */
export async function showScopes(request: DapRequest, root: HTMLElement, frameId: number): Promise<void> {
  const scopes = (await request('scopes', { frameId })) as DebugProtocol.ScopesResponse['body'];
  root.innerHTML = '';
  for (const s of scopes.scopes) {
    const row = variableRow(request, { name: s.name, value: '', variablesReference: s.variablesReference }, true);
    root.append(row);
    if (s.name === 'Locals') await toggleRow(request, row);
  }
}
