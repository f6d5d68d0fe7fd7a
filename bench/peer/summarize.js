// Summarises one scripts/bench-peer.sh results directory as Markdown tables
// (printed, and written to summary.md there): for every configuration, the
// median over runs of the per-run median, p90 and minimum, in ms. Under load
// the minimum is the closest to an uncontended figure. "CPU ms" is CPU time
// per frame/inference: of the Node process (process.cpuUsage, median per
// call) or of the whole browser process tree (from /proc, over each pass,
// median over runs); it is far less sensitive to other load than wall time.
//
// Usage: node summarize.js RESULTS_DIR
'use strict';

const fs = require('fs');
const path = require('path');
const {median} = require('./browser.js');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node summarize.js RESULTS_DIR');
  process.exit(2);
}
const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, f)));
const ms = (x) => (typeof x === 'number' && isFinite(x) ? x.toFixed(1) : '-');
const lines = [];

const nodeFiles = fs.readdirSync(dir).filter((f) => /^tfjs_node_.*\.json$/.test(f)).sort();
if (nodeFiles.length) {
  const rs = nodeFiles.map(read);
  const r0 = rs[0];
  lines.push(`tfjs-backend-wasm ${r0.tfjsBackendWasm} in Node ${r0.node}, SIMD ${r0.simd}, ` +
    `threads 1 (Node: no WASM threads), landmark outputs only, ${r0.n} inferences per run:`, '',
    '| model | runs | median ms | p90 ms | min ms | CPU ms | per-run medians ms |',
    '| --- | --- | --- | --- | --- | --- | --- |');
  for (const m of ['blazepose-lite', 'blazepose-full', 'blazepose-heavy']) {
    const g = rs.filter((r) => r.model === m);
    if (!g.length) continue;
    lines.push(`| ${m} | ${g.length} | ${ms(median(g.map((r) => r.medianMs)))} | ` +
      `${ms(median(g.map((r) => r.p90Ms)))} | ${ms(median(g.map((r) => r.minMs)))} | ` +
      `${ms(median(g.map((r) => r.cpuMedianMs)))} | ` +
      `${g.map((r) => ms(r.medianMs)).join(', ')} |`);
  }
  lines.push('');
}

if (fs.existsSync(path.join(dir, 'tfjs_browser.json'))) {
  const b = read('tfjs_browser.json');
  const r0 = b.runs[0];
  lines.push(`tfjs-backend-wasm ${r0.tfjs} in headless Chromium (cross-origin isolated, SIMD ${r0.simd}, ` +
    `threaded build ${r0.multithreadSupport}), landmark outputs only, ${r0.n} inferences per run:`, '',
    '| model | threads | runs | median ms | p90 ms | min ms | CPU ms | per-run medians ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of b.summary) {
    const mins = b.runs.filter((r) => r.model === s.model && r.threadsRequested === s.threads).map((r) => r.minMs);
    lines.push(`| ${s.model} | ${s.threadsUsed} | ${s.runs} | ${ms(s.medianOfMediansMs)} | ` +
      `${ms(s.medianOfP90Ms)} | ${ms(median(mins))} | ${ms(s.medianCpuMsPerInference)} | ` +
      `${s.perRunMedianMs.map(ms).join(', ')} |`);
  }
  lines.push('');
}

const mpFiles = fs.readdirSync(dir).filter((f) => /^mediapipe_(track|detect)\.json$/.test(f)).sort().reverse();
if (mpFiles.length) {
  const mps = mpFiles.map(read);
  const mp = mps[0];
  const name = ['lite', 'full', 'heavy'];
  lines.push(`@mediapipe/pose ${mp.mediapipePose} in headless Chromium (${mp.chromiumUserAgent}), ` +
    `WebGL: ${mp.webgl2Renderer}; frames ${mp.frames.width}x${mp.frames.height}, ` +
    `${mp.frames.count} timed pose.send() per run after ${mp.warmupFrames} warm-up frames:`, '',
    '| modelComplexity | mode | runs | median ms | p90 ms | min ms | CPU ms | per-run medians ms | pose found |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const runs = [].concat(...mps.map((m) => m.runs));
  for (const s of [].concat(...mps.map((m) => m.summary))) {
    const mins = runs.filter((r) => r.modelComplexity === s.modelComplexity && r.mode === s.mode).map((r) => r.minMs);
    lines.push(`| ${s.modelComplexity} (${name[s.modelComplexity]}) | ${s.mode} | ${s.runs} | ` +
      `${ms(s.medianOfMediansMs)} | ${ms(s.medianOfP90Ms)} | ${ms(median(mins))} | ` +
      `${ms(s.medianCpuMsPerFrame)} | ` +
      `${s.perRunMedianMs.map(ms).join(', ')} | ` +
      `${s.found.join(', ')} |`);
  }
  const blocked = [].concat(...mps.map((m) => m.blocked));
  lines.push('', `non-loopback requests blocked: ${blocked.length}`, '');
}

const text = lines.join('\n');
console.log(text);
fs.writeFileSync(path.join(dir, 'summary.md'), text + '\n');
