// Types for `import ... from 'poolmem'`: the same names as binding.d.ts, and
// the default export, which is the CommonJS module object (lib/index.mjs).
import * as poolmem from './binding.js';

export * from './binding.js';
export default poolmem;
