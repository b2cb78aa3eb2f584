// The few pieces of the protobuf wire format that profile.proto needs: varints, length-delimited
// fields and packed repeated varints. Writing only, into a growable buffer.

export class ProtoWriter {
  private buf = new Uint8Array(4096);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  /** Unsigned varint of a non-negative integer up to 2^53 (JavaScript numbers stay exact there). */
  varint(v: number): this {
    this.ensure(10);
    if (v < 0) throw new RangeError('negative varint');
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
    return this;
  }

  private tag(field: number, wire: 0 | 2): this {
    return this.varint(field * 8 + wire);
  }

  /** A varint field; zero is the default and is left out, as proto3 does. */
  uint(field: number, v: number): this {
    if (v !== 0) this.tag(field, 0).varint(v);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  packed(field: number, values: number[]): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
