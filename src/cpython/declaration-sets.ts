// The C declaration sets the reading side lays out, each named once with its label, for every ABI
// pyscope reads: what scripts/layout-tables.mjs lays out at build time (everyDeclarationSet) is
// then exactly what the readers ask for (laidOut). Which text a version uses is still decided by
// its record in version-traits.ts; this only spells the sets out.
import { declarePrebuilt, I386, LP64, type Abi, type Declarations } from '../layout/index.js';
import { USER_REGS } from '../native/registers.js';
import type { DebugOffsetsLayout } from './debug-offsets.js';
import { TRAITS, type VersionTraits } from './version-traits.js';
import { ASYNCIO_DEBUG_OFFSETS } from './versions/asyncio.js';

export interface DeclarationSet {
  source: string;
  abi: Abi;
  /** declare()'s label, which starts every error message about the set. */
  label: string;
}

/** The ABIs targets are read with (src/cpython/discover/target-abi.ts). */
const TARGET_ABIS: readonly Abi[] = [LP64, I386];

/** A version's structs, then its extras. */
export function versionSet(traits: VersionTraits, abi: Abi): DeclarationSet {
  return { source: traits.structs + traits.extras.join(''), abi, label: `CPython ${traits.key} (${abi.name})` };
}

/** A version's structs, then its asyncio declarations (versions/asyncio.ts). */
export function asyncioSet(traits: VersionTraits, abi: Abi): DeclarationSet | undefined {
  const a = traits.asyncio;
  return a && { source: traits.structs + a.declarations, abi, label: `CPython ${traits.key} asyncio (${abi.name})` };
}

/** The header of the _Py_DebugOffsets table a 3.13+ target publishes. */
export function debugOffsetsSet(header: DebugOffsetsLayout, abi: Abi): DeclarationSet {
  return { source: header.declarations, abi, label: `_Py_DebugOffsets ${header.layout}` };
}

/** The _asyncio module's own debug section (3.14+). */
export function asyncioSectionSet(abi: Abi): DeclarationSet {
  return { source: ASYNCIO_DEBUG_OFFSETS, abi, label: 'Py_AsyncioModuleDebugOffsets' };
}

/** The kernel's x86-64 register block, which --native decodes. */
export function userRegsSet(): DeclarationSet {
  return { ...USER_REGS };
}

const laid = new Map<string, { source: string; declarations: Declarations }>();

/** A set laid out, once per process: from its build-time table, or by the engine when there is none. */
export function laidOut(set: DeclarationSet): Declarations {
  const key = `${set.abi.name} ${set.label}`;
  const known = laid.get(key);
  if (known?.source === set.source) return known.declarations;
  const declarations = declarePrebuilt(set.source, set.abi, set.label);
  laid.set(key, { source: set.source, declarations });
  return declarations;
}

/** The sets a target of this version is read with, on its ABI (what bench/startup times as one step). */
export function setsOf(traits: VersionTraits, abi: Abi): DeclarationSet[] {
  const sets = [versionSet(traits, abi)];
  const a = asyncioSet(traits, abi);
  if (a) sets.push(a);
  if (traits.debugOffsets) sets.push(debugOffsetsSet(traits.debugOffsets, abi));
  if (traits.asyncio?.tasks === 'debug-section') sets.push(asyncioSectionSet(abi));
  return sets;
}

/** Every set any reader asks for, on every ABI it may be asked on (duplicates removed). */
export function everyDeclarationSet(): DeclarationSet[] {
  const sets: DeclarationSet[] = [userRegsSet()];
  for (const abi of TARGET_ABIS) {
    for (const traits of Object.values(TRAITS)) sets.push(...setsOf(traits, abi));
  }
  const seen = new Set<string>();
  return sets.filter((s) => {
    const key = `${s.abi.name}\n${s.label}\n${s.source}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
