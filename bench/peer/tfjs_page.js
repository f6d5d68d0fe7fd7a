// In-page half of the TFJS WASM peer benchmark in Chromium (see
// bench_tfjs_browser.js). Same measurement as bench_tfjs_wasm.js in Node
// (landmark model only, batch 1, 256x256x3 floats in [0,1], execute() +
// dataSync() of the requested outputs per timed call), but here the page is
// cross-origin isolated, so the backend can use its threaded SIMD build.
'use strict';

function percentile(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

window.peerTfjs = async function peerTfjs(o) {
  tf.wasm.setWasmPaths('/tfjs/');
  tf.wasm.setThreadsCount(o.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');

  const tLoad = performance.now();
  const model = await tf.loadGraphModel(o.modelUrl);
  const loadMs = performance.now() - tLoad;
  const sig = model.signature.outputs;
  const want = o.outputs === 'all' ? Object.keys(sig) : ['ld_3d', 'output_poseflag', 'world_3d'];
  const outNames = want.map((k) => sig[k].name.replace(/:0$/, ''));
  const flagName = sig.output_poseflag.name.replace(/:0$/, '');

  const resp = await fetch(o.framesUrl);
  const raw = new Uint8Array(await resp.arrayBuffer());
  const frameBytes = 256 * 256 * 3;
  if (raw.length !== frameBytes * o.count) throw new Error('frames: ' + raw.length + ' bytes');
  const inputs = [];
  for (let i = 0; i < o.count; i++) {
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
      if (outNames[k] === flagName) flagSum += d[0];
    }
    tf.dispose(list);
  };
  for (let i = 0; i < o.warmup; i++) runOne(inputs[i % o.count]);
  flagSum = 0;
  const times = [];
  for (let pass = 0; pass < o.passes; pass++) {
    for (let i = 0; i < o.count; i++) {
      const t0 = performance.now();
      runOne(inputs[i]);
      times.push(performance.now() - t0);
    }
  }
  const sorted = times.slice().sort((a, b) => a - b);
  return {
    outputs: o.outputs, outputNames: outNames, tfjs: tf.version_core, simd,
    multithreadSupport: mt, crossOriginIsolated: self.crossOriginIsolated,
    threadsRequested: o.threads, threadsUsed: tf.wasm.getThreadsCount(), loadMs,
    n: times.length, meanPoseFlag: flagSum / times.length,
    medianMs: percentile(sorted, 50), p90Ms: percentile(sorted, 90), minMs: sorted[0],
    timesMs: times, userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    wasmLoaded: performance.getEntriesByType('resource').map((e) => e.name.replace(/^.*\//, ''))
      .filter((n) => n.endsWith('.wasm')),
  };
};
