#!/usr/bin/env bash
# bench_upload_e2e — what a coach's app sees: a clip uploaded to the real
# server (release build, embedded defaults, one worker) until its session is
# `completed`, per run: upload time, processing time (upload answered →
# status completed, polled every 100 ms: up to 0.1 s late, but curl processes polling faster steal the CPU being measured) and the real-time factor
# processing / clip duration; median of RUNS sequential runs. Printed, never
# asserted.
# Usage: build/bench/bench_upload_e2e [CLIP] [ACTIVITY]
#        (env: RUNS=3, KINALYZE_MODELS_DIR=models; default CLIP: the 60 fps
#        treadmill clip in ../shared/media, ACTIVITY running)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${KINALYZE_BIN:-$here/../src/cli/kinalyze}
clip=${1:-$root/../shared/media/running_treadmill_side_60fps.mp4}
activity=${2:-running}
runs=${RUNS:-3}
models=${KINALYZE_MODELS_DIR:-$root/models}
[ -f "$clip" ] || { echo "bench_upload_e2e: $clip absent, skipping"; exit 0; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/kz-e2e-XXXXXX")
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
"$bin" serve --data-dir "$scratch/data" --listen 127.0.0.1:0 --models-dir "$models" \
  --log-level ${LOG_LEVEL:-warn} > "$scratch/out" 2> "$scratch/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$scratch/out" 2>/dev/null && break; sleep 0.1; done
key=$(grep -o 'kz_[A-Za-z0-9_-]*' "$scratch/out" | head -1)
url=http://127.0.0.1:$(cat "$scratch/data/server.port")
dur=$(ffprobe -v error -select_streams v:0 -show_entries format=duration -of csv=p=0 "$clip")
calc() { awk "BEGIN { print $* }"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fields=()
[ "$activity" = weightlifting ] && fields=(-F exercise_name=snatch)
ups=(); procs=()
for i in $(seq "$runs"); do
  t0=$(date +%s.%N)
  resp=$(curl -sS -H "API-KEY: $key" -F "video=@$clip" "${fields[@]}" "$url/$activity/sessions/")
  t1=$(date +%s.%N)
  sid=$(printf '%s' "$resp" | sed -n 's/.*"session_id":"\([0-9a-f]*\)".*/\1/p')
  [ -n "$sid" ] || { echo "upload failed: $resp"; exit 1; }
  while :; do
    st=$(curl -sS -H "API-KEY: $key" "$url/session-management/sessions/$sid/status/")
    case $st in
    *'"status":"completed"'*) break ;;
    *'"status":"failed"'*) echo "failed: $st"; exit 1 ;;
    esac
    sleep 0.1
  done
  t2=$(date +%s.%N)
  ups+=("$(calc "$t1 - $t0")")
  procs+=("$(calc "$t2 - $t1")")
  echo "run $i: upload $(calc "$t1 - $t0") s, processing $(calc "$t2 - $t1") s"
done
[ -n "${SHOW_LOG:-}" ] && cat "$scratch/err"
up=$(printf '%s\n' "${ups[@]}" | median)
pr=$(printf '%s\n' "${procs[@]}" | median)
echo "clip $(basename "$clip") ($dur s): upload median $up s, processing median $pr s," \
  "real-time factor $(calc "$pr / $dur") (processing / clip duration)"
