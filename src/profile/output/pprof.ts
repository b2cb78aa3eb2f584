// pprof's profile.proto, gzipped: what `go tool pprof`, Grafana and Pyroscope read. Functions
// carry (name, file, start line); each location is one (function, line) so pprof's line views
// work; sample location ids are leaf first, as the format wants.
import { gzipSync } from 'node:zlib';
import type { Profile } from '../model.js';
import { stringTable } from './string-table.js';
import { ProtoWriter } from './protobuf.js';

// Field numbers of profile.proto (github.com/google/pprof/proto/profile.proto).
const P = { sampleType: 1, sample: 2, location: 4, function: 5, stringTable: 6, timeNanos: 9, durationNanos: 10, periodType: 11, period: 12, comment: 13, defaultSampleType: 14 } as const;
const VT = { type: 1, unit: 2 } as const;
const S = { locationId: 1, value: 2 } as const;
const L = { id: 1, line: 4 } as const;
const LN = { functionId: 1, line: 2 } as const;
// No system_name: pprof takes a function whose system_name equals its name for a C++ name not yet
// demangled and strips what is in angle brackets, so `<module>` and `<listcomp>` became `<unknown>`.
const F = { id: 1, name: 2, filename: 4, startLine: 5 } as const;

export function pprof(p: Profile): Uint8Array {
  // pprof requires the empty string at index 0
  const table = stringTable(['']);
  const { strings } = table;
  const str = (s: string): number => table.id(s);
  const periodNs = p.meta.rate > 0 ? Math.round(1e9 / p.meta.rate) : 0;
  const w = new ProtoWriter();
  const valueType = (type: string, unit: string) => (m: ProtoWriter) => m.uint(VT.type, str(type)).uint(VT.unit, str(unit));
  w.message(P.sampleType, valueType('samples', 'count'));
  w.message(P.sampleType, valueType('wall', 'nanoseconds'));
  for (const [stack, count] of p.counts) {
    // Ids are 1-based in profile.proto: 0 means "none".
    const locs = p.framesOf(stack).reverse().map((f) => f + 1);
    w.message(P.sample, (m) => m.packed(S.locationId, locs).packed(S.value, [count, count * periodNs]));
  }
  p.frames.forEach((fr, i) => {
    w.message(P.location, (m) => m.uint(L.id, i + 1).message(L.line, (l) => l.uint(LN.functionId, fr.func + 1).uint(LN.line, fr.line)));
  });
  p.functions.forEach((f, i) => {
    w.message(P.function, (m) => m.uint(F.id, i + 1).uint(F.name, str(f.name)).uint(F.filename, str(f.file)).uint(F.startLine, f.firstLine));
  });
  const comment = str(`pyscope record of pid ${p.meta.pid}: ${p.meta.command}`);
  const tail = new ProtoWriter();
  tail.uint(P.timeNanos, Math.round(p.meta.startedAt * 1e6));
  tail.uint(P.durationNanos, Math.round(p.meta.duration * 1e6));
  tail.message(P.periodType, valueType('wall', 'nanoseconds'));
  tail.uint(P.period, periodNs);
  tail.packed(P.comment, [comment]);
  tail.uint(P.defaultSampleType, str('wall'));
  // The string table must be complete, so it is written after every use of it.
  for (const s of strings) w.string(P.stringTable, s);
  const head = w.finish();
  const rest = tail.finish();
  const all = new Uint8Array(head.length + rest.length);
  all.set(head);
  all.set(rest, head.length);
  return gzipSync(all);
}
