// Runs the debugger's DAP scenarios again and again while other processes burn every core, to
// catch what only a loaded machine shows (a lost stop, a wait that never ends). Needs a build
// (`npm run build`); runs the compiled tests under dist/test.
//
//   node scripts/stress-dap.mjs [--suite pyodide,native] [--runs N | --scenarios N] [--load N]
//                               [--concurrency N] [--pythons a:b] [--only SUBSTRING]
//                               [--timeout SECONDS] [--logs DIR] [--keep-going]
//
//   --suite        pyodide: test/pyodide/dap.test.ts and test/pyodide/browserSession.test.ts;
//                  native: test/dap/*.test.ts on the interpreters of PYSCOPE_PYTHONS (or --pythons).
//                  Several suites run one after the other, never at once (default: pyodide).
//   --runs N       runs of every file of a suite (default 10); --scenarios N: as many runs as it
//                  takes for N scenarios (test cases) to run.
//   --load N       processes that spin for the whole stress, one per core by default; 0: none.
//   --concurrency  test files run at once (node --test-concurrency; default 2, as scripts/run-tests.mjs).
//   --only         only the suite's files whose path contains SUBSTRING.
//   --timeout      seconds one run may take before it counts as a hang and is killed (default 900);
//                  a scenario that hangs inside it fails first, on its own node:test timeout.
//   --logs DIR     where the output of failed runs is kept (default: a new folder in the temp dir).
//   --keep-going   go on after a failure instead of stopping at the first.
//
// Each run is `node --test` in a process group of its own, killed whole when the run ends, so
// nothing it started (adapters, interpreters, workers) outlives it; a run that leaves processes
// behind is reported. The spinning processes end with the driver, and by themselves if it dies.
// Exit status: 0 when every run passed, 1 otherwise, 2 for bad arguments.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORTER = join(ROOT, 'scripts', 'stress-dap-reporter.mjs');

const SUITES = {
  pyodide: () => ['dist/test/pyodide/dap.test.js', 'dist/test/pyodide/browserSession.test.js'],
  native: () =>
    readdirSync(join(ROOT, 'dist/test/dap'))
      .filter((f) => f.endsWith('.test.js'))
      .sort()
      .map((f) => `dist/test/dap/${f}`),
};

function fail(message) {
  process.stderr.write(`stress-dap: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { suites: ['pyodide'], runs: 10, scenarios: 0, load: cpus().length, concurrency: Number(process.env.PYSCOPE_TEST_CONCURRENCY ?? 2), timeout: 900, keepGoing: false };
  const number = (flag, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) fail(`${flag} needs a whole number, not "${v}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--suite':
        o.suites = value().split(',');
        for (const s of o.suites) if (!(s in SUITES)) fail(`unknown suite "${s}" (pyodide, native)`);
        break;
      case '--runs':
        o.runs = number(flag, value());
        break;
      case '--scenarios':
        o.scenarios = number(flag, value());
        break;
      case '--load':
        o.load = number(flag, value());
        break;
      case '--concurrency':
        o.concurrency = Math.max(1, number(flag, value()));
        break;
      case '--pythons':
        o.pythons = value();
        break;
      case '--only':
        o.only = value();
        break;
      case '--timeout':
        o.timeout = Math.max(1, number(flag, value()));
        break;
      case '--logs':
        o.logs = value();
        break;
      case '--keep-going':
        o.keepGoing = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write('usage: node scripts/stress-dap.mjs [--suite pyodide,native] [--runs N | --scenarios N] [--load N] [--concurrency N] [--pythons a:b] [--only SUBSTRING] [--timeout SECONDS] [--logs DIR] [--keep-going]\n');
        process.exit(0);
      default:
        fail(`unknown argument "${flag}" (--help lists them)`);
    }
  }
  return o;
}

// -- load

// spins until killed, or until its parent (the driver) is gone
const BURN = `const parent = process.ppid; for (let i = 1; ; i++) if ((i & 0xffffff) === 0 && process.ppid !== parent) process.exit(0);`;

function startLoad(n) {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', BURN], { stdio: 'ignore' }));
}

// -- one run

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Runs the files once in a process group of their own; resolves with what happened. */
function runOnce(files, options, env, onChild) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--test', `--test-concurrency=${options.concurrency}`, `--test-reporter=${REPORTER}`, ...files], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onChild(child);
    const results = [];
    let out = '';
    let err = '';
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (s) => {
      out += s;
      pending += s;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          results.push(JSON.parse(line));
        } catch {
          // not a reporter line: a test's own output
        }
      }
    });
    // kept whole: the adapters' and debuggees' stderr tell why a failed run failed
    child.stderr.on('data', (s) => (err += s));
    let watchdog = false;
    const timer = setTimeout(() => {
      watchdog = true;
      killGroup(child.pid, 'SIGKILL');
    }, options.timeout * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      onChild(undefined);
      // anything of the group still there outlived the run; it goes now
      const leftovers = killGroup(child.pid, 0);
      if (leftovers) killGroup(child.pid, 'SIGKILL');
      resolve({ code, signal, results, out, err, watchdog, leftovers, ms: Date.now() - started });
    });
  });
}

// a scenario's own node:test timeout: the wait that stalled is in its message, when the test names it
const isHang = (r) => r.failureType === 'testTimeoutFailure';

// -- driver

