'use strict';
// prepack: copies the cmake-js build to prebuilds/<platform>-<arch>/ where the
// loader (lib/internal/binding.js) of an installed package looks first.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'build', 'Release', 'poolmem.node');
const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
fs.mkdirSync(dir, { recursive: true });
fs.copyFileSync(src, path.join(dir, 'poolmem.napi.node'));
console.log(`copied ${path.relative(root, src)} -> ${path.relative(root, dir)}/poolmem.napi.node`);
