#!/usr/bin/env bash
# Fetch the MediaPipe BlazePose GHUM 3D TFLite models (Apache-2.0) from the
# npm package @mediapipe/pose and check them against their sha256.
# Never committed; unpacked into ${KINALYZE_MODELS_DIR:-models}/.
# Source and checksums: docs/ARCHITECTURE.md ("Models").
set -euo pipefail

dir=${KINALYZE_MODELS_DIR:-models}
pkg=@mediapipe/pose@0.5.1675469404
sums='a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85  pose_detection.tflite
f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61  pose_landmark_lite.tflite
e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f  pose_landmark_full.tflite
59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe  pose_landmark_heavy.tflite'

mkdir -p "$dir"
if (cd "$dir" && echo "$sums" | sha256sum -c --quiet - >/dev/null 2>&1); then
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "models: fetching $pkg" >&2
(cd "$tmp" && npm pack --ignore-scripts --silent "$pkg" >/dev/null)
tar -xzf "$tmp"/mediapipe-pose-*.tgz -C "$tmp" \
  package/pose_landmark_lite.tflite package/pose_landmark_full.tflite \
  package/pose_landmark_heavy.tflite package/pose_solution_packed_assets.data
# The packed-assets blob begins with pose_detection.tflite (bytes 0..2962288).
head -c 2962288 "$tmp/package/pose_solution_packed_assets.data" > "$tmp/pose_detection.tflite"
mv "$tmp"/package/pose_landmark_*.tflite "$tmp/"
(cd "$tmp" && echo "$sums" | sha256sum -c --quiet -)
mv "$tmp"/pose_detection.tflite "$tmp"/pose_landmark_*.tflite "$dir/"
echo "models: ok in $dir" >&2
