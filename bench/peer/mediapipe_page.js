// In-page half of the @mediapipe/pose peer benchmark (see bench_mediapipe.js,
// which serves this file and drives headless Chromium).
//
// peerLoad() fetches the raw RGB24 frames that scripts/bench-peer.sh extracted
// and paints each onto its own canvas once, so that decoding and painting are
// outside the timed region. peerSetup()/peerPass() build a fresh Pose solution,
// feed the canvases through pose.send() in order with 60 fps timestamps and time
// every send() (MediaPipe's whole per-frame pipeline: GL image transform, detector
// when tracking is lost, landmark model, landmark smoothing, result
// conversion). Mode "track" is the normal video pipeline (the detector runs on
// the first frame only while tracking holds); mode "detect" sets
// minTrackingConfidence to 1.0 so tracking never holds and the detector runs
// on every frame as well as the landmark model.
'use strict';

let frameCanvases = [];

window.peerLoad = async function peerLoad(o) {
  const resp = await fetch(o.framesUrl);
  if (!resp.ok) throw new Error('frames: HTTP ' + resp.status);
  const buf = new Uint8Array(await resp.arrayBuffer());
  const frameBytes = o.width * o.height * 3;
  if (buf.length < frameBytes * o.count) {
    throw new Error('frames: got ' + buf.length + ' bytes, want at least ' + frameBytes * o.count);
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

// One Pose instance per page: peerSetup() builds and warms it up, each
// peerPass() is one timed pass over all frames (the driver reads the browser's
// CPU time around it), peerClose() releases it.
let pose = null;
let last = null;
let tsMs = 1000 / 60; // a non-zero start: the landmark filter warns on timestamp 0

async function sendFrame(i) {
  last = null;
  const t0 = performance.now();
  await pose.send({image: frameCanvases[i]}, tsMs);
  tsMs += 1000 / 60;
  return performance.now() - t0;
}

window.peerSetup = async function peerSetup(o) {
  pose = new Pose({locateFile: (f) => '/mp/' + f});
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
  // first detection) are not timed.
  let firstSendMs = NaN;
  for (let k = 0; k < o.warmupFrames; k++) {
    const dt = await sendFrame(k % frameCanvases.length);
    if (k === 0) firstSendMs = dt;
  }
  return {initMs, firstSendMs};
};

window.peerPass = async function peerPass() {
  const times = [];
  const landmarks = [];
  let found = 0;
  for (let i = 0; i < frameCanvases.length; i++) {
    times.push(await sendFrame(i));
    const lm = last && last.poseLandmarks;
    if (lm) found++;
    landmarks.push(lm ? lm.map((p) => [p.x, p.y, p.z, p.visibility]) : null);
  }
  return {times, found, landmarks};
};

window.peerClose = async function peerClose() {
  await pose.close();
  pose = null;
  return performance.getEntriesByType('resource')
    .map((e) => e.name.replace(/^.*\//, ''))
    .filter((n) => /\.(wasm|tflite|data|binarypb)$/.test(n));
};
