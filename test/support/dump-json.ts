// The shape of `pyscope dump --json` as the CLI contract states it, written down independently of
// src/ so that the tests check the contract rather than the implementation's own types.

export interface DumpLocal {
  name: string;
  kind: 'argument' | 'local' | 'cell' | 'free';
  value: string;
}

export interface DumpFrame {
  function: string;
  qualname: string | null;
  file: string;
  line: number;
  first_line: number;
  locals?: DumpLocal[];
}

export interface DumpThread {
  native_thread_id: number | null;
  thread_id: number;
  name: string | null;
  status: 'active' | 'idle' | 'unknown';
  gil: boolean | null;
  gil_state: 'waiting' | 'dropping' | null;
  gil_locked: boolean | null;
  gil_last_holder: boolean | null;
  gc: boolean | null;
  gc_collecting: boolean | null;
  interpreter_id: number;
  frames: DumpFrame[];
}

export interface DumpJson {
  pid: number;
  command: string;
  python: { version: string; binary: string };
  threads: DumpThread[];
}

/** `py-spy dump --json` (0.4.x), only the fields the agreement test reads. */
export interface PySpyThread {
  thread_id: number;
  os_thread_id: number | null;
  thread_name: string | null;
  frames: { name: string; filename: string; line: number; locals: { name: string; arg: boolean; repr?: string }[] | null }[];
}
