// In-page half of the TFJS WASM peer benchmark in Chromium (see
// bench_tfjs_browser.js). Same measurement as bench_tfjs_wasm.js in Node
// (landmark model only, batch 1, 256x256x3 floats in [0,1], execute() +
// dataSync() of the requested outputs per timed call), but here the page is
// cross-origin isolated, so the backend can use its threaded SIMD build.
// peerSetup() prepares and warms up; each peerPass() is one timed pass (the
// driver reads the browser's CPU time around it).
'use strict';

let model = null;
let inputs = [];
let outNames = [];
let flagName = '';
let flagSum = 0;

function runOne(x) {
  const outs = model.execute(x, outNames);
  const list = Array.isArray(outs) ? outs : [outs];
  for (let k = 0; k < list.length; k++) {
    const d = list[k].dataSync();
    if (outNames[k] === flagName) flagSum += d[0];
  }
  tf.dispose(list);
}

// Backend (with o.threads threads), model, input tensors, o.warmup untimed
// inferences.
window.peerSetup = async function peerSetup(o) {
  tf.wasm.setWasmPaths('/tfjs/');
  tf.wasm.setThreadsCount(o.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  await tf.ready();
  const tLoad = performance.now();
  model = await tf.loadGraphModel(o.modelUrl);
  const loadMs = performance.now() - tLoad;
  const sig = model.signature.outputs;
  const want = o.outputs === 'all' ? Object.keys(sig) : ['ld_3d', 'output_poseflag', 'world_3d'];
  outNames = want.map((k) => sig[k].name.replace(/:0$/, ''));
  flagName = sig.output_poseflag.name.replace(/:0$/, '');

  const resp = await fetch(o.framesUrl);
  const raw = new Uint8Array(await resp.arrayBuffer());
  const frameBytes = 256 * 256 * 3;
  if (raw.length !== frameBytes * o.count) throw new Error('frames: ' + raw.length + ' bytes');
  inputs = [];
  for (let i = 0; i < o.count; i++) {
    const f = new Float32Array(frameBytes);
    for (let k = 0; k < frameBytes; k++) f[k] = raw[i * frameBytes + k] / 255;
    inputs.push(tf.tensor4d(f, [1, 256, 256, 3]));
  }
  for (let i = 0; i < o.warmup; i++) runOne(inputs[i % o.count]);
  return {
    outputs: o.outputs, outputNames: outNames, tfjs: tf.version_core,
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    multithreadSupport: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    crossOriginIsolated: self.crossOriginIsolated, threadsRequested: o.threads,
    threadsUsed: tf.wasm.getThreadsCount(), loadMs, userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
  };
};

// One timed pass over all inputs; ms per inference and the pose-flag sum.
window.peerPass = async function peerPass() {
  flagSum = 0;
  const times = [];
  for (let i = 0; i < inputs.length; i++) {
    const t0 = performance.now();
    runOne(inputs[i]);
    times.push(performance.now() - t0);
  }
  return {
    times, flagSum,
    wasmLoaded: performance.getEntriesByType('resource').map((e) => e.name.replace(/^.*\//, ''))
      .filter((n) => n.endsWith('.wasm')),
  };
};
