// Peer benchmark (b, threaded): the BlazePose landmark models on the
// TensorFlow.js WASM backend in headless Chromium. Node cannot run the
// backend's threaded build (its pthread workers are blob: URLs, which Node's
// Worker refuses), so thread counts above 1 are measured here, in a page
// served cross-origin isolated from 127.0.0.1. Each (run, model, threads)
// gets a fresh browser; see tfjs_page.js for what is timed. The backend
// sizes its pool from navigator.hardwareConcurrency / 2, which is overridden
// to 2 x the requested thread count (see below).
//
// Usage: node bench_tfjs_browser.js --cache DIR --models-dir DIR --frames FILE
//   --count N [--models lite,full,heavy] [--threads 1,2] [--outputs landmarks]
//   [--runs 3] [--warmup 10] [--passes 3] [--chromium /usr/bin/chromium]
//   [--out results.json] [--extra-args 'more chromium flags']
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {createRequire} = require('module');
const {serverStart, browserWith, median, argsParse} = require('./browser.js');

function percentile(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

async function main() {
  const o = argsParse(process.argv.slice(2), {
    models: 'lite,full,heavy', threads: '1,2', outputs: 'landmarks', runs: '3', warmup: '10',
    passes: '3', chromium: '/usr/bin/chromium',
  }, ['cache', 'modelsDir', 'frames', 'count']);
  const req = createRequire(path.join(path.resolve(o.cache), 'package.json'));
  const {chromium} = req('playwright-core');
  const dist = (pkg) => path.join(path.dirname(req.resolve(pkg + '/package.json')), 'dist');
  const tfjsFiles = {
    'tf-core.min.js': dist('@tensorflow/tfjs-core'),
    'tf-converter.min.js': dist('@tensorflow/tfjs-converter'),
    'tf-backend-wasm.min.js': dist('@tensorflow/tfjs-backend-wasm'),
    'tfjs-backend-wasm.wasm': dist('@tensorflow/tfjs-backend-wasm'),
    'tfjs-backend-wasm-simd.wasm': dist('@tensorflow/tfjs-backend-wasm'),
    'tfjs-backend-wasm-threaded-simd.wasm': dist('@tensorflow/tfjs-backend-wasm'),
  };
  const modelsDir = path.resolve(o.modelsDir);
  const framesFile = path.resolve(o.frames);
  const server = await serverStart((p) => {
    const base = path.basename(p);
    if (p === '/frames.rgb') return framesFile;
    if (p === '/page/' + base && /^tfjs_page\.(html|js)$/.test(base)) return path.join(__dirname, base);
    if (p === '/tfjs/' + base && tfjsFiles[base]) return path.join(tfjsFiles[base], base);
    if (p === '/models/' + base && /^blazepose-[a-z]+\.(json|bin)$/.test(base)) return path.join(modelsDir, base);
    return null;
  }, true);
  const origin = 'http://127.0.0.1:' + server.address().port;
  const blocked = [];
  const all = [];
  const models = o.models.split(',');
  const threads = o.threads.split(',').map(Number);
  try {
    for (let run = 0; run < +o.runs; run++) {
      for (const m of models) {
        for (const t of threads) {
          const r = await browserWith(chromium, o.chromium, o.extraArgs, origin, blocked, async (page, logs, cpuMs) => {
            // tfjs-backend-wasm 4.22 caps its XNNPACK pool at
            // navigator.hardwareConcurrency / 2 (it assumes 2 hyper-threads per
            // core), i.e. 1 thread on this 2-vCPU VM. To measure t threads,
            // the page is told there are 2t logical CPUs.
            await page.addInitScript((n) => {
              Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', {get: () => n});
            }, 2 * t);
            await page.goto(origin + '/page/tfjs_page.html');
            const res = await page.evaluate((a) => window.peerSetup(a), {
              modelUrl: origin + '/models/blazepose-' + m + '.json', framesUrl: origin + '/frames.rgb',
              count: +o.count, threads: t, outputs: o.outputs, warmup: +o.warmup,
            });
            const times = [];
            let flagSum = 0;
            let cpuTotalMs = 0;
            for (let pass = 0; pass < +o.passes; pass++) {
              const c0 = cpuMs();
              const p = await page.evaluate(() => window.peerPass());
              cpuTotalMs += cpuMs() - c0;
              times.push(...p.times);
              flagSum += p.flagSum;
              res.wasmLoaded = p.wasmLoaded;
            }
            const sorted = times.slice().sort((a, b) => a - b);
            return Object.assign(res, {
              n: times.length, meanPoseFlag: flagSum / times.length, medianMs: percentile(sorted, 50),
              p90Ms: percentile(sorted, 90), minMs: sorted[0], cpuMsPerInference: cpuTotalMs / times.length,
              timesMs: times,
            });
          });
          r.model = 'blazepose-' + m;
          r.run = run;
          all.push(r);
          console.log(`run ${run} ${r.model} ${r.outputs} threads ${r.threadsUsed}/${t} simd ${r.simd} ` +
            `mt ${r.multithreadSupport} isolated ${r.crossOriginIsolated}: median ${r.medianMs.toFixed(2)} ms ` +
            `p90 ${r.p90Ms.toFixed(2)} ms min ${r.minMs.toFixed(2)} ms, browser CPU ` +
            `${r.cpuMsPerInference.toFixed(1)} ms/inference (n=${r.n}, mean pose flag ` +
            `${r.meanPoseFlag.toFixed(3)})`);
        }
      }
    }
  } finally {
    server.close();
  }
  const summary = [];
  for (const m of models) {
    for (const t of threads) {
      const rs = all.filter((r) => r.model === 'blazepose-' + m && r.threadsRequested === t);
      summary.push({
        model: 'blazepose-' + m, threads: t, threadsUsed: rs[0].threadsUsed, runs: rs.length,
        medianOfMediansMs: median(rs.map((r) => r.medianMs)),
        medianOfP90Ms: median(rs.map((r) => r.p90Ms)),
        medianOfMinMs: median(rs.map((r) => r.minMs)),
        medianCpuMsPerInference: median(rs.map((r) => r.cpuMsPerInference)),
        perRunMedianMs: rs.map((r) => r.medianMs),
      });
    }
  }
  console.log('summary (median over runs of the per-run median / p90, ms per inference):');
  for (const s of summary) {
    console.log(`  ${s.model} threads ${s.threadsUsed}/${s.threads}: median ${s.medianOfMediansMs.toFixed(2)} ` +
      `p90 ${s.medianOfP90Ms.toFixed(2)} browser CPU ${s.medianCpuMsPerInference.toFixed(1)} (per run: ${s.perRunMedianMs.map((x) => x.toFixed(2)).join(', ')})`);
  }
  console.log('user agent: ' + (all[0] ? all[0].userAgent : '-'));
  console.log('wasm loaded: ' + (all[0] ? all[0].wasmLoaded.join(' ') : '-') + '; navigator.hardwareConcurrency ' +
    (all[0] ? all[0].hardwareConcurrency : '-'));
  console.log('non-loopback requests blocked: ' + blocked.length);
  if (o.out) {
    fs.writeFileSync(o.out, JSON.stringify({
      tool: 'bench/peer/bench_tfjs_browser.js', playwrightCore: req('playwright-core/package.json').version,
      frames: {file: o.frames, count: +o.count}, warmup: +o.warmup, passes: +o.passes,
      blocked: Array.from(new Set(blocked)), loadavg: os.loadavg(), summary, runs: all,
    }, null, 1));
  }
}

main().catch((err) => {
  console.error('bench_tfjs_browser: ' + (err && err.stack || err));
  process.exit(1);
});
