// Shared plumbing for the headless-Chromium peer benchmarks
// (bench_mediapipe.js, bench_tfjs_browser.js): a loopback-only static file
// server that serves an explicit URL -> file map, and a launcher that starts
// Debian's Chromium through playwright-core with a fresh profile and aborts
// (and records) every request that does not go to that server, and the CPU
// time used by that browser's whole process tree (from /proc), which is far
// less sensitive to other load on the machine than wall time.
'use strict';

const {execFileSync} = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json',
};

// files: function (pathname) -> absolute file path or null (404).
// isolated: send COOP/COEP so the page is cross-origin isolated, which
// SharedArrayBuffer (WASM threads) needs.
function serverStart(files, isolated) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const file = files(url.pathname);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      res.end();
      return;
    }
    const headers = {
      'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
      'Content-Length': fs.statSync(file).size,
      'Cache-Control': 'no-store',
    };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    res.writeHead(200, headers);
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let clkTck = 0;

// Total user+system CPU time in ms of every process whose command line
// contains marker, and of all their descendants. Linux /proc only.
function procTreeCpuMs(marker) {
  if (!clkTck) clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const procs = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync('/proc/' + d + '/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
      const cmd = fs.readFileSync('/proc/' + d + '/cmdline', 'utf8');
      procs.set(+d, {ppid: +f[1], ticks: +f[11] + +f[12], mark: cmd.includes(marker)});
    } catch (err) {
      // The process exited while we were reading it.
    }
  }
  const seen = new Set();
  const stack = [...procs.keys()].filter((pid) => procs.get(pid).mark);
  while (stack.length) {
    const pid = stack.pop();
    if (seen.has(pid)) continue;
    seen.add(pid);
    for (const [c, p] of procs) if (p.ppid === pid) stack.push(c);
  }
  let ticks = 0;
  for (const pid of seen) ticks += procs.get(pid).ticks;
  return (ticks * 1000) / clkTck;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

// Runs fn(page, logs, cpuMs) in a fresh headless Chromium with a fresh
// profile directory (removed afterwards); cpuMs() returns the CPU time used so
// far by that browser's processes. Non-loopback requests are aborted and their
// URLs pushed onto blocked.
async function browserWith(chromium, executablePath, extraArgs, origin, blocked, fn) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-peer-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS.concat(extraArgs ? extraArgs.split(' ').filter(Boolean) : []),
  });
  try {
    await ctx.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith(origin + '/')) return route.continue();
      blocked.push(u);
      return route.abort();
    });
    const page = await ctx.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(m.type() + ': ' + m.text()));
    page.on('pageerror', (err) => logs.push('pageerror: ' + err.message));
    try {
      return await fn(page, logs, () => procTreeCpuMs(profile));
    } catch (err) {
      throw new Error(err.message + '\n--- page console (last 20) ---\n' + logs.slice(-20).join('\n'));
    }
  } finally {
    await ctx.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function argsParse(argv, defaults, required) {
  const o = Object.assign({}, defaults);
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error('bad argument ' + argv[i]);
    o[argv[i].slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = argv[i + 1];
  }
  for (const k of required) {
    if (!o[k]) throw new Error('missing --' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
  }
  return o;
}

module.exports = {serverStart, browserWith, median, argsParse, procTreeCpuMs, CHROMIUM_ARGS};
