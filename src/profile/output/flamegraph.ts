// One self-contained interactive HTML flame graph (root at the top): zoom on click, search,
// hover details. No network access: style, script and data are all inside the file.
import type { Profile } from '../model.js';
import { flameTree, packTree } from './flame-tree.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './flamegraph-page.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function flamegraph(p: Profile, title: string): string {
  const packed = packTree(p, flameTree(p));
  // `<` escaped so no string in the data can close the script element.
  const json = JSON.stringify(packed).replace(/</g, '\\u003c');
  const m = p.meta;
  // a Pyodide recording has no process id
  const sub = `${m.pid ? `pid ${m.pid}, ` : ''}Python ${m.pythonVersion}, ${m.ticks} ticks at ${m.rate} Hz over ${(m.duration / 1000).toFixed(1)} s, ${p.total} samples, ${m.missed} missed, ${m.errors} errors`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<span class="sub">${escapeHtml(sub)}</span>
<input id="search" type="search" placeholder="search functions (Ctrl+F)" aria-label="search">
<button id="reset" type="button">reset zoom</button>
<span id="status"></span>
</header>
<div id="graph"></div>
<footer id="details">hover a frame for details, click to zoom, Esc to reset</footer>
<script type="application/json" id="profile-data">${json}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
