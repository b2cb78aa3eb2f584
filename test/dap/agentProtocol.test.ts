// The agent answers exactly the commands of the protocol's map (src/agent/protocol.ts): no command
// the adapter may send goes unanswered, and the agent has none the map does not type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { AGENT_COMMANDS } from '../../src/agent/protocol.js';
import { pythonsFrom, requirePython } from '../support/pythons.js';
import { AGENT_DIR } from './helpers.js';

const newest = pythonsFrom(3, 8).filter((p) => !p.missing).at(-1);

// The agent's own table: pyscope_agent.dispatch.COMMANDS, the one place it maps names to handlers.
const LIST_COMMANDS = `
import json, sys
sys.path.insert(0, sys.argv[1])
from pyscope_agent.dispatch import COMMANDS
names = list(COMMANDS)
print(json.dumps(sorted(names)))
`;

test('the agent implements exactly the commands of the protocol map', requirePython(newest !== undefined, 'no interpreter of 3.8 or newer'), () => {
  const out = execFileSync(newest!.path, ['-c', LIST_COMMANDS, AGENT_DIR], { encoding: 'utf8', timeout: 30_000 });
  assert.deepEqual(JSON.parse(out) as string[], [...AGENT_COMMANDS].sort());
});
