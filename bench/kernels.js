#!/usr/bin/env node
// Times the convolution and dense kernels on the shapes of the K1 benchmark and the W2 network.
// Every AVX2 kernel is first checked against the scalar path; a mismatch exits with status 1.
// Usage: node bench/kernels.js [runs]   (build the addon first: npx cmake-js compile --out build)
'use strict';
const path = require('path');

const addon = require(path.join(__dirname, '..', 'build', 'Release', 'bntrain.node'));
const runs = Number(process.argv[2] || 9);

function random(length, seed) {
  // xorshift32: the same inputs on every run.
  let state = seed >>> 0 || 1;
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[i] = (state >>> 0) / 2 ** 31 - 1;
  }
  return values;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Returns the median wall time of `body` in milliseconds over `runs` runs, after one warm-up.
function time(body) {
  body();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    body();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

function convOp(s) {
  const OH = Math.floor((s.H + 2 * s.pad - s.KH) / s.stride) + 1;
  const OW = Math.floor((s.W + 2 * s.pad - s.KW) / s.stride) + 1;
  const dims = [s.N, s.C, s.H, s.W, s.K, s.KH, s.KW, s.stride, s.pad];
  const x = random(s.N * s.C * s.H * s.W, 1);
  const w = random(s.K * s.C * s.KH * s.KW, 2);
  const dy = random(s.N * s.K * OH * OW, 3);
  const flops = 2 * s.N * s.K * s.C * s.KH * s.KW * OH * OW;
  const passes = {
    forward: { inputs: [x, w], outputLength: dy.length, call: (a, b, out) => addon.conv2dForward(a, b, out, ...dims) },
    backwardData: { inputs: [dy, w], outputLength: x.length, call: (a, b, out) => addon.conv2dBackwardData(a, b, out, ...dims) },
    backwardFilter: { inputs: [x, dy], outputLength: w.length, call: (a, b, out) => addon.conv2dBackwardFilter(a, b, out, ...dims) },
  };
  return { flops, passes };
}

function denseOp(N, I, O) {
  const x = random(N * I, 4);
  const w = random(O * I, 5);
  const dy = random(N * O, 6);
  const flops = 2 * N * I * O;
  const passes = {
    forward: { inputs: [x, w], outputLength: N * O, call: (a, b, out) => addon.denseForward(a, b, null, out, N, I, O) },
    backwardData: { inputs: [dy, w], outputLength: N * I, call: (a, b, out) => addon.denseBackwardData(a, b, out, N, I, O) },
    backwardWeights: { inputs: [x, dy], outputLength: O * I, call: (a, b, out) => addon.denseBackwardWeights(a, b, out, null, N, I, O) },
  };
  return { flops, passes };
}

// Checks the AVX2 result against the scalar one with the test suite's bound: a float32 sum is
// off by about sqrt(n)·2^-24 times the sum of |terms|, which the scalar path returns when run on
// absolute values. Returns the worst ratio of error to bound (pass when <= 1).
function verify(name, pass) {
  const run = (target, inputs) => {
    addon.setSimdTarget(target);
    const out = new Float32Array(pass.outputLength);
    pass.call(inputs[0], inputs[1], out);
    return out;
  };
  const scalar = run('scalar', pass.inputs);
  const magnitude = run('scalar', pass.inputs.map((values) => values.map(Math.abs)));
  const avx2 = run('avx2', pass.inputs);
  let worst = 0;
  for (let i = 0; i < scalar.length; i++) {
    const bound = 1e-5 * Math.abs(scalar[i]) + 2e-6 * magnitude[i];
    const ratio = Math.abs(avx2[i] - scalar[i]) / bound;
    if (!(ratio <= worst)) worst = ratio;
  }
  if (!(worst <= 1)) {
    console.error(`bench: ${name} avx2 differs from scalar: worst error is ${worst.toFixed(2)} x the bound`);
    process.exit(1);
  }
  return worst;
}

function verifyOp(label, op) {
  for (const [pass, spec] of Object.entries(op.passes)) verify(`${label} ${pass}`, spec);
}

function timeOp(op, threads) {
  addon.setSimdTarget('avx2');
  addon.setNumThreads(threads);
  const result = {};
  for (const [pass, spec] of Object.entries(op.passes)) {
    const out = new Float32Array(spec.outputLength);
    result[pass] = time(() => spec.call(spec.inputs[0], spec.inputs[1], out));
  }
  return result;
}

if (!addon.simdTargets().includes('avx2')) {
  console.error('bench: this CPU has no AVX2+FMA; nothing to time');
  process.exit(1);
}

const k1 = { N: 64, C: 64, H: 28, W: 28, K: 64, KH: 3, KW: 3, stride: 1, pad: 1 };
const shapes = [
  ['W2 conv1 64x1x28x28 -> 32, 3x3 pad 1', convOp({ N: 64, C: 1, H: 28, W: 28, K: 32, KH: 3, KW: 3, stride: 1, pad: 1 })],
  ['W2 conv2 64x32x14x14 -> 64, 3x3 pad 1', convOp({ N: 64, C: 32, H: 14, W: 14, K: 64, KH: 3, KW: 3, stride: 1, pad: 1 })],
  ['W2 dense 64x3136 -> 128', denseOp(64, 3136, 128)],
];

// Verify first: sgemm, K1 on 4 images (the scalar path takes seconds on 64), the W2 shapes in full.
verify('sgemm 64x784x576', {
  inputs: [random(64 * 576, 7), random(576 * 784, 8)],
  outputLength: 64 * 784,
  call: (a, b, out) => addon.sgemm(false, false, 64, 784, 576, 1, a, b, 0, out),
});
verifyOp('K1 (N=4)', convOp({ ...k1, N: 4 }));
for (const [label, op] of shapes) verifyOp(label, op);
console.log('verified: every avx2 result is within the tolerance of the scalar path');
console.log(`median of ${runs} runs, ms; machine has ${require('os').cpus().length} CPUs`);

// sgemm alone, C = A.B with packed leading dimensions: the ceiling the convolutions approach.
for (const [M, N, K] of [[64, 784, 576], [600, 600, 600]]) {
  const a = random(M * K, 7);
  const b = random(K * N, 8);
  const c = new Float32Array(M * N);
  addon.setSimdTarget('avx2');
  addon.setNumThreads(1);
  const ms = time(() => addon.sgemm(false, false, M, N, K, 1, a, b, 0, c));
  console.log(`sgemm M=${M} N=${N} K=${K}, 1 thread: ${ms.toFixed(3)} ms (${((2 * M * N * K) / 1e9 / (ms / 1e3)).toFixed(1)} GFLOP/s)`);
}

const k1Op = convOp(k1);
for (const threads of [1, 2]) {
  const ms = timeOp(k1Op, threads);
  const gflops = (pass) => (k1Op.flops / 1e9 / (ms[pass] / 1e3)).toFixed(1);
  console.log(
    `K1 conv 64x64x28x28 -> 64, 3x3 pad 1, ${threads} thread(s): forward ${ms.forward.toFixed(2)} ms ` +
      `(${gflops('forward')} GFLOP/s), backwardData ${ms.backwardData.toFixed(2)} ms (${gflops('backwardData')} GFLOP/s), ` +
      `backwardFilter ${ms.backwardFilter.toFixed(2)} ms (${gflops('backwardFilter')} GFLOP/s)`,
  );
}

for (const threads of [1, 2]) {
  let total = 0;
  for (const [label, op] of shapes) {
    const ms = timeOp(op, threads);
    const parts = Object.entries(ms).map(([pass, value]) => `${pass} ${value.toFixed(2)}`);
    const sum = Object.values(ms).reduce((a, b) => a + b, 0);
    total += sum;
    console.log(`${label}, ${threads} thread(s): ${parts.join(', ')}; sum ${sum.toFixed(2)} ms`);
  }
  console.log(`W2 conv + dense kernels per step, ${threads} thread(s): ${total.toFixed(2)} ms`);
}
