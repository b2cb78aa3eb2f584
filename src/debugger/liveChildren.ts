// Every program this process launched and has not seen end, so that none outlives it: ended when
// the process exits (the stdio client went away, a signal the command handles), whatever path
// the exit takes. Node only.

const live = new Set<() => void>();
let hooked = false;

/** Registers how to end a program at once; call the returned function when it has ended. */
export function untilEnded(kill: () => void): () => void {
  if (!hooked) {
    hooked = true;
    // 'exit' handlers run synchronously: kill() must not wait for anything
    process.once('exit', endAll);
  }
  live.add(kill);
  return () => live.delete(kill);
}

/** Ends every program still running. */
export function endAll(): void {
  for (const kill of [...live]) {
    live.delete(kill);
    try {
      kill();
    } catch {
      // already gone
    }
  }
}
