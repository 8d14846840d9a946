#!/usr/bin/env node
// Prints the addon's C++ sources for binding.gyp, one per line, relative to the package root.
// `portable` lists the files built with baseline flags, `avx2` the *_avx2.cc files; CMakeLists.txt
// globs the same folders, so both build systems compile the same set.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const folders = ['native/common', 'native/cpu', 'native/kernels', 'native/binding'];

function listSources(folder) {
  const found = [];
  for (const entry of fs.readdirSync(path.join(root, folder), { withFileTypes: true })) {
    const relative = path.posix.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...listSources(relative));
    else if (entry.name.endsWith('.cc')) found.push(relative);
  }
  return found;
}

const kind = process.argv[2];
if (kind !== 'portable' && kind !== 'avx2') {
  console.error('usage: gyp-sources.js portable|avx2');
  process.exit(2);
}
const all = folders.flatMap(listSources).sort();
const isAvx2 = (file) => file.endsWith('_avx2.cc');
console.log(all.filter((file) => (kind === 'avx2' ? isAvx2(file) : !isAvx2(file))).join('\n'));
