// Option mistakes told in pyscope's words: one `pyscope: error: COMMAND: ...` line naming the
// command the user ran and the option (never Node's parseArgs text), exit 2, nothing else printed;
// options that cannot hold together refused rather than one silently winning; and an error that
// the program being debugged already printed not printed a second time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ExitCode } from '../../src/common/errors.js';
import { pythons, requirePython } from '../support/pythons.js';
import { describeFailure, runPyscope, type RunResult } from '../support/pyscope.js';

const COMMANDS = ['dump', 'record', 'top', 'doctor', 'dap', 'debug', 'playground'] as const;
/** Words of Node's parseArgs messages, which must never reach the user. */
const NODE_WORDS = /Unknown option '|argument missing|does not take an argument|is ambiguous|To specify a positional|ERR_PARSE_ARGS/;

const dir = mkdtempSync(join(tmpdir(), 'pyscope-option-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function usageLine(r: RunResult, command: string, rest: RegExp): void {
  assert.equal(r.code, ExitCode.usage, describeFailure(r));
  assert.equal(r.stdout, '', describeFailure(r));
  assert.match(r.stderr, /^pyscope: error: [^\n]+\n$/, describeFailure(r));
  assert.ok(r.stderr.startsWith(`pyscope: error: ${command}: `), `names the command: ${r.stderr}`);
  assert.match(r.stderr.slice(`pyscope: error: ${command}: `.length), rest);
  assert.doesNotMatch(r.stderr, NODE_WORDS);
}

describe('option errors in our own words', () => {
  for (const command of COMMANDS) {
    test(`${command}: an unknown option is named, with where the options are listed`, async () => {
      const args = command === 'record' ? ['record', '--bogus', '--', 'python', 'app.py'] : [command, '--bogus'];
      usageLine(await runPyscope(args), command, /^unknown option --bogus \(pyscope \w+ --help lists the options\)$/m);
    });
  }

  test('an option without its value, a flag given a value, an option taken for a value', async () => {
    usageLine(await runPyscope(['dump', '--pid']), 'dump', /^--pid needs a value$/m);
    usageLine(await runPyscope(['dump', '-p']), 'dump', /^-p needs a value$/m);
    usageLine(await runPyscope(['record', '--rate']), 'record', /^--rate needs a value$/m);
    usageLine(await runPyscope(['top', '--pid']), 'top', /^--pid needs a value$/m);
    usageLine(await runPyscope(['dump', '--locals=3', '1']), 'dump', /^--locals takes no value \(got "3"\)$/m);
    usageLine(await runPyscope(['dump', '--pid', '--locals']), 'dump', /^--pid needs a value, not the option --locals/m);
    usageLine(await runPyscope(['dump', '1', '2']), 'dump', /^unexpected argument "2"$/m);
    usageLine(await runPyscope(['dap', 'extra']), 'dap', /^unexpected argument "extra"$/m);
    usageLine(await runPyscope(['dap', '--port', 'x']), 'dap', /^--port needs a port number/m);
    usageLine(await runPyscope(['playground', '--port', 'x']), 'playground', /^--port needs a port number/m);
    usageLine(await runPyscope(['debug', '--python']), 'debug', /^--python needs an interpreter$/m);
    usageLine(await runPyscope(['debug']), 'debug', /^what to run\?/m);
  });

  test('options that cannot hold together are refused before anything is read', async () => {
    // The core named does not exist: the refusal must come before any attempt to open it.
    const core = join(dir, 'no-such-core');
    usageLine(await runPyscope(['dump', '--pid', '1', '--core', core]), 'dump', /^give either a process \(--pid 1\) or --core FILE, not both$/m);
    usageLine(await runPyscope(['dump', '1', '--core', core]), 'dump', /^give either a process \(1\) or --core FILE, not both$/m);
    usageLine(await runPyscope(['dump', '--exe', '/bin/sh', '1']), 'dump', /^--exe is for --core/m);
    usageLine(await runPyscope(['dump', '--lib-search-path', dir, '1']), 'dump', /^--lib-search-path is for --core/m);
    usageLine(await runPyscope(['record', '--pid', '1', '--', 'python', 'app.py']), 'record', /^give either --pid PID or a command to run, not both$/m);
  });
});

const py = pythons().find((p) => !p.missing && p.pointerBits === 64 && p.version[0] === 3 && p.version[1] >= 8);
describe('pyscope debug: a launch error printed once', requirePython(py !== undefined, 'no Python 3 of the matrix is present'), () => {
  test('a module that does not exist, a syntax error: the error line once, the caret lines kept', async () => {
    const noModule = await runPyscope(['debug', '--python', py!.path, '-m', 'no_such_module_here']);
    assert.equal(noModule.code, ExitCode.failure, describeFailure(noModule));
    assert.equal(noModule.stderr.match(/No module named/g)?.length, 1, describeFailure(noModule));
    assert.match(noModule.stderr, /^pyscope: error: .*No module named '?no_such_module_here'?\n$/m);
    const bad = join(dir, 'bad_syntax.py');
    writeFileSync(bad, 'x = 1\ndef broken(:\n    pass\n');
    const syntax = await runPyscope(['debug', '--python', py!.path, bad]);
    assert.equal(syntax.code, ExitCode.failure, describeFailure(syntax));
    assert.equal(syntax.stderr.match(/SyntaxError/g)?.length, 1, describeFailure(syntax));
    assert.match(syntax.stderr, /def broken\(:/, 'the source line of the error is shown');
    assert.match(syntax.stderr, /\npyscope: error: SyntaxError: [^\n]+\n$/, describeFailure(syntax));
  });
});
