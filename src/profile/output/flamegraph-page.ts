// The flame graph page's own style and script, inlined into every file so it opens offline.
// Plain DOM (one absolutely placed div per visible node), so the page's text is searchable and
// works in any browser without a canvas or network access.

export const PAGE_STYLE = `
body { font: 12px system-ui, sans-serif; margin: 0; background: #fff; color: #222; }
header { padding: 8px 12px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; border-bottom: 1px solid #ddd; }
header h1 { font-size: 15px; margin: 0; }
header .sub { color: #666; }
header input { font: inherit; padding: 3px 6px; width: 220px; }
#status { color: #555; }
#graph { position: relative; margin: 6px 12px; overflow: hidden; }
#graph div { position: absolute; height: 17px; line-height: 17px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis;
  box-sizing: border-box; border-right: 1px solid #fff; border-bottom: 1px solid #fff; padding-left: 3px; cursor: pointer; font-size: 11px; }
#graph div:hover { filter: brightness(0.9); outline: 1px solid #555; }
#graph div.match { background: #e040fb !important; color: #fff; }
#graph div.dim { opacity: 0.55; }
#graph p.empty { margin: 24px 0; font-size: 14px; color: #555; }
footer { position: sticky; bottom: 0; background: #f6f6f6; border-top: 1px solid #ddd; padding: 6px 12px; min-height: 16px; font-family: ui-monospace, monospace; }
button { font: inherit; }
`;

export const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('profile-data').textContent);
  var labels = data.labels, files = data.files, root = data.root;
  var graph = document.getElementById('graph');
  var details = document.getElementById('details');
  var search = document.getElementById('search');
  var status = document.getElementById('status');
  var ROW = 18;
  var zoomPath = [root];
  var term = '';

  function hue(s) {
    var h = 0;
    for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
    return h;
  }
  function color(label) {
    var name = label.split(' (')[0];
    var h = hue(name);
    return 'hsl(' + (10 + h % 45) + ',' + (70 + (h >> 8) % 25) + '%,' + (58 + (h >> 16) % 14) + '%)';
  }
  function pct(n) { return (100 * n / root[1]).toFixed(2) + '%'; }
  function describe(node) {
    var label = labels[node[0]];
    var file = files[node[0]];
    return label + (file ? '  [' + file + ']' : '') + ' \\u2014 ' + node[1] + ' samples (' + pct(node[1]) + '), self ' + node[2] + ' (' + pct(node[2]) + ')';
  }
  function matches(node) { return term !== '' && labels[node[0]].toLowerCase().indexOf(term) >= 0; }

  function render() {
    graph.textContent = '';
    if (root[1] === 0) return renderEmpty();
    var width = graph.clientWidth || 1000;
    var focus = zoomPath[zoomPath.length - 1];
    var depth = 0;
    var frag = document.createDocumentFragment();
    function box(node, x, w, d, dim) {
      var el = document.createElement('div');
      el.style.left = x + 'px';
      el.style.width = Math.max(w, 1) + 'px';
      el.style.top = d * ROW + 'px';
      el.style.background = node === root ? '#ccc' : color(labels[node[0]]);
      el.textContent = w > 24 ? labels[node[0]] : '';
      el.title = describe(node);
      if (matches(node)) el.className = 'match';
      else if (dim) el.className = 'dim';
      el.onmouseenter = function () { details.textContent = describe(node); };
      el.onclick = function () { zoomTo(node); };
      frag.appendChild(el);
      if (d > depth) depth = d;
    }
    // Ancestors of the zoomed node span the whole width, dimmed, as in flamegraph.pl.
    for (var i = 0; i < zoomPath.length - 1; i++) box(zoomPath[i], 0, width, i, true);
    var scale = width / focus[1];
    (function walk(node, x, d) {
      var w = node[1] * scale;
      if (w < 0.5) return;
      box(node, x, w, d, false);
      var cx = x;
      for (var k = 0; k < node[3].length; k++) {
        walk(node[3][k], cx, d + 1);
        cx += node[3][k][1] * scale;
      }
    })(focus, 0, zoomPath.length - 1);
    graph.appendChild(frag);
    graph.style.height = (depth + 1) * ROW + 'px';
    updateStatus();
  }

  // a strip of zero width would look like a page that failed to draw
  function renderEmpty() {
    var p = document.createElement('p');
    p.className = 'empty';
    var strong = document.createElement('strong');
    strong.textContent = 'no samples';
    p.appendChild(strong);
    p.appendChild(document.createTextNode(': the recording holds no stacks. The program ended before the first sample, or every thread was idle whenever it was sampled (pyscope record --idle counts idle threads too).'));
    graph.appendChild(p);
    graph.style.height = 'auto';
    status.textContent = '0 samples';
  }

  function pathTo(target) {
    var path = [];
    (function find(node) {
      path.push(node);
      if (node === target) return true;
      for (var k = 0; k < node[3].length; k++) if (find(node[3][k])) return true;
      path.pop();
      return false;
    })(root);
    return path;
  }
  function zoomTo(node) { zoomPath = pathTo(node); render(); }

  function updateStatus() {
    var focus = zoomPath[zoomPath.length - 1];
    var text = root[1] + ' samples';
    if (focus !== root) text += ' \\u00b7 zoomed on ' + labels[focus[0]] + ' (' + pct(focus[1]) + ')';
    if (term !== '') {
      var matched = 0;
      (function sum(node) {
        if (matches(node)) { matched += node[1]; return; }
        for (var k = 0; k < node[3].length; k++) sum(node[3][k]);
      })(root);
      text += ' \\u00b7 matched ' + pct(matched);
    }
    status.textContent = text;
  }

  search.addEventListener('input', function () { term = search.value.trim().toLowerCase(); render(); });
  document.getElementById('reset').addEventListener('click', function () { zoomPath = [root]; render(); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { zoomPath = [root]; search.value = ''; term = ''; render(); }
    if ((e.ctrlKey || e.metaKey) && e.key === 'f') { e.preventDefault(); search.focus(); }
  });
  window.addEventListener('resize', render);
  render();
})();
`;
