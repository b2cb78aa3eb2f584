// Node worker_thread that runs a program under the agent in Pyodide (started by
// src/debugger/pyodideLauncher.ts). The program's folder and the working directory are mounted
// at their own paths, so breakpoints and stack frames use the paths the editor knows.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPyodide } from 'pyodide';
import { AGENT_PACKAGE_FILES } from '../agent/agentFiles.js';
import { mountHostFolders } from './hostMounts.js';
import { runDebuggee, type DebuggeeMessage, type PyodideLike, type StartMessage } from './debuggee.js';

export interface NodeWorkerData {
  start: StartMessage;
  /** Host folders made visible inside Pyodide at the same paths. */
  mounts: string[];
  cwd: string;
  env: Record<string, string>;
  /** src/agent/agent.py as built: the agent's package is next to it. */
  agentFile: string;
  bootstrapFile: string;
}


const post = (m: DebuggeeMessage): void => parentPort!.postMessage(m);

async function main(data: NodeWorkerData): Promise<void> {
  // the host's PYTHON* settings describe a different interpreter
  const env = Object.fromEntries(Object.entries(data.env).filter(([k]) => !k.startsWith('PYTHON')));
  const py = await loadPyodide({ env: { ...env, HOME: '/home/pyodide' } });
  mountHostFolders(py.FS, data.mounts, data.cwd);
  const agentSources = Object.fromEntries(AGENT_PACKAGE_FILES.map((f) => [f, readFileSync(join(dirname(data.agentFile), f), 'utf8')]));
  const options = { ...data.start.options, agentSources, bootstrapSource: readFileSync(data.bootstrapFile, 'utf8') };
  const code = runDebuggee(py as unknown as PyodideLike, data.start.buffers, options, post);
  post({ kind: 'exit', code });
}

main(workerData as NodeWorkerData).catch((e: unknown) => {
  post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
});
