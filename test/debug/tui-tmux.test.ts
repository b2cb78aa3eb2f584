// `pyscope debug --tui` in a real terminal (tmux): keys with send-keys, the screen read back with
// capture-pane, a resize, Ctrl-C, and the terminal given back on q and on SIGTERM.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { pythons, skipIfMissing, type Python } from '../support/pythons.js';
import { PYSCOPE_MAIN } from '../support/pyscope.js';
import { firstSkip, requireTool } from '../support/requirements.js';
import { WAIT } from '../support/timeouts.js';
import { FIXTURES } from './helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const tmuxSkip = requireTool('tmux', hasTmux);
// a server of our own, so the test never touches anyone's tmux sessions
const SOCKET = `pyscope-debug-test-${process.pid}`;
// a fresh session per start: killing the last one would stop the server under the next start
let sessions = 0;
let SESSION = 'dbg0';

after(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function keys(...k: string[]): void {
  tmux('send-keys', '-t', SESSION, ...k);
}

/** The screen, polled until `ok` holds; fails after the output limit naming `what` and showing it. */
async function screenUntil(ok: (screen: string) => boolean, what: string): Promise<string> {
  let screen = '';
  const deadline = Date.now() + WAIT.output;
  for (;;) {
    screen = tmux('capture-pane', '-p', '-t', SESSION);
    if (ok(screen)) return screen;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out after ${WAIT.output / 1000} s waiting for: ${what}; the screen was:\n${screen}`);
}

function startTui(py: Python, script: string, width: number, height: number): void {
  SESSION = `dbg${++sessions}`;
  const cmd = `printf 'BEFORE-DEBUG\\n'; ${JSON.stringify(process.execPath)} ${JSON.stringify(PYSCOPE_MAIN)} debug --tui --python ${JSON.stringify(py.path)} ${script}; echo DEBUG-EXIT=$?; sleep 600`;
  tmux('new-session', '-d', '-s', SESSION, '-x', String(width), '-y', String(height), '-c', FIXTURES, cmd);
}

function terminalBack(screen: string): void {
  assert.ok(screen.includes('BEFORE-DEBUG'), 'the normal screen is back, with what was on it');
  assert.ok(!screen.includes('Source'), 'nothing of the debugger is left on the normal screen');
  assert.equal(tmux('display-message', '-p', '-t', SESSION, '#{cursor_flag} #{alternate_on}').trim(), '1 0', 'cursor visible, alternate screen off');
}

const wanted = [[3, 12], [3, 14]];
const matrix = pythons().filter((p) => wanted.some(([a, b]) => p.version[0] === a && p.version[1] === b) && !p.label.startsWith('debian'));

for (const py of matrix) {
  describe(`pyscope debug --tui on ${py.label}`, firstSkip(tmuxSkip, skipIfMissing(py)), () => {
    test('source, stack, variables, breakpoints; b, c, expand, a command, resize, q', async () => {
      startTui(py, 'session.py 3', 120, 36);
      const first = await screenUntil((s) => s.includes('stopped at session.py:1 in <module>()'), 'the first stop is shown');
      assert.ok(!first.includes('BEFORE-DEBUG'), 'the debugger draws on the alternate screen');
      assert.match(first, />\s+1 -> import sys/);
      for (let i = 0; i < 8; i++) keys('j');
      keys('b');
      await screenUntil((s) => /^.\s+9B\s+total = a \+ b/m.test(s) && /│ 1 session\.py:9/.test(s), 'b sets a breakpoint at the cursor line');
      keys('c');
      const atAdd = await screenUntil((s) => s.includes('stopped at session.py:9 in add()') && /│ {3}b = 0/.test(s), 'c runs to the breakpoint');
      assert.match(atAdd, /9B->\s+total = a \+ b/);
      assert.match(atAdd, /│ > add\s+session\.py:9/);
      assert.match(atAdd, /│ {3}main\s+session\.py:20/);
      assert.match(atAdd, /│ {3}a = 0\s*$/m);

      keys('!', 'xs = [10, 20]', 'Enter');
      await screenUntil((s) => /▸ xs = \[10, 20\]/.test(s), 'a console statement shows in the variables');
      keys('Tab', 'Tab');
      for (let i = 0; i < 5; i++) keys('j');
      keys('Enter');
      const expanded = await screenUntil((s) => /▾ xs = \[10, 20\]/.test(s), 'Enter expands a variable');
      assert.match(expanded, /^.*│\s+.*\b0\b.*= 10\s*$/m);

      keys('n');
      await screenUntil((s) => s.includes('stopped at session.py:10 in add()'), 'n steps');

      tmux('resize-window', '-t', SESSION, '-x', '100', '-y', '30');
      // tmux cuts the old picture to the new size; only a redraw moves the pane border to 60% of 100
      const redrawn = (s: string): boolean => {
        const rows = s.split('\n');
        return (rows[0] ?? '').includes('stopped at session.py:10 in add()') && rows[2]?.[60] === '│' && rows.some((l) => l.startsWith('── Console') && l.length === 100);
      };
      await screenUntil(redrawn, 'the screen is redrawn at the new size');

      keys('q');
      const back = await screenUntil((s) => s.includes('DEBUG-EXIT='), 'q quits');
      assert.match(back, /DEBUG-EXIT=0/);
      terminalBack(back);
    });

    test('Ctrl-C pauses the running program, a second one quits; SIGTERM gives the terminal back', async () => {
      startTui(py, 'loop.py', 100, 30);
      await screenUntil((s) => s.includes('stopped at loop.py:1'), 'the first stop is shown');
      keys('c');
      await screenUntil((s) => s.includes('running (Ctrl-C pauses)') && s.includes('looping'), 'the program runs');
      keys('C-c');
      await screenUntil((s) => /stopped at loop\.py:[45] in spin\(\)/.test(s) && /│ {3}n = \d+/.test(s), 'Ctrl-C pauses, and the variables are shown');
      keys('c');
      await screenUntil((s) => s.includes('running (Ctrl-C pauses)'), 'the program runs again');
      keys('C-c', 'C-c');
      const quit = await screenUntil((s) => s.includes('DEBUG-EXIT='), 'a second Ctrl-C quits');
      assert.match(quit, /DEBUG-EXIT=0/);
      terminalBack(quit);

      startTui(py, 'loop.py', 100, 30);
      await screenUntil((s) => s.includes('stopped at loop.py:1'), 'the first stop is shown');
      const shell = tmux('display-message', '-p', '-t', SESSION, '#{pane_pid}').trim();
      const node = execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
      process.kill(Number(node), 'SIGTERM');
      const killed = await screenUntil((s) => s.includes('DEBUG-EXIT='), 'SIGTERM ends the debugger');
      assert.match(killed, /DEBUG-EXIT=143/);
      terminalBack(killed);
    });
  });
}
