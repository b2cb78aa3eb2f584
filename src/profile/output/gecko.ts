// The Firefox Profiler's processed profile format (preprocessedProfileVersion 57, gecko meta
// version 32: the versions CPython's own sampling profiler writes), one thread entry per sampled
// thread, samples in time order. Strings are shared by all threads (stringArray, since v56).
import { arch, cpus, platform } from 'node:os';
import { functionLabel, shortFile } from '../labels.js';
import type { Profile } from '../model.js';
import { stringTable } from './string-table.js';

const CATEGORIES = [
  { name: 'Other', color: 'grey', subcategories: ['Other'] },
  { name: 'Python', color: 'yellow', subcategories: ['Other'] },
];
const PYTHON = 1;
const OTHER = 0;

export const GECKO_META_VERSION = 32;
export const GECKO_PROCESSED_VERSION = 57;

interface ThreadTables {
  stackOf: Map<number, number>;
  stackTable: { frame: number[]; category: number[]; subcategory: number[]; prefix: (number | null)[]; length: number };
  frameOf: Map<number, number>;
  frameTable: {
    address: number[];
    category: number[];
    subcategory: number[];
    func: number[];
    innerWindowID: (number | null)[];
    implementation: (string | null)[];
    line: (number | null)[];
    column: (number | null)[];
    inlineDepth: number[];
    nativeSymbol: (number | null)[];
    length: number;
  };
  funcOf: Map<number, number>;
  funcTable: {
    name: number[];
    isJS: boolean[];
    relevantForJS: boolean[];
    resource: number[];
    fileName: (number | null)[];
    lineNumber: (number | null)[];
    columnNumber: (number | null)[];
    length: number;
  };
  resourceOf: Map<string, number>;
  resourceTable: { lib: (number | null)[]; name: number[]; host: (number | null)[]; type: number[]; length: number };
  samples: { stack: number[]; time: number[]; weight: null; weightType: 'samples'; length: number };
}