async function stressSuite(suite, files, options, logs, state) {
  const env = { ...process.env };
  if (options.pythons) env.PYSCOPE_PYTHONS = options.pythons;
  const s = { suite, runs: 0, scenarios: 0, passed: 0, failures: [], hangs: 0, leftovers: 0, ms: 0 };
  state.current = s;
  const done = () => (options.scenarios ? s.scenarios >= options.scenarios : s.runs >= options.runs);
  while (!done() && !state.stopping) {
    const r = await runOnce(files, options, env, (c) => (state.child = c));
    if (state.stopping) break;
    s.runs++;
    s.ms += r.ms;
    const tests = r.results.filter((x) => !x.suite);
    const failed = tests.filter((x) => x.status === 'fail');
    s.scenarios += tests.length;
    s.passed += tests.length - failed.length;
    if (r.leftovers) s.leftovers++;
    const problems = [];
    for (const x of failed) {
      // a test its suite cancelled is named by the suite's own entry below
      if (x.failureType === 'cancelledByParent') continue;
      problems.push({ test: x.name, file: x.file, hang: isHang(x), message: x.message ?? '' });
    }
    for (const x of r.results.filter((y) => y.suite && y.status === 'fail')) {
      if (isHang(x)) {
        // the test that was running when the suite's time ran out: the one cancelled after it had started
        const running = failed.filter((t) => t.file === x.file && t.failureType === 'cancelledByParent' && t.ms > 0).map((t) => t.name);
        problems.push({ test: `${x.name} (suite), running: ${running.join(', ') || 'none'}`, file: x.file, hang: true, message: x.message ?? '' });
      } else if (!failed.some((t) => t.file === x.file)) {
        // a file that failed outside any test: it did not load, or crashed
        problems.push({ test: x.name, file: x.file, hang: false, message: x.message ?? '' });
      }
    }
    if (r.watchdog) problems.push({ test: '(whole run)', file: files.join(' '), hang: true, message: `killed after ${options.timeout} s` });
    else if (r.code !== 0 && problems.length === 0) problems.push({ test: '(whole run)', file: files.join(' '), hang: false, message: `node --test exited with ${r.code ?? r.signal} and no failed test` });
    let note = `${tests.length - failed.length}/${tests.length} scenarios passed`;
    if (r.leftovers) note += ', left processes behind (killed)';
    if (problems.length) {
      const log = join(logs, `${suite}-run${s.runs}.log`);
      writeFileSync(log, `exit ${r.code ?? r.signal}\n--- reporter/stdout\n${r.out}\n--- stderr\n${r.err}`);
      for (const p of problems) {
        s.failures.push({ run: s.runs, ...p, log });
        if (p.hang) s.hangs++;
      }
      note += `; ${problems.map((p) => `${p.hang ? 'HANG' : 'FAIL'} ${p.test}: ${p.message.split('\n')[0]}`).join('; ')} (output: ${log})`;
    }
    process.stdout.write(`[${suite} ${s.runs}] ${note} in ${(r.ms / 1000).toFixed(0)} s\n`);
    if (problems.length && !options.keepGoing) {
      state.stopping = true;
      break;
    }
  }
  state.current = undefined;
  return s;
}

function summary(all, options, totalMs) {
  const lines = [`stress-dap: load ${options.load} spinning process(es), concurrency ${options.concurrency}, ${(totalMs / 1000).toFixed(0)} s in all`];
  for (const s of all) {
    const avg = s.runs ? (s.ms / s.runs / 1000).toFixed(0) : '-';
    lines.push(`  ${s.suite}: ${s.runs} runs, ${s.scenarios} scenarios (${s.passed} passed), ${s.hangs} hangs, ${s.failures.length} failures, ${s.leftovers} runs left processes behind; ${(s.ms / 1000).toFixed(0)} s, ${avg} s a run`);
    for (const f of s.failures) lines.push(`    run ${f.run}: ${f.hang ? 'HANG' : 'FAIL'} ${f.test} (${f.file})\n      ${f.message.split('\n').join('\n      ')}\n      output: ${f.log}`);
  }
  return `${lines.join('\n')}\n`;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'test'))) fail('no dist/test: run `npm run build` first');
  const plan = options.suites.map((suite) => {
    let files = SUITES[suite]();
    if (options.only) files = files.filter((f) => f.includes(options.only));
    for (const f of files) if (!existsSync(join(ROOT, f))) fail(`${f} is missing: run \`npm run build\` first`);
    if (files.length === 0) fail(`no ${suite} file matches "${options.only}"`);
    return { suite, files };
  });
  const logs = options.logs ?? mkdtempSync(join(tmpdir(), 'pyscope-stress-'));
  mkdirSync(logs, { recursive: true });
  const state = { stopping: false, child: undefined, current: undefined };
  const burners = startLoad(options.load);
  const started = Date.now();
  const all = [];
  const stop = () => {
    state.stopping = true;
    if (state.child) killGroup(state.child.pid, 'SIGKILL');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    for (const { suite, files } of plan) {
      if (state.stopping) break;
      process.stdout.write(`stress-dap: ${suite}: ${files.join(' ')}${suite === 'native' ? ` on ${options.pythons ?? process.env.PYSCOPE_PYTHONS ?? 'every interpreter found'}` : ''}\n`);
      all.push(await stressSuite(suite, files, options, logs, state));
    }
  } finally {
    for (const b of burners) b.kill('SIGKILL');
  }
  const text = summary(all, options, Date.now() - started);
  writeFileSync(join(logs, 'summary.txt'), text);
  process.stdout.write(text);
  process.exitCode = all.every((s) => s.failures.length === 0) && all.length === plan.length ? 0 : 1;
}

await main();
