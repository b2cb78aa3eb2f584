// Host folders made visible inside a Pyodide running in a Node worker_thread, at their own
// paths, so file names in stacks and breakpoints are the ones the user's editor knows.

interface NodeFs {
  mkdirTree(path: string): void;
  mount(type: unknown, options: { root: string }, mountpoint: string): void;
  chdir(path: string): void;
  filesystems: { NODEFS: unknown };
}

export function mountHostFolders(pyodideFs: unknown, mounts: string[], cwd: string): void {
  const fs = pyodideFs as NodeFs;
  for (const dir of mounts) {
    fs.mkdirTree(dir);
    fs.mount(fs.filesystems.NODEFS, { root: dir }, dir);
  }
  fs.chdir(cwd);
}
