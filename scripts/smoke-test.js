#!/usr/bin/env node
// Smoke test of whichever addon build sits in build/Release: checks which build system produced it,
// then trains a small BatchNorm CNN for a few steps on synthetic data and requires the loss to fall.
// Usage: node scripts/smoke-test.js [cmake-js|node-gyp]   (needs `npm run build:ts` first)
'use strict';
const bntrain = require('../dist');

const expected = process.argv[2];
const info = bntrain.native().buildInfo();
if (expected && info.buildSystem !== expected) {
  console.error(`smoke-test: expected a ${expected} build, found ${info.buildSystem}`);
  process.exit(1);
}

// Two classes that differ in which half of the image is bright: learnable in a few steps.
const count = 64;
const images = new Float32Array(count * 1 * 8 * 8);
const labels = new Int32Array(count);
const random = new bntrain.Random(3);
for (let n = 0; n < count; n++) {
  labels[n] = n % 2;
  for (let i = 0; i < 64; i++) {
    const bright = (i < 32) === (labels[n] === 0);
    images[n * 64 + i] = (bright ? 0.7 : 0.2) + 0.2 * random.uniform();
  }
}

const model = bntrain.Model.sequential([1, 8, 8], [
  new bntrain.Conv2D({ filters: 4, kernelSize: 3, padding: 1, useBias: false }),
  new bntrain.BatchNorm(),
  new bntrain.ReLU(),
  new bntrain.MaxPool2D(),
  new bntrain.Flatten(),
  new bntrain.Dense({ units: 2 }),
]).build(1);
const trainer = new bntrain.Trainer(model, new bntrain.Sgd(model.parameters(), { learningRate: 0.1, momentum: 0.9 }));
const batch = new bntrain.Tensor([count, 1, 8, 8], images);

const first = trainer.step(batch, labels).loss;
let last = first;
for (let i = 0; i < 20; i++) last = trainer.step(batch, labels).loss;
console.log(`smoke-test: ${info.buildSystem} build (${info.compiler}), SIMD ${bntrain.native().simdTarget()}, loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
if (!(last < first * 0.5)) {
  console.error('smoke-test: the loss did not fall by half in 20 steps');
  process.exit(1);
}
