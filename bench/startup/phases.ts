// One cold `pyscope dump PID`, taken apart: the same steps as src/commands/dump.ts and
// cpython/process.ts, each timed with performance.now() in a fresh process, printed as one JSON
// line. bench/startup/run.ts runs it many times and takes medians. Module loading is not timed
// here (these are the unbundled modules); run.ts measures it from the outside on the bundle.
// The struct layouts come from the tables `npm run build` lays out (dist/src/layout/tables); the
// last step lays the same declarations out from their C text, as every dump did before the tables.
import { createRequire } from 'node:module';
import { detectVersion, formatVersion } from '../../src/cpython/discover/detect-version.js';
import { findInterpreter } from '../../src/cpython/discover/find-interpreter.js';
import { targetAbi } from '../../src/cpython/discover/target-abi.js';
import { openLiveProcess } from '../../src/cpython/process.js';
import { snapshot } from '../../src/cpython/snapshot.js';
import { bindingsFor } from '../../src/cpython/version-switch.js';
import { laidOut, setsOf } from '../../src/cpython/declaration-sets.js';
import { traitsFor } from '../../src/cpython/version-traits.js';
import { declare } from '../../src/layout/index.js';
import { formatText } from '../../src/commands/dump-format.js';
import { LiveProcessMemory } from '../../src/memory/live.js';
import { PageCacheMemory } from '../../src/memory/page-cache.js';
import { commandLine, executableLink, readMaps, taskIds, threadStatus } from '../../src/memory/proc.js';

const pid = Number(process.argv[2]);
const at: Record<string, number> = {};
let last = performance.now();
at.loaded = last;
const lap = (name: string): void => {
  const now = performance.now();
  at[name] = now - last;
  last = now;
};

// The steps of openLiveProcess, one by one (their results are thrown away: the real open follows).
const maps = readMaps(pid);
const exe = executableLink(pid);
const cmd = commandLine(pid);
lap('procFiles');
const memory = new PageCacheMemory(new LiveProcessMemory(pid));
const image = findInterpreter(pid, maps, exe);
lap('elf');
const version = detectVersion(image, memory);
lap('version');
const traits = traitsFor(version);
const sets = traits ? setsOf(traits, targetAbi(image.elf).layout) : [];
for (const set of sets) laidOut(set);
lap('layouts');
bindingsFor(version, memory, image.symbols.runtime, (n) => image.elf.symbol(n) !== undefined, () => undefined, targetAbi(image.elf));
lap('bindings');
memory.close();
// The real open: every cache above is warm now except the process's own pages.
const proc = openLiveProcess(pid);
lap('reopen');
const threads = snapshot(proc, { tasks: { ids: taskIds(pid), status: (tid) => threadStatus(pid, tid) } });
lap('snapshot');
const text = formatText({ pid, command: cmd, version: formatVersion(proc.version), binary: proc.image.path }, threads, { fullFilenames: false, locals: false });
lap('format');
proc.memory.close();
for (const set of sets) declare(set.source, set.abi, set.label);
lap('layoutsFromC');
createRequire(import.meta.url)('koffi');
lap('koffi');
process.stdout.write(`${JSON.stringify({ ...at, reads: proc.memory.readCount, chars: text.length })}\n`);
