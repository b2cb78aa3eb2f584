// Every interrupt the adapter side raises reaches a busy Pyodide program. CPython's check reads
// the interrupt buffer, then writes 0: a value stored between the two was lost (7 in 200,000 on a
// loaded machine), and with it a debugger command the running program never read (a pause that
// never stops it). setExchangingInterruptBuffer makes that read and clear one Atomics.exchange.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { lastResort, scaled } from '../support/timeouts.js';

const INTERRUPTS = 200_000;
const SIGINT = 2;

test('200,000 interrupts in a row to a spinning program: the handler runs for each one', { timeout: lastResort() }, async () => {
  const interrupt = new SharedArrayBuffer(1);
  const handled = new SharedArrayBuffer(4);
  const worker = new Worker(new URL('../support/interruptWorker.js', import.meta.url), { workerData: { interrupt, handled } });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before its program ran`)));
    });
    const flag = new Uint8Array(interrupt);
    const count = new Int32Array(handled);
    let lost = 0;
    let seed = 1;
    for (let i = 0; i < INTERRUPTS; i++) {
      const before = Atomics.load(count, 0);
      // a varying pause, so that the store lands anywhere in the program's checking cycle
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      for (let k = seed % 2000; k > 0; k--);
      Atomics.store(flag, 0, SIGINT);
      // bounded: 2 s slices, up to 30 s while the buffer still holds the interrupt (a slow machine)
      for (let waited = 0; Atomics.wait(count, 0, before, 2000) === 'timed-out'; waited += 2000) {
        if (Atomics.load(flag, 0) === 0) {
          lost++;
          break;
        }
        assert.ok(waited < scaled(30_000), `interrupt ${i} was not taken in 30 s: the program stopped checking`);
      }
    }
    assert.equal(lost, 0, `${lost} of ${INTERRUPTS} interrupts were cleared without the handler running`);
  } finally {
    await worker.terminate();
  }
});
