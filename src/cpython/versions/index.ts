// Per-version C declarations, keyed by "major.minor". A lookup table only: deciding which version a
// target runs is done elsewhere. 3.13+ read most offsets from _Py_DebugOffsets (debug-offsets.ts);
// the '3.13' to '3.15' entries hold only what that table lacks (3.15 shares 3.14's, see v3_14.ts).
import { V2_7 } from './v2_7.js';
import { V3_6 } from './v3_6.js';
import { V3_7 } from './v3_7.js';
import { V3_8 } from './v3_8.js';
import { V3_9 } from './v3_9.js';
import { V3_10 } from './v3_10.js';
import { V3_11 } from './v3_11.js';
import { V3_12 } from './v3_12.js';
import { V3_13 } from './v3_13.js';
import { V3_14 } from './v3_14.js';

export const DECLARATIONS: Readonly<Record<string, string>> = {
  '2.7': V2_7,
  '3.6': V3_6,
  '3.7': V3_7,
  '3.8': V3_8,
  '3.9': V3_9,
  '3.10': V3_10,
  '3.11': V3_11,
  '3.12': V3_12,
  '3.13': V3_13,
  '3.14': V3_14,
  '3.15': V3_14,
};
