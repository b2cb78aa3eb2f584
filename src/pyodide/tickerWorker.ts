// A Web Worker (or worker_thread) that only ticks: started with { interrupt, control, rate },
// it sets the interrupt buffer at the rate until stopTicker(control). Browser-safe.
import type { MessagePortLike } from './debuggee.js';
import { runTicker } from './ticker.js';

export interface TickerStartMessage {
  kind: 'tick';
  interrupt: SharedArrayBuffer;
  control: SharedArrayBuffer;
  rate: number;
}

const scope = globalThis as unknown as MessagePortLike;
scope.addEventListener('message', (event) => {
  const m = event.data as TickerStartMessage;
  if (m?.kind !== 'tick') return;
  runTicker(m.interrupt, m.control, m.rate);
  scope.postMessage({ kind: 'ticked' });
});
