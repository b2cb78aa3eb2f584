/*
 * CPython v3.14.10 (Include/cpython/dictobject.h): the objects of objects-3_13.ts with one member
 * renamed, PyDictObject's ma_version_tag, which 3.14 spells _ma_watcher_tag (same place and size:
 * only the dict watchers' bits are left in it). `doctor --verify-layout` holds the names against
 * DWARF, so 3.14's declarations spell it as 3.14's headers do (checked against the DWARF of
 * Debian's python3.14 and python3.14d).
 */
import { OBJECTS_3_13 } from './objects-3_13.js';

export const OBJECTS_3_14 = OBJECTS_3_13.replace('uint64_t ma_version_tag;', 'uint64_t _ma_watcher_tag;');
