#!/usr/bin/env node
'use strict';
// Runs an ONNX model with ONNX Runtime (CPU, one thread) on ONNX test data.
//
// usage: node run.js MODEL.onnx IN_DIR OUT_DIR [--time N] [--random SEED]
//   Reads IN_DIR/input_K.pb (TensorProto) or, if absent, IN_DIR/input_K.bin
//   (raw little-endian data of the model's K-th input type and shape), one per
//   model input in the graph's order. Writes OUT_DIR/output_K.pb.
//   --random SEED  first writes IN_DIR/input_K.pb with seeded uniform [-1, 1)
//                  values for every input (float inputs only), then runs.
//   --time N       also runs N more times and prints the median in ms.
// Symbolic dimensions of a .bin or random input are taken as 1.
// Install ONNX Runtime first: (cd bench && npm install --ignore-scripts).
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const tp = require('./tensor_proto');

function usage(msg) {
  if (msg) console.error(`run.js: ${msg}`);
  console.error('usage: node run.js MODEL.onnx IN_DIR OUT_DIR [--time N] [--random SEED]');
  process.exit(2);
}

function parseArgs(argv) {
  const pos = [];
  const o = {time: 0, random: null};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--time' || argv[i] === '--random') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) usage(`${argv[i - 1]} needs a whole number`);
      o[argv[i - 1].slice(2)] = v;
    } else if (argv[i].startsWith('--')) {
      usage(`unknown option ${argv[i]}`);
    } else {
      pos.push(argv[i]);
    }
  }
  if (pos.length !== 3) usage();
  [o.model, o.inDir, o.outDir] = pos;
  return o;
}

function staticShape(meta) {
  return meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
}

// mulberry32: a small seeded generator, so random inputs are reproducible.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInputs(session, seed, inDir) {
  const next = rng(seed);
  fs.mkdirSync(inDir, {recursive: true});
  session.inputMetadata.forEach((meta, k) => {
    if (meta.type !== 'float32' && meta.type !== 'float64')
      throw new Error(`--random: input ${meta.name} is ${meta.type}, only float inputs can be random`);
    const dims = staticShape(meta);
    const Typed = tp.DTYPES[tp.dtypeByName(meta.type)][1];
    const data = new Typed(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
    fs.writeFileSync(path.join(inDir, `input_${k}.pb`),
      tp.encode({name: meta.name, type: meta.type, dims, data}));
  });
}

function loadInput(meta, k, inDir) {
  const pb = path.join(inDir, `input_${k}.pb`);
  if (fs.existsSync(pb)) {
    const t = tp.decode(fs.readFileSync(pb));
    return new ort.Tensor(t.type, t.data, t.dims);
  }
  const bin = path.join(inDir, `input_${k}.bin`);
  if (!fs.existsSync(bin)) throw new Error(`neither ${pb} nor ${bin} exists`);
  const dims = staticShape(meta);
  const [, Typed, size] = tp.DTYPES[tp.dtypeByName(meta.type)];
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = fs.readFileSync(bin);
  if (raw.length !== count * size)
    throw new Error(`${bin} has ${raw.length} bytes, input ${meta.name} needs ${count * size}`);
  const data = new Typed(count);
  new Uint8Array(data.buffer).set(raw);
  return new ort.Tensor(meta.type, data, dims);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(o.model,
    {intraOpNumThreads: 1, interOpNumThreads: 1});
  if (o.random !== null) randomInputs(session, o.random, o.inDir);
  const feeds = {};
  session.inputMetadata.forEach((meta, k) => {
    feeds[meta.name] = loadInput(meta, k, o.inDir);
  });
  const results = await session.run(feeds);
  fs.mkdirSync(o.outDir, {recursive: true});
  session.outputNames.forEach((name, k) => {
    const t = results[name];
    fs.writeFileSync(path.join(o.outDir, `output_${k}.pb`),
      tp.encode({name, type: t.type, dims: t.dims, data: t.data}));
  });
  if (o.time > 0) {
    const ms = [];
    for (let i = 0; i < o.time; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ms.sort((a, b) => a - b);
    const mid = ms.length >> 1;
    const median = ms.length % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
    console.log(`${o.model}: median ${median.toFixed(3)} ms of ${o.time} runs (1 thread)`);
  }
}

main().catch((e) => {
  console.error(`run.js: ${e.message}`);
  process.exit(1);
});
