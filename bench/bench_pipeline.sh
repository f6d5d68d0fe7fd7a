#!/usr/bin/env bash
# bench_pipeline.sh — end-to-end real-time factor of `kinalyze analyze` per
# shared clip, per pipeline step (probe, pose, bar, analysis, video with its
# render/encode parts), median of N runs, optionally side by side with a
# baseline binary (runs interleaved: baseline, candidate, baseline, ...).
#
#   bench/bench_pipeline.sh [-n RUNS] [-b BASELINE_KINALYZE] [-m MODELS_DIR] [CLIP ...]
#
# CLIP is a file name in ../shared/media (default: every running, walking,
# jump and lift clip there). The activity comes from the name. RTF = wall
# time of the whole run / clip duration (kinalyze.pipeline.real_time_factor).
# Prints one Markdown table row per clip (and per binary).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${KINALYZE_BIN:-$root/build/src/cli/kinalyze}
media=${KZ_SHARED_MEDIA:-$root/../shared/media}
models=${KINALYZE_MODELS_DIR:-$root/models}
runs=3
base=""
while getopts "n:b:m:" o; do
    case $o in
    n) runs=$OPTARG ;;
    b) base=$OPTARG ;;
    m) models=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
clips=("$@")
if [ ${#clips[@]} -eq 0 ]; then
    clips=(running_treadmill_side_60fps.mp4 running_treadmill_side_slowmo.mp4
        running_outdoor_side_short.mp4 sprint_100m_track.mp4 walking_side.mp4
        jump_cmj_armswing_oblique.mp4 jump_reach_frontal.mp4
        sports2d_demo_walk_jumpingjacks_flip.mp4 snatch_side_ilyin.mp4 clean_side_dave.mp4
        clean_side_randy.mp4 squat_barbell_side_stabilised.mp4)
fi
[ -d "$media" ] || { echo "no shared media at $media" >&2; exit 77; }
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

args_for() { # activity and options from the clip name
    case $1 in
    jump_* | sports2d_*) echo "jumping" ;;
    snatch_*) echo "weightlifting --exercise snatch" ;;
    clean_* | squat_*) echo "weightlifting --exercise clean" ;;
    *) echo "running" ;;
    esac
}

echo "| clip | binary | frames | clip s | RTF median (min-max) | probe | pose | bar | analysis | video (render, encode) | total s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for clip in "${clips[@]}"; do
    path=$media/$clip
    [ -f "$path" ] || { echo "skip $clip (absent)" >&2; continue; }
    read -r -a act <<<"$(args_for "$clip")"
    bins=("$bin")
    [ -n "$base" ] && bins=("$base" "$bin")
    failed=()
    for ((r = 0; r < runs; r++)); do
        for k in "${!bins[@]}"; do
            [ -n "${failed[$k]:-}" ] && continue
            d=$out/$clip.$k.$r
            if ! "${bins[$k]}" analyze "${act[@]}" "$path" --models-dir "$models" --out "$d" \
                --quiet >/dev/null 2>"$out/err"; then
                failed[$k]=$(tail -1 "$out/err")
            fi
        done
    done
    for k in "${!bins[@]}"; do
        label=candidate
        [ -n "$base" ] && [ "$k" = 0 ] && label=baseline
        if [ -n "${failed[$k]:-}" ]; then
            echo "| ${clip%.mp4} | $label | failed: ${failed[$k]} |||||||||"
            continue
        fi
        python3 - "$clip" "$label" "$out" "$k" "$runs" <<'PY'
import json, statistics, sys
clip, label, out, k, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
docs = [json.load(open("%s/%s.%s.%d/result.json" % (out, clip, k, r)))["kinalyze"]["pipeline"]
        for r in range(runs)]
docs.sort(key=lambda d: d["real_time_factor"])
med = docs[len(docs) // 2]
t = med["timing_s"]
rtf = [d["real_time_factor"] for d in docs]
print("| %s | %s | %d | %.2f | **%.2f** (%.2f-%.2f) | %.2f | %.2f | %.2f | %.3f | %.2f (%.2f, %.2f) | %.2f |" % (
    clip.replace(".mp4", ""), label, med["frames"], med["duration_s"], med["real_time_factor"],
    rtf[0], rtf[-1], t["probe"], t["pose"], t.get("bar", 0.0), t["analysis"], t["video"],
    t["render"], t["encode"], t["total"]))
PY
    done
done
