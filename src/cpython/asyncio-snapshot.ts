// dump --async: the asyncio tasks of every event loop of a process, read from outside. Before 3.14
// from asyncio.tasks' registries (model/asyncio-tasks); from 3.14 from the per-thread task lists,
// with the offsets the _asyncio module publishes in its .AsyncioDebug section, found here in the
// ELF file that holds the module (the interpreter itself, or _asyncio's own extension module).
import { basename } from 'node:path';
import { ElfFile } from '../elf/elf-file.js';
import { loadBias } from '../elf/load-bias.js';
import { readMaps } from '../memory/proc.js';
import type { OpenedPython } from './process.js';
import type { AsyncioBindings } from './bindings.js';
import { registryLoops, type EventLoopTasks } from './model/asyncio-tasks.js';
import { listedLoops, parseAsyncioSection, plausibleSection, type AsyncioOffsets } from './model/asyncio-lists.js';
import { interpreterId, interpreters, threadStates } from './model/threads.js';
import { targetExited } from './target.js';

export interface AsyncSnapshot {
  loops: EventLoopTasks[];
  /** Why no tasks could be read at all, when none could. */
  note?: string;
}

type Section = Extract<AsyncioBindings, { via: 'debug-section' }>;

/** The offsets once found in a process (a sampler asks at every sample); not found is asked again. */
const sections = new WeakMap<OpenedPython, AsyncioOffsets>();

export function asyncSnapshot(p: OpenedPython): AsyncSnapshot {
  const t = p.target;
  const a = t.b.asyncio;
  if (!a) return { loops: [], note: `asyncio tasks are read on CPython 3.8 and newer, not ${p.version.major}.${p.version.minor}` };
  const roots = { runtime: p.image.symbols.runtime, interpHead: p.image.symbols.interpHead };
  let offsets: AsyncioOffsets | undefined;
  if (a.via === 'debug-section') {
    const found = sections.get(p) ?? readSection(p, a);
    if (typeof found === 'string') return { loops: [], note: found };
    sections.set(p, found);
    offsets = found;
  }
  const loops: EventLoopTasks[] = [];
  interpreters(t, roots).forEach((interp, index) => {
    try {
      if (a.via === 'registries') loops.push(...registryLoops(t, p.codes, a, interp));
      else loops.push(...listedLoops(t, p.codes, a, offsets!, interp, threadStates(t, interp, interpreterId(t, interp, index)).states));
    } catch (e) {
      if (targetExited(e)) throw e;
    }
  });
  return { loops };
}

/** The _asyncio module's debug offsets, or why they could not be had. */
function readSection(p: OpenedPython, a: Section): AsyncioOffsets | string {
  const candidates: { elf: ElfFile; bias: number | undefined; own: boolean }[] = [{ elf: p.image.elf, bias: p.image.bias, own: false }];
  // A live process may have imported asyncio since it was opened: its mappings are read again.
  let maps = p.maps;
  if (p.live && p.pid !== undefined) {
    try {
      maps = readMaps(p.pid);
    } catch {
      maps = p.maps;
    }
  }
  const paths = new Set(maps.filter((m) => basename(m.path).startsWith('_asyncio')).map((m) => m.path));
  for (const path of paths) {
    try {
      const elf = ElfFile.open(path, 'the _asyncio module');
      candidates.push({ elf, bias: loadBias(elf, maps), own: true });
    } catch {
      // a module file that is gone or unreadable: no offsets from it
    }
  }
  try {
    for (const c of candidates) {
      const s = c.elf.section(a.sectionName);
      if (!s || c.bias === undefined) continue;
      // A copy: the offsets outlive this read, and a cached page is reread in place by the next snapshot.
      const off = parseAsyncioSection(a, Buffer.from(p.memory.read(s.addr + c.bias, a.sectionSize)));
      if (!plausibleSection(off)) return `the ${a.sectionName} section of ${c.elf.path} does not hold asyncio offsets pyscope can read`;
      return off;
    }
  } finally {
    for (const c of candidates) if (c.own) c.elf.close();
  }
  return 'asyncio is not loaded in this process (no _asyncio module with an .AsyncioDebug section is mapped)';
}
