// agent.py ships next to the built JavaScript (scripts/copy-assets.mjs puts it in dist/src/agent).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function agentFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, '..', 'agent', 'agent.py');
  if (existsSync(built)) return built;
  // running from sources (dist missing the asset): the repository copy
  return join(here, '..', '..', '..', 'src', 'agent', 'agent.py');
}
