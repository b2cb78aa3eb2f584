// `pyscope dump --core` on a few hundred seeded mutants of a real kernel core (test/core/core-mutants.ts):
// headers, notes, NT_FILE tables and paths (a FIFO, devices, a folder), pointers in memory, and
// truncations. Every run ends in bounded time with exit 0 or a documented code and one line,
// never a hang, a stack trace or an internal error. scripts/core-mutations.mjs does the big run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythons, requirePython, type Python } from '../support/pythons.js';
import { firstSkip } from '../support/requirements.js';
import { PYSCOPE_MAIN } from '../support/pyscope.js';
import { kernelCore, needsKernelCores, type MadeCore } from './cores.js';
import { describeCore, makeMutants, MutantSlot, runMutant, type Mutant, type Outcome } from './core-mutants.js';

const SEED = 20_251_130;
const MUTANTS = 240;
/** Far above any real run on a loaded machine; a run that reaches it is a hang. */
const TIME_LIMIT_MS = 60_000;
const CONCURRENCY = 2;
const VARIANTS: readonly (readonly string[])[] = [[], ['--json'], ['--locals']];

// A 64-bit interpreter's core (ELF64), and the 32-bit one's (ELF32, fewer mutants: the same
// kinds, through the other class's fields and note layouts).
const python = pythons().find((p) => !p.missing && p.version[0] === 3 && p.version[1] === 12) ?? pythons().find((p) => !p.missing && p.pointerBits === 64);
const python32 = pythons().find((p) => !p.missing && p.pointerBits === 32);

function mutationSuite(py: Python | undefined, mutants: number, what: string): void {
  describe(`pyscope dump --core on mutated cores (${py?.pointerBits ?? '?'}-bit ${py?.label ?? 'interpreter'})`, firstSkip(requirePython(py !== undefined, what), needsKernelCores()), () => {
    let core: MadeCore;
    let dir: string;
    before(async () => {
      core = await kernelCore(py!, 'segv');
      // Short paths: a mutant writes them over a mapped file's path in NT_FILE.
      dir = mkdtempSync(join(tmpdir(), 'pm-'));
    });
    after(() => {
      core?.remove();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test(`${mutants} mutants (seed ${SEED}): each run ends in time, with exit 0 or a documented code and one line`, async (t) => {
      const fifo = join(dir, 'p');
      execFileSync('mkfifo', [fifo]);
      const folder = join(dir, 'd');
      mkdirSync(folder);
      const layout = describeCore(core.path);
      assert.equal(layout.word, py!.pointerBits / 8, 'the core has the class of its interpreter');
      const list = makeMutants(layout, SEED, mutants, { fifo, folder });
      const unmutated = await runMutant(PYSCOPE_MAIN, core.path, [], TIME_LIMIT_MS);
      assert.equal(unmutated.verdict, 'ok', `the core itself dumps: exit ${unmutated.code}`);

      const failures: string[] = [];
      const counts = new Map<string, number>();
      const queue = [...list];
      const worker = async (slot: MutantSlot): Promise<void> => {
        for (let m = queue.shift(); m; m = queue.shift()) {
          const args = VARIANTS[m.id % VARIANTS.length]!;
          const { file, undo } = slot.apply(m);
          let outcome: Outcome;
          try {
            outcome = await runMutant(PYSCOPE_MAIN, file, args, TIME_LIMIT_MS);
          } finally {
            undo();
          }
          const key = `${outcome.verdict} ${outcome.code}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          if (outcome.verdict === 'hang' || outcome.verdict === 'internal') failures.push(explain(m, args, outcome));
        }
      };
      const slots = Array.from({ length: CONCURRENCY }, (_, i) => new MutantSlot(core.path, dir, `slot${i}`, layout.size));
      await Promise.all(slots.map(worker));
      t.diagnostic(`outcomes: ${JSON.stringify([...counts].sort())}`);
      assert.deepEqual(failures, []);
    });
  });
}

mutationSuite(python, MUTANTS, 'a 64-bit interpreter of the matrix');
mutationSuite(python32, MUTANTS / 2, 'the 32-bit interpreter of the matrix');

function explain(m: Mutant, args: readonly string[], o: Outcome): string {
  return `mutant ${m.id} (${m.what}) with [${args.join(' ')}]: ${o.verdict}, exit ${o.code} after ${Math.round(o.ms)} ms: ${o.why ?? ''}`;
}
