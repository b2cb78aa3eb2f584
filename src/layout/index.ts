// The C layout engine: declare(C text, ABI) -> struct layouts computed as gcc computes them.
export * from './api.js';
export { LP64, WASM32, I386, type Abi, type ScalarInfo } from './abi.js';
export { declare } from './declarations.js';
export { declarePrebuilt, tableFileName, tableFileText } from './prebuilt.js';
export { tableOf, fromTable, type LayoutTable } from './table.js';
export { LayoutError } from './errors.js';
