export * from './constants.js';
export * from './elf-file.js';
export * from './load-bias.js';
export * from './machines.js';
