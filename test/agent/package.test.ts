// The agent's package as shipped: the list a Pyodide worker writes (src/agent/agentFiles.ts) is
// exactly the package's folder, and the built copy has every file of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_PACKAGE_FILES } from '../../src/agent/agentFiles.js';
import { REPO_ROOT } from '../support/pythons.js';

test('AGENT_PACKAGE_FILES lists the pyscope_agent package, and the build copies it', () => {
  const folder = readdirSync(join(REPO_ROOT, 'src', 'agent', 'pyscope_agent')).filter((n) => n.endsWith('.py')).map((n) => `pyscope_agent/${n}`);
  assert.deepEqual([...AGENT_PACKAGE_FILES].sort(), folder.sort());
  for (const f of AGENT_PACKAGE_FILES) assert.ok(existsSync(join(REPO_ROOT, 'dist', 'src', 'agent', f)), `dist/src/agent/${f}`);
});
