// The agent answers exactly the commands of the protocol's map (src/agent/protocol.ts): no command
// the adapter may send goes unanswered, and the agent has none the map does not type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AGENT_COMMANDS } from '../../src/agent/protocol.js';
import { pythonsFrom, REPO_ROOT } from '../support/pythons.js';

const newest = pythonsFrom(3, 8).filter((p) => !p.missing).at(-1);
const AGENT_DIR = join(REPO_ROOT, 'src', 'agent');

// The agent's own table: pyscope_agent.dispatch.COMMANDS. Until the agent package lands, the
// single-file agent's cmd_ methods stand for it (remove that branch with agent.py).
const LIST_COMMANDS = `
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
try:
    from pyscope_agent.dispatch import COMMANDS
    names = list(COMMANDS)
except ImportError:
    spec = importlib.util.spec_from_file_location('pyscope_agent_file', sys.argv[1] + '/agent.py')
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    names = [n[4:] for n in dir(mod.Agent) if n.startswith('cmd_')]
print(json.dumps(sorted(names)))
`;

test('the agent implements exactly the commands of the protocol map', { skip: newest ? false : 'no interpreter of 3.8 or newer' }, () => {
  const out = execFileSync(newest!.path, ['-c', LIST_COMMANDS, AGENT_DIR], { encoding: 'utf8', timeout: 30_000 });
  assert.deepEqual(JSON.parse(out) as string[], [...AGENT_COMMANDS].sort());
});
