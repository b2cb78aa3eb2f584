// Client paths <-> debuggee paths. Native launches share one filesystem, so the mapping is
// normalisation (absolute, symlinks resolved); Pyodide's virtual filesystem will map prefixes here.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

export interface PathMapper {
  toDebuggee(clientPath: string): string;
  toClient(debuggeePath: string): string;
}

export class LocalPathMapper implements PathMapper {
  constructor(private readonly cwd: string) {}

  toDebuggee(clientPath: string): string {
    const abs = resolve(this.cwd, clientPath);
    try {
      return realpathSync(abs);
    } catch {
      return abs;
    }
  }

  toClient(debuggeePath: string): string {
    return debuggeePath;
  }
}
