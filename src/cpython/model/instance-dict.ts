// The attributes of an instance of a Python class. Where they live changed over versions: a
// __dict__ pointer at tp_dictoffset (<= 3.10), a managed dict pointer before the object (3.11+),
// or values stored without a dict (3.11+), whose keys are then the type's shared keys.
import { dictEntries, keysEntries } from '../objects/dict.js';
import type { Target } from '../target.js';

const MAX_ATTRS = 1024;

export function instanceDictEntries(t: Target, obj: number): [number, number][] {
  const type = t.typeOf(obj);
  const dictoffset = t.ssize(type + t.b.type.dictoffset);
  if (dictoffset > 0) {
    const dict = t.ptr(obj + dictoffset);
    return dict ? dictEntries(t, dict, MAX_ATTRS).entries : [];
  }
  const m = t.b.managedDict;
  if (!m || !(t.typeFlags(type) & m.flag)) return [];
  let slot = t.ptr(obj + m.offset);
  if (m.tagged && slot & 1) slot = 0; // 3.12: a tagged values pointer, not a dict
  if (slot) return dictEntries(t, slot, MAX_ATTRS).entries;
  return sharedKeyValues(t, obj, type);
}

/** Attributes kept as a values array keyed by the type's cached (shared) keys. */
function sharedKeyValues(t: Target, obj: number, type: number): [number, number][] {
  const m = t.b.managedDict;
  if (!m || m.cachedKeys === undefined) return [];
  const keys = t.ptr(type + m.cachedKeys);
  if (!keys) return [];
  let values: number;
  if (m.inlineValuesFlag !== undefined && t.typeFlags(type) & m.inlineValuesFlag) {
    values = obj + t.ssize(type + t.b.type.basicsize);
  } else if (m.valuesOffset !== undefined) {
    values = t.ptr(obj + m.valuesOffset);
    // 3.12 stores the values pointer minus one, so that bit 0 tags it (pycore_object.h).
    if (m.tagged) {
      if (!(values & 1)) return [];
      values += 1;
    }
  } else return [];
  if (!values) return [];
  return keysEntries(t, keys, values, MAX_ATTRS);
}
