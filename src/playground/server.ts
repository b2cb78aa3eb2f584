// The playground's web server: loopback only, and nothing from the network. The page, pyscope's
// browser modules, and Pyodide's own files from the installed npm package, all sent with the
// headers that make the page cross-origin isolated (SharedArrayBuffer needs them). Whatever a
// request holds, it gets an answer and the server goes on (requestCheck says which are served).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRequest } from './requestCheck.js';

export interface PlaygroundOptions {
  port: number;
  /** The program shown when the page opens. */
  programText?: string;
  programName?: string;
  /** false serves the page without COOP/COEP (to see how the page explains what is missing). */
  isolate?: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.py': 'text/x-python; charset=utf-8',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
};

const here = dirname(fileURLToPath(import.meta.url));
/**
 * dist/src (or src when run from sources): pyscope's browser modules and the agent. Named from
 * one folder up, not from `here`: in the CLI's bundle (dist/src/cli/bundle.cjs) `here` is cli/.
 */
const SRC_ROOT = join(here, '..');
const PAGE_DIR = join(SRC_ROOT, 'playground');

function pyodideRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('pyodide'));
}

/** Files under root only; undefined for anything that climbs out or does not exist. */
function inside(root: string, rel: string): string | undefined {
  const p = normalize(join(root, rel));
  if (p !== root && !p.startsWith(root + sep)) return undefined;
  return existsSync(p) && statSync(p).isFile() ? p : undefined;
}

/** Folders of dist/src the page may load: the browser-safe modules it imports (common/ has no node: imports), and the agent. */
const BROWSER_DIRS = ['web/', 'pyodide/', 'debugger/', 'agent/', 'profile/', 'common/', 'playground/page/'];

/** The URL space, for a decoded path: / and its stylesheet, /pyscope/ (browser modules and .py), /pyodide/ (the npm package). */
export function resolveUrl(clean: string): string | undefined {
  if (clean === '/' || clean === '/index.html') return join(PAGE_DIR, 'index.html');
  if (clean === '/style.css') return join(PAGE_DIR, 'style.css');
  if (clean.startsWith('/pyodide/')) return inside(pyodideRoot(), clean.slice('/pyodide/'.length));
  if (clean.startsWith('/pyscope/')) {
    // normalized first, so pyodide/../commands/ cannot pass for pyodide/
    const rel = posix.normalize(clean.slice('/pyscope/'.length));
    if (!BROWSER_DIRS.some((d) => rel.startsWith(d)) || !/\.(js|py)$/.test(rel)) return undefined;
    return inside(SRC_ROOT, rel);
  }
  return undefined;
}

/**
 * The program the page opens with: a few lines to step through, then work that keeps Python busy
 * for about a second, so that Profile has samples to draw.
 */
const EXAMPLE = `# Click a line number to set a breakpoint (shift-click: with a condition), then Run.
# Profile runs it under the sampling profiler and shows where the time goes.
def fib(n):
    a, b = 0, 1
    for i in range(n):
        a, b = b, a + b
    return a


def is_prime(n):
    d = 2
    while d * d <= n:
        if n % d == 0:
            return False
        d += 1
    return True


def count_primes(limit):
    return sum(1 for n in range(2, limit) if is_prime(n))


for n in range(8):
    value = fib(n)
    print(f"fib({n}) = {value}")
print(count_primes(150_000), "primes below 150000")
`;

export function startPlayground(options: PlaygroundOptions): Promise<Server> {
  const isolate = options.isolate ?? true;
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void => {
      const headers: Record<string, string> = { 'Content-Type': type, 'Cache-Control': 'no-store', 'Cross-Origin-Resource-Policy': 'same-origin', ...extra };
      if (isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      res.writeHead(status, headers).end(body);
    };
    // the Host is checked before anything else is looked at, so a foreign page learns nothing
    const verdict = checkRequest(req.url, req.headers.host, req.socket.localPort ?? options.port);
    if ('status' in verdict) return send(verdict.status, 'text/plain; charset=utf-8', verdict.text);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed', { Allow: 'GET, HEAD' });
    if (verdict.path === '/program.json') {
      return send(200, TYPES['.json']!, JSON.stringify({ name: options.programName ?? 'main.py', text: options.programText ?? EXAMPLE }));
    }
    const file = resolveUrl(verdict.path);
    if (!file) return notFound(res, isolate);
    send(200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
  };
  const server = createServer((req, res) => {
    try {
      answer(req, res);
    } catch {
      // a file that vanished or cannot be read between the check and the read: this request fails, the server stays
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end('cannot read the file\n');
      else res.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve(server));
  });
}

function notFound(res: ServerResponse, isolate: boolean): void {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
  if (isolate) headers['Cross-Origin-Resource-Policy'] = 'same-origin';
  res.writeHead(404, headers).end('not found');
}
