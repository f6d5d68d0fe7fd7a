// Peer benchmark (a): MediaPipe's own BlazePose runtime, the WASM build in the
// npm package @mediapipe/pose, driven in headless Chromium.
//
// Serves, on 127.0.0.1 only, the package's files (/mp/...), the page
// (mediapipe_page.html + mediapipe_page.js, /page/...) and the raw RGB24
// frames (/frames.rgb); launches Debian's Chromium through playwright-core
// with a fresh profile, aborts (and counts) every request that is not to the
// loopback server, and for each (run, model complexity, mode) starts a fresh
// browser, loads the frames onto canvases, calls window.peerSetup() and then
// times window.peerPass() --passes times, reading the CPU time of the whole
// browser process tree around each pass (see
// mediapipe_page.js for what is timed). Prints one line per measurement and
// writes all figures as JSON.
//
// Usage: node bench_mediapipe.js --cache DIR --frames FILE --width W
//   --height H --count N (the first N frames of FILE are used) [--complexities 0,1,2] [--modes track,detect]
//   [--runs 3] [--warmup-frames 10] [--passes 1] [--chromium /usr/bin/chromium]
//   [--out results.json] [--landmarks-out landmarks.json] [--print-console 1]
//   [--extra-args 'more chromium flags']
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

// One fresh browser: load frames, set up and warm up the solution, then
// o.passes timed passes, each bracketed by readings of the browser's CPU time.
async function measureOnce(chromium, o, origin, complexity, mode, blocked) {
  return browserWith(chromium, o.chromium, o.extraArgs, origin, blocked, async (page, logs, cpuMs) => {
    await page.goto(origin + '/page/mediapipe_page.html');
    const env = await page.evaluate((a) => window.peerLoad(a), {
      framesUrl: origin + '/frames.rgb', width: +o.width, height: +o.height, count: +o.count,
    });
    const setup = await page.evaluate((a) => window.peerSetup(a), {
      modelComplexity: complexity, mode, warmupFrames: +o.warmupFrames,
    });
    const times = [];
    let found = 0;
    let cpuTotalMs = 0;
    let landmarks = null;
    for (let pass = 0; pass < +o.passes; pass++) {
      const c0 = cpuMs();
      const p = await page.evaluate(() => window.peerPass());
      cpuTotalMs += cpuMs() - c0;
      times.push(...p.times);
      found += p.found;
      landmarks = p.landmarks;
    }
    const loaded = await page.evaluate(() => window.peerClose());
    if (o.printConsole === '1') console.log(logs.join('\n'));
    const sorted = times.slice().sort((a, b) => a - b);
    return {
      modelComplexity: complexity, mode, initMs: setup.initMs, firstSendMs: setup.firstSendMs,
      n: times.length, found, medianMs: percentile(sorted, 50), p90Ms: percentile(sorted, 90),
      minMs: sorted[0], meanMs: times.reduce((a, b) => a + b, 0) / times.length,
      cpuMsPerFrame: cpuTotalMs / times.length, timesMs: times, loaded: Array.from(new Set(loaded)),
      landmarks, env,
    };
  });
}

