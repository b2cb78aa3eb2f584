// pyscope as a library (Node): the same pieces the CLI uses, for tools that embed them.
// The browser-safe Pyodide entry is "pyscope/pyodide".
export { ExitCode, PyscopeError, MemoryReadError } from './common/errors.js';
export type { MemorySource, ReadRequest } from './memory/source.js';
export { openLiveProcess, openPython, type LiveProcess, type OpenedPython } from './cpython/process.js';
export { snapshot, type ThreadSnapshot, type SnapshotOptions } from './cpython/snapshot.js';
export { formatVersion, type PythonVersion } from './cpython/discover/detect-version.js';
export { Sampler, type SamplerOptions } from './profile/sampler.js';
export type { Sample, ThreadSample, SampleFrame } from './profile/sample.js';
export { DebugSession, type LaunchArguments, type SessionOptions } from './debugger/session.js';
export { declare, LP64, WASM32, I386 } from './layout/index.js';
export { describeAbi, type TargetAbi } from './cpython/discover/target-abi.js';