export function gecko(p: Profile): string {
  const table = stringTable();
  const { strings } = table;
  const str = (s: string): number => table.id(s);
  const tables = new Map<number, ThreadTables>();
  const tablesFor = (thread: number): ThreadTables => {
    let t = tables.get(thread);
    if (!t) {
      t = {
        stackOf: new Map(),
        stackTable: { frame: [], category: [], subcategory: [], prefix: [], length: 0 },
        frameOf: new Map(),
        frameTable: { address: [], category: [], subcategory: [], func: [], innerWindowID: [], implementation: [], line: [], column: [], inlineDepth: [], nativeSymbol: [], length: 0 },
        funcOf: new Map(),
        funcTable: { name: [], isJS: [], relevantForJS: [], resource: [], fileName: [], lineNumber: [], columnNumber: [], length: 0 },
        resourceOf: new Map(),
        resourceTable: { lib: [], name: [], host: [], type: [], length: 0 },
        samples: { stack: [], time: [], weight: null, weightType: 'samples', length: 0 },
      };
      tables.set(thread, t);
    }
    return t;
  };
  const funcIn = (t: ThreadTables, func: number): number => {
    let id = t.funcOf.get(func);
    if (id !== undefined) return id;
    const f = p.functions[func]!;
    const python = f.kind === 'python';
    let resource = -1;
    if (python) {
      resource = t.resourceOf.get(f.file) ?? -1;
      if (resource < 0) {
        resource = t.resourceTable.length++;
        t.resourceTable.lib.push(null);
        t.resourceTable.name.push(str(shortFile(f.file, p.meta.cwd)));
        t.resourceTable.host.push(null);
        // 1 = a library: the only resource kind that fits a source file.
        t.resourceTable.type.push(1);
        t.resourceOf.set(f.file, resource);
      }
    }
    id = t.funcTable.length++;
    // A native function's library is part of its name: the resource table holds source files.
    t.funcTable.name.push(str(f.kind === 'native' ? functionLabel(f) : f.name));
    t.funcTable.isJS.push(python);
    t.funcTable.relevantForJS.push(false);
    t.funcTable.resource.push(resource);
    t.funcTable.fileName.push(python ? str(f.file) : null);
    t.funcTable.lineNumber.push(python ? f.firstLine : null);
    t.funcTable.columnNumber.push(null);
    t.funcOf.set(func, id);
    return id;
  };
  const frameIn = (t: ThreadTables, frame: number): number => {
    let id = t.frameOf.get(frame);
    if (id !== undefined) return id;
    const fr = p.frames[frame]!;
    const python = p.functions[fr.func]!.kind === 'python';
    const func = funcIn(t, fr.func);
    id = t.frameTable.length++;
    t.frameTable.address.push(-1);
    t.frameTable.category.push(python ? PYTHON : OTHER);
    t.frameTable.subcategory.push(0);
    t.frameTable.func.push(func);
    t.frameTable.innerWindowID.push(null);
    t.frameTable.implementation.push(null);
    t.frameTable.line.push(python && fr.line > 0 ? fr.line : null);
    t.frameTable.column.push(null);
    t.frameTable.inlineDepth.push(0);
    t.frameTable.nativeSymbol.push(null);
    t.frameOf.set(frame, id);
    return id;
  };
  const stackIn = (t: ThreadTables, stack: number): number => {
    const known = t.stackOf.get(stack);
    if (known !== undefined) return known;
    const node = p.stacks[stack]!;
    const prefix = node.parent < 0 ? null : stackIn(t, node.parent);
    const frame = frameIn(t, node.frame);
    const id = t.stackTable.length++;
    t.stackTable.frame.push(frame);
    t.stackTable.category.push(t.frameTable.category[frame]!);
    t.stackTable.subcategory.push(0);
    t.stackTable.prefix.push(prefix);
    t.stackOf.set(stack, id);
    return id;
  };

  const tl = p.timeline;
  if (tl) {
    for (let i = 0; i < tl.length; i++) {
      const t = tablesFor(tl.thread[i]!);
      t.samples.stack.push(stackIn(t, tl.stack[i]!));
      t.samples.time.push(tl.time[i]!);
      t.samples.length++;
    }
  } else {
    // Without a timeline every sample is put at its tick's nominal time, one thread.
    const t = tablesFor(0);
    let time = 0;
    const period = p.meta.rate > 0 ? 1000 / p.meta.rate : 1;
    for (const [stack, count] of p.counts) {
      const s = stackIn(t, stack);
      for (let i = 0; i < count; i++) {
        t.samples.stack.push(s);
        t.samples.time.push((time += period));
        t.samples.length++;
      }
    }
  }

  const threads = [...tables.entries()].map(([index, t]) => {
    const info = p.threads[index] ?? { pid: p.meta.pid, threadId: 0 };
    const tid = info.nativeThreadId ?? info.threadId;
    return {
      name: info.name ?? `thread ${tid}`,
      isMainThread: info.nativeThreadId === info.pid,
      processType: 'default',
      processName: `python (pid ${info.pid})`,
      processStartupTime: 0,
      processShutdownTime: null,
      registerTime: 0,
      unregisterTime: null,
      pausedRanges: [],
      pid: String(info.pid),
      tid,
      samples: t.samples,
      stackTable: t.stackTable,
      frameTable: t.frameTable,
      funcTable: t.funcTable,
      resourceTable: t.resourceTable,
      nativeSymbols: { libIndex: [], address: [], name: [], functionSize: [], length: 0 },
      markers: { data: [], name: [], startTime: [], endTime: [], phase: [], category: [], length: 0 },
    };
  });
  const profile = {
    meta: {
      interval: p.meta.rate > 0 ? 1000 / p.meta.rate : 1,
      startTime: p.meta.startedAt,
      abi: arch(),
      misc: `pid ${p.meta.pid}: ${p.meta.command}`,
      oscpu: arch(),
      platform: platform(),
      processType: 0,
      categories: CATEGORIES,
      stackwalk: 0,
      toolkit: '',
      version: GECKO_META_VERSION,
      preprocessedProfileVersion: GECKO_PROCESSED_VERSION,
      appBuildID: '',
      physicalCPUs: cpus().length,
      logicalCPUs: cpus().length,
      CPUName: '',
      product: `Python ${p.meta.pythonVersion}`,
      symbolicated: true,
      markerSchema: [],
      importedFrom: 'pyscope record',
      extensions: { id: [], name: [], baseURL: [], length: 0 },
    },
    libs: [],
    threads,
    pages: [],
    shared: { stringArray: strings, sources: { length: 0, uuid: [], filename: [] } },
  };
  return JSON.stringify(profile);
}
