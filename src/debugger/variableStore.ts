// DAP variablesReference and frame/source ids handed to the client, mapped to agent handles.
// Everything is forgotten when the program resumes, as DAP requires.

export interface VariableRef {
  agentHandle: number;
  frameId?: number;
}

export class VariableStore {
  private next = 1;
  private readonly refs = new Map<number, VariableRef>();

  add(ref: VariableRef): number {
    if (ref.agentHandle === 0) return 0;
    const id = this.next++;
    this.refs.set(id, ref);
    return id;
  }

  get(id: number): VariableRef | undefined {
    return this.refs.get(id);
  }

  clear(): void {
    this.refs.clear();
  }
}

/** `source` requests for code without a file (exec strings), by sourceReference. */
export class SourceStore {
  private next = 1;
  private readonly byKey = new Map<string, number>();
  private readonly keys = new Map<number, string>();

  refFor(key: string): number {
    let ref = this.byKey.get(key);
    if (ref === undefined) {
      ref = this.next++;
      this.byKey.set(key, ref);
      this.keys.set(ref, key);
    }
    return ref;
  }

  keyOf(ref: number): string | undefined {
    return this.keys.get(ref);
  }
}
