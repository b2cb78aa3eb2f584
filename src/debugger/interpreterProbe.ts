// What an interpreter that ended before the debugger's agent started is: asked only after such a
// failure, so a launch that works pays nothing. The probe is one line that Python 2 and 3 both
// run; anything else answering it is not a Python.
import { spawn } from 'node:child_process';
import { MIN_VERSION as MIN } from './sessionBase.js';
import { FailureId, UserError } from './userError.js';

const PROBE = "import sys; sys.stdout.write('pyscope-probe %d.%d.%d' % tuple(sys.version_info[:3]))";
/** The probe is an interpreter's start-up and one line; a program that is no Python may run on. */
const PROBE_MS = 15_000;

type ProbeResult = { version: [number, number, number] } | { notPython: true } | undefined;

function probe(python: string, env: Record<string, string>, cwd: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let out = '';
    let child;
    try {
      child = spawn(python, ['-c', PROBE], { cwd, env, stdio: ['ignore', 'pipe', 'ignore'], timeout: PROBE_MS, killSignal: 'SIGKILL' });
    } catch {
      resolve(undefined);
      return;
    }
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      // bounded: a program that is no Python may write without end
      if (out.length < 200) out += s;
    });
    child.once('error', () => resolve(undefined));
    child.once('close', (_code, signal) => {
      const m = /^pyscope-probe (\d+)\.(\d+)\.(\d+)$/.exec(out);
      if (m) resolve({ version: [Number(m[1]), Number(m[2]), Number(m[3])] });
      else resolve(signal === 'SIGKILL' && out === '' ? undefined : { notPython: true });
    });
  });
}

/** The launch's one-line failure when `python` is no Python, or one older than the debugger runs on. */
export async function interpreterProblem(python: string, env: Record<string, string>, cwd: string): Promise<UserError | undefined> {
  const r = await probe(python, env, cwd);
  if (r === undefined) return undefined;
  if ('notPython' in r) return new UserError(`${python} is not a Python interpreter`, FailureId.notPython);
  const [major, minor] = r.version;
  if (major < MIN[0] || (major === MIN[0] && minor < MIN[1])) {
    return new UserError(`${python} is Python ${r.version.join('.')}; the debugger needs ${MIN.join('.')} or newer`, FailureId.interpreterTooOld);
  }
  return undefined;
}
