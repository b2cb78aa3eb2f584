// Python-level thread names, from the threading module's registry: sys.modules["threading"]
// ._active maps each thread ident to its Thread object, whose _name (2.7: _Thread__name) holds
// the name. Every step is a bounded read; a registry that reads as no thread at all is an error
// (a torn read), any other failure just leaves a name unknown.
import { dictEntries, valueOfName } from '../objects/dict.js';
import { readInt, readPy2Int } from '../objects/numbers.js';
import { readName } from '../objects/strings.js';
import type { Target } from '../target.js';
import { instanceDictEntries } from './instance-dict.js';

const MAX_MODULES = 20_000;
const MAX_THREADS = 4096;

export function threadNames(t: Target, interp: number): Map<number, string> {
  const names = new Map<number, string>();
  const modulesOff = t.b.interp.modules;
  if (modulesOff === undefined) return names;
  const modules = t.ptr(interp + modulesOff);
  if (!modules) return names;
  const threading = valueOfName(t, dictEntries(t, modules, MAX_MODULES).entries, 'threading');
  if (!threading) return names;
  const moduleDict = t.ptr(threading + t.b.module.dict);
  const active = valueOfName(t, dictEntries(t, moduleDict, 10_000).entries, '_active');
  if (!active) return names;
  const py2 = t.b.strings.kind === 'py2';
  const registry = dictEntries(t, active, MAX_THREADS);
  for (const [key, thread] of registry.entries) {
    try {
      const kt = t.typeName(key);
      const ident = kt === 'int' && py2 ? readPy2Int(t, key) : readInt(t, key).value;
      const attrs = instanceDictEntries(t, thread);
      const nameObj = valueOfName(t, attrs, py2 ? '_Thread__name' : '_name');
      if (nameObj) names.set(Number(ident), readName(t, nameObj, 256));
    } catch {
      // a thread object being torn down: skip it
    }
  }
  // A registry that holds threads but named none was read while its table was replaced (a
  // thread starting or ending): a torn read, which a live process's caller reads again.
  if (names.size === 0 && registry.total > 0) throw new Error(`threading._active holds ${registry.total} threads but none could be read`);
  return names;
}
