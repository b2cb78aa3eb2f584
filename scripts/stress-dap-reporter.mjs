// node:test reporter for scripts/stress-dap.mjs: one JSON line per finished test or suite, so
// the driver reads results without parsing a human-oriented format.
export default async function* jsonLines(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, nesting, file, details } = event.data;
    const line = { status: event.type === 'test:pass' ? 'pass' : 'fail', name, nesting, file, suite: details?.type === 'suite', ms: details?.duration_ms };
    const error = details?.error;
    if (event.type === 'test:fail' && error) {
      line.failureType = error.failureType;
      // node:test wraps what the test threw; the cause says what went wrong
      const cause = error.cause ?? error;
      line.message = String(cause?.message ?? cause).split('\n').slice(0, 12).join('\n');
    }
    yield `${JSON.stringify(line)}\n`;
  }
}
