// pdb's command grammar, without an interpreter: names, abbreviations, arguments, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../src/debugclient/commands.js';
import { enclosingBlock } from '../../src/debugclient/sourceView.js';
import { unreprString } from '../../src/debugclient/pyRepr.js';
import { splitKeys } from '../../src/tui/debugScreen.js';

test('pdb names and abbreviations', () => {
  assert.deepEqual(parseCommand('b 12'), { kind: 'break', temporary: false, spec: { line: 12 } });
  assert.deepEqual(parseCommand('break mod.py:7, x > 1 and y'), { kind: 'break', temporary: false, spec: { file: 'mod.py', line: 7 }, condition: 'x > 1 and y' });
  assert.deepEqual(parseCommand('tbreak Foo.bar'), { kind: 'break', temporary: true, spec: { func: 'Foo.bar' } });
  assert.deepEqual(parseCommand('cl 1 2'), { kind: 'clear', numbers: [1, 2] });
  assert.deepEqual(parseCommand('clear a.py:3'), { kind: 'clear', location: { file: 'a.py', line: 3 } });
  assert.deepEqual(parseCommand('condition 3'), { kind: 'condition', number: 3 });
  assert.deepEqual(parseCommand('ignore 2 5'), { kind: 'ignore', number: 2, count: 5 });
  assert.deepEqual(parseCommand('u 2'), { kind: 'up', count: 2 });
  assert.deepEqual(parseCommand('bt'), { kind: 'where' });
  assert.deepEqual(parseCommand('l 10, 3'), { kind: 'list', first: 10, last: 13 });
  assert.deepEqual(parseCommand('pp {1: 2}'), { kind: 'print', expression: '{1: 2}', pretty: true });
  assert.deepEqual(parseCommand('catch raised uncaught'), { kind: 'catch', filters: ['raised', 'uncaught'] });
  assert.deepEqual(parseCommand('catch off'), { kind: 'catch', filters: [] });
  assert.deepEqual(parseCommand('jmc off'), { kind: 'jmc', on: false });
  assert.deepEqual(parseCommand('thread 4'), { kind: 'thread', id: 4 });
});

test('lines that are Python, including names that look like commands', () => {
  assert.deepEqual(parseCommand('!n = 3'), { kind: 'exec', code: 'n = 3' });
  assert.deepEqual(parseCommand('n = 3'), { kind: 'exec', code: 'n = 3' });
  assert.deepEqual(parseCommand('c.append(1)'), { kind: 'exec', code: 'c.append(1)' });
  assert.deepEqual(parseCommand('x + 1'), { kind: 'exec', code: 'x + 1' });
});

test('bad input is an error message, not an exception', () => {
  for (const line of ['b 3:', 'b a.py:x', 'b 1 2', 'u two', 'enable x', 'ignore', 'catch sometimes', 'jmc maybe', 'p', 'b 4,']) {
    const c = parseCommand(line);
    assert.equal(c.kind, 'error', line);
  }
});

test('ll finds the function around a line, decorators included', () => {
  const src = ['import x', '', '@dec', 'def f(a):', '    if a:', '', '        return 1', '    return 2', '', 'y = f(1)'];
  assert.deepEqual(enclosingBlock(src, 7), [3, 8]);
  assert.deepEqual(enclosingBlock(src, 10), [1, 10]);
});

test('str reprs read back; keys split one by one', () => {
  assert.equal(unreprString(`'a\\nb\\'c\\x41\\u00e9'`), "a\nb'cAé");
  assert.equal(unreprString('"x"'), 'x');
  assert.equal(unreprString('[1]'), undefined);
  assert.deepEqual(splitKeys('jj\x1b[A\t\x1b[6~q'), ['j', 'j', '\x1b[A', '\t', '\x1b[6~', 'q']);
});
