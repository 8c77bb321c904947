'use strict';
// Runs before every test file (package.json "jest.setupFiles").
//
// Node.js 20 to 24 (V8 11.3 to 13.6; fixed by Node.js 26): when a FinalizationRegistry becomes
// garbage while a callback of its is pending, and a full collection runs
// before that callback's turn, V8 drops the registry from its queue but still
// believes a cleanup task is queued, so it never queues another: from then on
// no FinalizationRegistry in the process is ever called (docs/design.md,
// "One FinalizationRegistry"). Jest drops each test file's realm, and every
// registry made in it (this suite's, poolmem's module-level ones), at any
// moment, callbacks pending or not; one unlucky drop and every later test that
// waits for a finalizer times out. So every registry made under Jest is kept
// for the whole run, in an array on the one object all test files share: the
// outer realm's Buffer.
const kept = (Buffer[Symbol.for('poolmem.test.keptRegistries')] ??= []);
const NativeFinalizationRegistry = globalThis.FinalizationRegistry;

globalThis.FinalizationRegistry = class FinalizationRegistry extends NativeFinalizationRegistry {
  constructor(cleanup) {
    super(cleanup);
    kept.push(this);
  }
};
