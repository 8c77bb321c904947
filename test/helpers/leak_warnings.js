'use strict';
// Catches poolmem's leak reports at process.emitWarning itself: Jest's
// sandboxed `process` does not receive the real process's 'warning' events.
// Reports are emitted on the next tick after the call that found the leak, so
// stop() lets a test's last ones arrive before the spy goes.

function captureLeakWarnings() {
  const seen = [];
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation((message, options) => {
    if (options?.code === 'POOLMEM_LEAK') seen.push({ message, name: options.type, ...options });
  });
  const stop = async () => {
    await new Promise((resolve) => process.nextTick(resolve));
    spy.mockRestore();
  };
  return { seen, stop };
}

module.exports = { captureLeakWarnings };
