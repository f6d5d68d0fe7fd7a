#!/usr/bin/env bash
# bench_server — end-to-end figures for the HTTP server (issue 2), printed,
# never asserted:
#   1. upload throughput of a ~1 GiB video over loopback (curl → kinalyze,
#      streamed to disk, fsynced, probed, placed, rows written) against `cat`
#      writing the same bytes to the same disk (+ sync), as a ratio; medians
#      of RUNS alternating runs;
#   2. the server's peak RSS (VmHWM) before and after those uploads;
#   3. GET requests/s with wrk -c64 on the status endpoint and on
#      GET /jumping/sessions/{id}/ (a full vendor document, results seeded by
#      seed_results).
# Usage: build/bench/bench_server   (env: RUNS=3 SIZE_FRAMES=777 WRK_S=10 DIR=<scratch dir>)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${KINALYZE_BIN:-$here/../src/cli/kinalyze}
seed=$here/seed_results
runs=${RUNS:-3}
frames=${SIZE_FRAMES:-777}
wrk_s=${WRK_S:-10}
for t in curl ffmpeg wrk; do
  command -v "$t" >/dev/null || { echo "bench_server: $t not installed, skipping"; exit 0; }
done
scratch=${DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kz-bench-XXXXXX")}
data=$scratch/data
mkdir -p "$data"
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

# A ~1 GiB video that costs nothing to make: raw 1280x720 yuv420p frames in Matroska.
src=$scratch/big.mkv
ffmpeg -loglevel error -y -f lavfi -i testsrc=size=1280x720:rate=30 -frames:v "$frames" \
  -c:v rawvideo -pix_fmt yuv420p "$src"
bytes=$(stat -c %s "$src")
cat "$src" > /dev/null   # warm the page cache for both contenders

"$bin" serve --data-dir "$data" --listen 127.0.0.1:0 --workers 0 --log-level warn \
  --max-upload-bytes $((4 << 30)) > "$scratch/out" 2> "$scratch/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$scratch/out" 2>/dev/null && break; sleep 0.1; done
key=$(grep -o 'kz_[A-Za-z0-9_-]*' "$scratch/out" | head -1)
port=$(cat "$data/server.port")
url=http://127.0.0.1:$port
hwm() { awk '/VmHWM/ {print $2}' "/proc/$pid/status"; }
rss0=$(hwm)

calc() { awk "BEGIN { print $* }"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
up_times=(); cat_times=(); sid=
for i in $(seq "$runs"); do
  t0=$(date +%s.%N)
  resp=$(curl -sS -H "API-KEY: $key" -F "video=@$src" -F "session_name=bench $i" \
    "$url/jumping/sessions/")
  t1=$(date +%s.%N)
  sid=$(printf '%s' "$resp" | sed -n 's/.*"session_id":"\([0-9a-f]*\)".*/\1/p')
  [ -n "$sid" ] || { echo "upload failed: $resp"; exit 1; }
  up_times+=("$(calc "$t1 - $t0")")
  t0=$(date +%s.%N)
  cat "$src" > "$data/cat-copy.bin"
  sync "$data/cat-copy.bin"
  t1=$(date +%s.%N)
  cat_times+=("$(calc "$t1 - $t0")")
  rm -f "$data/cat-copy.bin"
done
up=$(printf '%s\n' "${up_times[@]}" | median)
ct=$(printf '%s\n' "${cat_times[@]}" | median)
rss1=$(hwm)
mib=$(calc "$bytes / 1048576")
printf 'upload: %.0f MiB in %.2f s = %.0f MiB/s (median of %d: %s)\n' "$mib" "$up" \
  "$(calc "$mib / $up")" "$runs" "${up_times[*]}"
printf 'cat+sync: %.2f s = %.0f MiB/s (median of %d: %s)\n' "$ct" "$(calc "$mib / $ct")" \
  "$runs" "${cat_times[*]}"
printf 'ratio upload/cat throughput: %.2f\n' "$(calc "$ct / $up")"
printf 'server peak RSS (VmHWM): %d KiB before uploads, %d KiB after %d x %.0f MiB\n' \
  "$rss0" "$rss1" "$runs" "$mib"

"$seed" "sqlite:$data/kinalyze.db" "$sid" > /dev/null
echo "wrk -t2 -c64 -d${wrk_s}s GET /session-management/sessions/{id}/status/:"
wrk -t2 -c64 -d"${wrk_s}s" -H "API-KEY: $key" "$url/session-management/sessions/$sid/status/" \
  | grep -E 'Requests/sec|Latency|Non-2xx'
echo "wrk -t2 -c64 -d${wrk_s}s GET /jumping/sessions/{id}/ (seeded results):"
wrk -t2 -c64 -d"${wrk_s}s" -H "API-KEY: $key" "$url/jumping/sessions/$sid/" \
  | grep -E 'Requests/sec|Latency|Non-2xx'
printf 'body size of GET /jumping/sessions/{id}/: %s bytes\n' \
  "$(curl -s -H "API-KEY: $key" "$url/jumping/sessions/$sid/" | wc -c)"
