// Checks that a value parsed from JSON has the shape a TypeScript type describes, for input that
// crosses a trust boundary (a DAP client's request arguments). Each check returns the value typed,
// or throws a ShapeError naming the path of the first wrong field: `source.path must be a string`.
// Unknown extra properties are allowed and dropped (clients send vendor extensions); an optional
// field that is null counts as absent. Browser-safe.

export class ShapeError extends Error {
  constructor(
    /** Where, e.g. `breakpoints[2].line`. */
    readonly path: string,
    /** What it should have been, e.g. `an integer`. */
    readonly expected: string,
  ) {
    super(`${path} must be ${expected}`);
    this.name = 'ShapeError';
  }
}

export type Check<T> = (value: unknown, path: string) => T;

/** A check whose field may be absent (undefined or null). */
export interface Optional<T> {
  (value: unknown, path: string): T | undefined;
  readonly optional: true;
}

export type Checked<C> = C extends Check<infer T> ? T : never;

type Shape = Record<string, Check<unknown> | Optional<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? K : never }[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] };
export type ObjectOf<S extends Shape> = Flatten<
  { [K in RequiredKeys<S>]: S[K] extends Check<infer T> ? T : never } & { [K in OptionalKeys<S>]?: S[K] extends Optional<infer T> ? T : never }
>;

/** Longest string any check accepts unless told otherwise: requests carry names and expressions, not files. */
export const MAX_STRING = 1 << 20;
/** Longest array any check accepts unless told otherwise. */
export const MAX_ITEMS = 100_000;

export function string(maxLength = MAX_STRING): Check<string> {
  return (v, path) => {
    if (typeof v !== 'string') throw new ShapeError(path, 'a string');
    if (v.length > maxLength) throw new ShapeError(path, `a string of at most ${maxLength} characters`);
    return v;
  };
}

/** A safe integer (JSON numbers beyond 2^53 are not exact), optionally at least `min`. */
export function integer(min?: number): Check<number> {
  const expected = min === undefined ? 'an integer' : `an integer of at least ${min}`;
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || (min !== undefined && v < min)) throw new ShapeError(path, expected);
    return v;
  };
}

/** A finite number, optionally above `above`. */
export function number(above?: number): Check<number> {
  const expected = above === undefined ? 'a number' : `a number above ${above}`;
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (above !== undefined && !(v > above))) throw new ShapeError(path, expected);
    return v;
  };
}

export const boolean: Check<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw new ShapeError(path, 'true or false');
  return v;
};

export function literal<T extends string>(...values: T[]): Check<T> {
  const expected = values.map((x) => JSON.stringify(x)).join(', ');
  return (v, path) => {
    if (typeof v !== 'string' || !(values as string[]).includes(v)) throw new ShapeError(path, values.length === 1 ? expected : `one of ${expected}`);
    return v as T;
  };
}

export function optional<T>(check: Check<T>): Optional<T> {
  const f = (v: unknown, path: string): T | undefined => (v === undefined || v === null ? undefined : check(v, path));
  return Object.assign(f, { optional: true as const });
}

export function array<T>(item: Check<T>, maxItems = MAX_ITEMS): Check<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) throw new ShapeError(path, 'an array');
    if (v.length > maxItems) throw new ShapeError(path, `an array of at most ${maxItems} items`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object with these fields; the result holds only them (absent optional ones are left out). */
export function object<S extends Shape>(shape: S): Check<ObjectOf<S>> {
  return (v, path) => {
    if (!isPlainObject(v)) throw new ShapeError(path, 'an object');
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const value = check(Object.hasOwn(v, key) ? v[key] : undefined, path ? `${path}.${key}` : key);
      if (value !== undefined) out[key] = value;
    }
    return out as ObjectOf<S>;
  };
}

/** An object used as a map from any key to values of one shape. */
export function record<T>(value: Check<T>, maxKeys = MAX_ITEMS): Check<Record<string, T>> {
  return (v, path) => {
    if (!isPlainObject(v)) throw new ShapeError(path, 'an object');
    const keys = Object.keys(v);
    if (keys.length > maxKeys) throw new ShapeError(path, `an object of at most ${maxKeys} keys`);
    const out: Record<string, T> = {};
    // defined, not assigned: a key named __proto__ must stay a key
    for (const k of keys) Object.defineProperty(out, k, { value: value(v[k], `${path}.${k}`), enumerable: true, writable: true, configurable: true });
    return out;
  };
}

/** The first of several checks that accepts the value; `expected` says what they allow together. */
export function either<A, B>(a: Check<A>, b: Check<B>, expected: string): Check<A | B> {
  return (v, path) => {
    try {
      return a(v, path);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
    }
    try {
      return b(v, path);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new ShapeError(path, expected);
    }
  };
}

/** The value, or null where null means something of its own (an env entry to remove). */
export function nullOr<T>(check: Check<T>, expected: string): Check<T | null> {
  return (v, path) => {
    if (v === null) return null;
    try {
      return check(v, path);
    } catch (e) {
      if (e instanceof ShapeError) throw new ShapeError(path, expected);
      throw e;
    }
  };
}
