'use strict';
// Asserts that fn throws an error with the given code (and, when given, class:
// a constructor checked with instanceof, or a constructor name), and that the
// error's first stack frame is the caller's, not poolmem's lib/.

const path = require('node:path');

const LIB_DIR = path.join(__dirname, '..', '..', 'lib') + path.sep;

function expectCode(fn, code, type = undefined) {
  let caught;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeDefined();
  expect(caught.code).toBe(code);
  if (typeof type === 'function') expect(caught).toBeInstanceOf(type);
  else if (type !== undefined) expect(caught.constructor.name).toBe(type);
  const firstFrame = caught.stack.split('\n').find((line) => /^\s+at /.test(line));
  expect(firstFrame).toBeDefined();
  expect(firstFrame.includes(LIB_DIR)).toBe(false);
  return caught;
}

module.exports = { expectCode };
