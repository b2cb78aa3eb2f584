// The table of subcommands. Each is loaded lazily so that `pyscope dump` never pays for the
// debugger's modules and the reverse.

export type Command = (args: string[]) => Promise<number>;

interface Entry {
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: Record<string, Entry> = {
  dump: {
    summary: 'print the Python stack of every thread of a process (--pid PID or PID)',
    load: async () => (await import('../commands/dump.js')).dumpCommand,
  },
  dap: {
    summary: 'debug a Python program from an editor: a Debug Adapter Protocol server (stdio, or --port N)',
    load: async () => (await import('../commands/dap.js')).dapCommand,
  },
  debug: {
    summary: "debug a Python program in the terminal with pdb's commands (--tui for a full-screen view)",
    load: async () => (await import('../commands/debug.js')).debugCommand,
  },
  record: {
    summary: 'sample a process (--pid PID, or -- python app.py) and write a profile: flamegraph, speedscope, collapsed, pprof, gecko',
    load: async () => (await import('../commands/record.js')).recordCommand,
  },
  top: {
    summary: 'live view of the functions taking the most time in a process (--pid PID)',
    load: async () => (await import('../commands/top.js')).topCommand,
  },
  ps: {
    summary: 'list the Python processes on this machine: pid, version, whether pyscope can attach, command line',
    load: async () => (await import('../commands/ps.js')).psCommand,
  },
  playground: {
    summary: 'a local page to write and step through Python in the browser (Pyodide): pyscope playground [--port N]',
    load: async () => (await import('../commands/playground.js')).playgroundCommand,
  },
  kernel: {
    summary: 'install the Jupyter kernel "Python 3 (pyscope)": pyscope as the debugger of JupyterLab (kernel install [--user|--sys-prefix] [--python PY])',
    load: async () => (await import('../commands/kernel.js')).kernelCommand,
  },
  doctor: {
    summary: 'explain how pyscope finds the interpreter of a process, and what it found (--verify-layout: check its struct layouts against the target)',
    load: async () => (await import('../commands/doctor.js')).doctorCommand,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, e]) => `  ${n.padEnd(width)}  ${e.summary}`);
  return `usage: pyscope <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "pyscope <command> --help" for a command's options.\n`;
}
