// A table from addresses (integers below 2^53) to small integers, for the sampler's hot paths (the
// page cache, the frame walk's cycle check). A Map keyed by addresses allocates on that path: a
// key above 2^31 is a heap number, and a cleared Map takes a new backing store. This one is
// emptied by a generation stamp, in constant time, and once grown to its working size it
// allocates nothing.

/** What get() answers for an address not in the table. */
export const ABSENT = -1;

export class AddressTable {
  private keys: Float64Array;
  private values: Int32Array;
  /** An entry belongs to the table while its stamp is the current generation. */
  private stamps: Uint32Array;
  private generation = 1;
  private mask: number;
  size = 0;

  constructor(capacity = 64) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.keys = new Float64Array(n);
    this.values = new Int32Array(n);
    this.stamps = new Uint32Array(n);
    this.mask = n - 1;
  }

  clear(): void {
    this.size = 0;
    this.generation++;
    if (this.generation === 0xffff_ffff) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  /** The value stored for `key`, or ABSENT. */
  get(key: number): number {
    const mask = this.mask;
    for (let i = slotOf(key) & mask; ; i = (i + 1) & mask) {
      if (this.stamps[i] !== this.generation) return ABSENT;
      if (this.keys[i] === key) return this.values[i]!;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== ABSENT;
  }

  /** Stores `value` (any int32 but ABSENT) for `key`. */
  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const mask = this.mask;
    for (let i = slotOf(key) & mask; ; i = (i + 1) & mask) {
      if (this.stamps[i] !== this.generation) {
        this.stamps[i] = this.generation;
        this.keys[i] = key;
        this.values[i] = value;
        this.size++;
        return;
      }
      if (this.keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
  }

  private grow(): void {
    const { keys, values, stamps, generation } = this;
    const n = keys.length * 2;
    this.keys = new Float64Array(n);
    this.values = new Int32Array(n);
    this.stamps = new Uint32Array(n);
    this.mask = n - 1;
    this.generation = 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (stamps[i] === generation) this.set(keys[i]!, values[i]!);
  }
}

/** Mixes both halves of an address: pages and frames share their low bits (alignment). */
function slotOf(key: number): number {
  const lo = key | 0;
  const hi = (key / 0x1_0000_0000) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85eb_ca6b), 0x9e37_79b1);
  h ^= h >>> 15;
  return h;
}