async function main() {
  const o = argsParse(process.argv.slice(2), {
    complexities: '0,1,2', modes: 'track,detect', runs: '3', warmupFrames: '10', passes: '1',
    chromium: '/usr/bin/chromium',
  }, ['cache', 'frames', 'width', 'height', 'count']);
  const req = createRequire(path.join(path.resolve(o.cache), 'package.json'));
  const {chromium} = req('playwright-core');
  const mpDir = path.dirname(req.resolve('@mediapipe/pose/package.json'));
  const mpVersion = JSON.parse(fs.readFileSync(path.join(mpDir, 'package.json'))).version;
  const pwVersion = req('playwright-core/package.json').version;
  const framesFile = path.resolve(o.frames);
  // Only named files are served: the page's two files, the package's files
  // (basename, no path components) and the frames file.
  const server = await serverStart((p) => {
    const base = path.basename(p);
    if (p === '/frames.rgb') return framesFile;
    if (p === '/page/' + base && /^mediapipe_page\.(html|js)$/.test(base)) return path.join(__dirname, base);
    if (p === '/mp/' + base && !base.startsWith('.')) return path.join(mpDir, base);
    return null;
  }, false);
  const origin = 'http://127.0.0.1:' + server.address().port;
  const blocked = [];
  const all = [];
  const complexities = o.complexities.split(',').map(Number);
  const modes = o.modes.split(',');
  let env = null;
  let landmarks = {};
  try {
    for (let run = 0; run < +o.runs; run++) {
      for (const c of complexities) {
        for (const mode of modes) {
          const r = await measureOnce(chromium, o, origin, c, mode, blocked);
          env = r.env;
          if (run === 0 && mode === 'track') landmarks['complexity' + c] = r.landmarks;
          delete r.landmarks;
          delete r.env;
          r.run = run;
          all.push(r);
          console.log(`run ${run} complexity ${c} ${mode}: median ${r.medianMs.toFixed(2)} ms ` +
            `p90 ${r.p90Ms.toFixed(2)} ms min ${r.minMs.toFixed(2)} ms, browser CPU ` +
            `${r.cpuMsPerFrame.toFixed(1)} ms/frame (n=${r.n}, pose found ` +
            `${r.found}/${r.n}, init ${r.initMs.toFixed(0)} ms, first send ${r.firstSendMs.toFixed(0)} ms)`);
        }
      }
    }
  } finally {
    server.close();
  }
  const summary = [];
  for (const c of complexities) {
    for (const mode of modes) {
      const rs = all.filter((r) => r.modelComplexity === c && r.mode === mode);
      summary.push({
        modelComplexity: c, mode, runs: rs.length,
        medianOfMediansMs: median(rs.map((r) => r.medianMs)),
        medianOfP90Ms: median(rs.map((r) => r.p90Ms)),
        medianOfMinMs: median(rs.map((r) => r.minMs)),
        medianCpuMsPerFrame: median(rs.map((r) => r.cpuMsPerFrame)),
        perRunMedianMs: rs.map((r) => r.medianMs),
        found: rs.map((r) => r.found + '/' + r.n),
      });
    }
  }
  console.log('summary (median over runs of the per-run median / p90, ms per pose.send):');
  for (const s of summary) {
    console.log(`  complexity ${s.modelComplexity} ${s.mode}: median ${s.medianOfMediansMs.toFixed(2)} ` +
      `p90 ${s.medianOfP90Ms.toFixed(2)} browser CPU ${s.medianCpuMsPerFrame.toFixed(1)} ms/frame (per run: ${s.perRunMedianMs.map((x) => x.toFixed(2)).join(', ')})`);
  }
  console.log('wasm/model files loaded: ' + (all[0] ? all[0].loaded.join(' ') : '-'));
  console.log('webgl2 renderer: ' + (env ? env.webgl2Renderer : '-'));
  console.log('user agent: ' + (env ? env.userAgent : '-'));
  console.log('non-loopback requests blocked: ' + blocked.length + (blocked.length ? ' ' + Array.from(new Set(blocked)).join(' ') : ''));
  const out = {
    tool: 'bench/peer/bench_mediapipe.js', mediapipePose: mpVersion, playwrightCore: pwVersion,
    chromiumUserAgent: env && env.userAgent, webgl2Renderer: env && env.webgl2Renderer,
    frames: {file: o.frames, width: +o.width, height: +o.height, count: +o.count},
    warmupFrames: +o.warmupFrames, passes: +o.passes, blocked: Array.from(new Set(blocked)),
    loadavg: os.loadavg(), summary, runs: all,
  };
  if (o.out) fs.writeFileSync(o.out, JSON.stringify(out, null, 1));
  if (o.landmarksOut) fs.writeFileSync(o.landmarksOut, JSON.stringify(landmarks));
}

main().catch((err) => {
  console.error('bench_mediapipe: ' + (err && err.stack || err));
  process.exit(1);
});
