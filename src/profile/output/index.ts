// The output formats of `pyscope record`: name, default file name, and writer.
import type { Profile } from '../model.js';
import { collapsed } from './collapsed.js';
import { flamegraph } from './flamegraph.js';
import { gecko } from './gecko.js';
import { pprof } from './pprof.js';
import { speedscope } from './speedscope.js';

export interface OutputFormat {
  /** Default file name extension. */
  extension: string;
  /** Whether the format keeps samples in time order (the model then records a timeline). */
  timeline: boolean;
  write(p: Profile, title: string): string | Uint8Array;
}

export const FORMATS = {
  flamegraph: { extension: 'html', timeline: false, write: (p, title) => flamegraph(p, title) },
  speedscope: { extension: 'speedscope.json', timeline: true, write: (p) => speedscope(p, 'pyscope') },
  collapsed: { extension: 'txt', timeline: false, write: (p) => collapsed(p) },
  pprof: { extension: 'pb.gz', timeline: false, write: (p) => pprof(p) },
  gecko: { extension: 'gecko.json', timeline: true, write: (p) => gecko(p) },
} satisfies Record<string, OutputFormat>;

export type FormatName = keyof typeof FORMATS;

export function isFormat(s: string): s is FormatName {
  return Object.hasOwn(FORMATS, s);
}
