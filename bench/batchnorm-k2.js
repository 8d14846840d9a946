#!/usr/bin/env node
// K2: batch-norm training forward + backward on N=64, C=64, 28x28 NCHW float32.
//
// Throughput counts the four tensors of N*C*H*W floats the step must touch at least once
// (x, y, dy, dx): GB/s = 4 * N*C*H*W * 4 bytes / seconds. The kernels read x and dy more than
// once (two statistics passes, one dx pass), so the real traffic is higher.
// Verifies the AVX2 path against the scalar one before timing and exits with status 1 on a
// mismatch. Run after building: `node bench/batchnorm-k2.js [repetitions]`.
'use strict';
const path = require('path');

const addon = require(path.join(__dirname, '..', 'build', 'Release', 'bntrain.node'));

const N = 64, C = 64, H = 28, W = 28, HW = H * W;
const size = N * C * HW;
const eps = 1e-5;
const repetitions = Number(process.argv[2] ?? 30);

// Deterministic inputs: a 32-bit LCG mapped to [-1, 1), channels shifted so means differ.
function fill(array, seed, shift) {
  let state = seed >>> 0;
  for (let i = 0; i < array.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    array[i] = (state / 2 ** 31 - 1) + shift;
  }
  return array;
}

const x = fill(new Float32Array(size), 1, 0.25);
const dy = fill(new Float32Array(size), 2, 0);
const gamma = fill(new Float32Array(C), 3, 1);
const beta = fill(new Float32Array(C), 4, 0);

function makeOutputs() {
  return {
    y: new Float32Array(size), mean: new Float32Array(C), variance: new Float32Array(C),
    dx: new Float32Array(size), dgamma: new Float32Array(C), dbeta: new Float32Array(C),
  };
}

function step(out) {
  addon.batchNormForwardTrain(x, gamma, beta, out.y, out.mean, out.variance, N, C, HW, eps);
  addon.batchNormBackward(x, dy, out.mean, out.variance, gamma, out.dx, out.dgamma, out.dbeta, N, C, HW, eps);
}

// Returns the worst |a − b| / (atol + rtol·|b|) over an array; above 1 is a mismatch.
function worstExcess(a, b, atol, rtol) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    if (!(excess <= worst)) worst = excess;
  }
  return worst;
}

function verify() {
  addon.setSimdTarget('scalar');
  const scalar = makeOutputs();
  step(scalar);
  addon.setSimdTarget('avx2');
  const avx2 = makeOutputs();
  step(avx2);
  // Both paths sum in double but in different orders; dgamma and dbeta sum 50176 values of order 1.
  const tolerances = { y: [1e-5, 1e-5], mean: [1e-6, 1e-6], variance: [1e-6, 1e-6], dx: [1e-5, 1e-5],
    dgamma: [1e-4, 1e-5], dbeta: [1e-4, 1e-5] };
  let ok = true;
  for (const [name, [atol, rtol]] of Object.entries(tolerances)) {
    const excess = worstExcess(avx2[name], scalar[name], atol, rtol);
    if (!(excess <= 1)) {
      console.error(`batchnorm-k2: avx2 ${name} differs from scalar by ${excess.toFixed(2)} times the tolerance`);
      ok = false;
    }
  }
  return ok;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function time(target, threads) {
  addon.setSimdTarget(target);
  addon.setNumThreads(threads);
  const out = makeOutputs();
  for (let i = 0; i < 3; i++) step(out);
  const seconds = [];
  for (let i = 0; i < repetitions; i++) {
    const start = process.hrtime.bigint();
    step(out);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const t = median(seconds);
  return { t, gbps: (4 * size * 4) / t / 1e9 };
}

const targets = addon.simdTargets();
if (!targets.includes('avx2')) {
  console.error('batchnorm-k2: this CPU has no AVX2+FMA path; timing scalar only');
} else if (!verify()) {
  process.exit(1);
} else {
  console.log('batchnorm-k2: avx2 matches scalar');
}

console.log(`batchnorm-k2: N=${N} C=${C} H=${H} W=${W}, forward train + backward, median of ${repetitions}`);
console.log('target  threads  ms/step  GB/s');
for (const target of targets) {
  for (const threads of [1, 2]) {
    const { t, gbps } = time(target, threads);
    console.log(`${target.padEnd(7)} ${String(threads).padStart(7)} ${(t * 1e3).toFixed(3).padStart(8)} ${gbps.toFixed(2).padStart(5)}`);
  }
}
