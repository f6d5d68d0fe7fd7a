// In-page half of the @mediapipe/pose peer benchmark (see bench_mediapipe.js,
// which serves this file and drives headless Chromium).
//
// peerLoad() fetches the raw RGB24 frames that scripts/bench-peer.sh extracted
// and paints each onto its own canvas once, so that decoding and painting are
// outside the timed region. peerRun() builds a fresh Pose solution, feeds the
// canvases through pose.send() in order with 60 fps timestamps and times every
// send() (MediaPipe's whole per-frame pipeline: GL image transform, detector
// when tracking is lost, landmark model, landmark smoothing, result
// conversion). Mode "track" is the normal video pipeline (the detector runs on
// the first frame only while tracking holds); mode "detect" sets
// minTrackingConfidence to 1.0 so tracking never holds and the detector runs
// on every frame as well as the landmark model.
'use strict';

let frameCanvases = [];

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

window.peerLoad = async function peerLoad(o) {
  const resp = await fetch(o.framesUrl);
  if (!resp.ok) throw new Error('frames: HTTP ' + resp.status);
  const buf = new Uint8Array(await resp.arrayBuffer());
  const frameBytes = o.width * o.height * 3;
  if (buf.length !== frameBytes * o.count) {
    throw new Error('frames: got ' + buf.length + ' bytes, want ' + frameBytes * o.count);
  }
  frameCanvases = [];
  for (let i = 0; i < o.count; i++) {
    const c = document.createElement('canvas');
    c.width = o.width;
    c.height = o.height;
    const ctx = c.getContext('2d');
    const img = ctx.createImageData(o.width, o.height);
    const src = buf.subarray(i * frameBytes, (i + 1) * frameBytes);
    const dst = img.data;
    for (let s = 0, d = 0; s < src.length; s += 3, d += 4) {
      dst[d] = src[s];
      dst[d + 1] = src[s + 1];
      dst[d + 2] = src[s + 2];
      dst[d + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    frameCanvases.push(c);
  }
  // Report what the page runs on: the WebGL implementation MediaPipe's GL
  // calculators will get and whether WebAssembly SIMD validates.
  const gl = document.createElement('canvas').getContext('webgl2');
  let renderer = 'no webgl2';
  if (gl) {
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  }
  return {frames: frameCanvases.length, webgl2Renderer: renderer, userAgent: navigator.userAgent};
};

window.peerRun = async function peerRun(o) {
  const pose = new Pose({locateFile: (f) => '/mp/' + f});
  let last = null;
  pose.onResults((r) => {
    last = r;
  });
  pose.setOptions({
    modelComplexity: o.modelComplexity,
    smoothLandmarks: true,
    enableSegmentation: false,
    smoothSegmentation: false,
    minDetectionConfidence: 0.5,
    minTrackingConfidence: o.mode === 'detect' ? 1.0 : 0.5,
  });
  const tInit = performance.now();
  await pose.initialize();
  const initMs = performance.now() - tInit;

  // Warm-up: the first o.warmupFrames sends (model load, shader compilation,
  // first detection) are not timed; then o.passes passes over all frames are.
  const times = [];
  let found = 0;
  let firstSendMs = NaN;
  const landmarks = [];
  let tsMs = 1000 / 60; // a non-zero start: the landmark filter warns on timestamp 0
  const send = async (i) => {
    last = null;
    const t0 = performance.now();
    await pose.send({image: frameCanvases[i]}, tsMs);
    tsMs += 1000 / 60;
    return performance.now() - t0;
  };
  for (let k = 0; k < o.warmupFrames; k++) {
    const dt = await send(k % frameCanvases.length);
    if (k === 0) firstSendMs = dt;
  }
  for (let pass = 0; pass < o.passes; pass++) {
    for (let i = 0; i < frameCanvases.length; i++) {
      times.push(await send(i));
      const lm = last && last.poseLandmarks;
      if (lm) found++;
      if (pass === o.passes - 1) {
        landmarks.push(lm ? lm.map((p) => [p.x, p.y, p.z, p.visibility]) : null);
      }
    }
  }
  await pose.close();

  const loaded = performance.getEntriesByType('resource')
    .map((e) => e.name.replace(/^.*\//, ''))
    .filter((n) => /\.(wasm|tflite|data|binarypb)$/.test(n));
  const sorted = times.slice().sort((a, b) => a - b);
  return {
    modelComplexity: o.modelComplexity,
    mode: o.mode,
    initMs,
    firstSendMs,
    n: times.length,
    found,
    medianMs: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    minMs: sorted[0],
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    timesMs: times,
    loaded: Array.from(new Set(loaded)),
    landmarks,
  };
};
