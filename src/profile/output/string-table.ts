// A string table as pprof and the Firefox Profiler both want one: each distinct string once, in
// first-use order, referred to by its index.

export interface StringTable {
  readonly strings: string[];
  /** The index of s, added at the end the first time it is seen. */
  id(s: string): number;
}

export function stringTable(initial: string[] = []): StringTable {
  const strings = [...initial];
  const ids = new Map(strings.map((s, i) => [s, i]));
  return {
    strings,
    id(s: string): number {
      let id = ids.get(s);
      if (id === undefined) {
        id = strings.length;
        strings.push(s);
        ids.set(s, id);
      }
      return id;
    },
  };
}
