#!/usr/bin/env python3
"""Compare `kinalyze pose` landmarks with MediaPipe's own runtime on the same frames.

usage: pose-compare-mediapipe.py MP_LANDMARKS.json KEY KINALYZE_POSE.json

MP_LANDMARKS.json is what bench/peer/bench_mediapipe.js writes with --landmarks-out
({"complexity1": [per frame: null or 33 x [x, y, z, visibility] normalised], ...});
KEY picks the model (complexity0 = lite, 1 = full, 2 = heavy). KINALYZE_POSE.json is
`kinalyze pose VIDEO --max-frames N --out FILE` on the same clip. Prints the
distribution of the pixel distance between the two landmark sets (median, p90, max),
the median per landmark, and the largest visibility difference. Stdlib only.
"""
import json
import math
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    mp = json.load(open(sys.argv[1]))[sys.argv[2]]
    kz = json.load(open(sys.argv[3]))
    w, h = kz["width"], kz["height"]
    names = kz["landmark_names"]
    per = [[] for _ in names]
    dvis = 0.0
    both = 0
    for a, b in zip(mp, kz["frames"]):
        if a is None or not b["found"]:
            continue
        both += 1
        for k in range(len(names)):
            per[k].append(math.hypot(a[k][0] * w - b["landmarks"][k][0],
                                     a[k][1] * h - b["landmarks"][k][1]))
            dvis = max(dvis, abs(a[k][3] - b["landmarks"][k][3]))
    alld = sorted(d for p in per for d in p)
    if not alld:
        sys.exit("no frame with a pose in both")
    n = len(alld)
    print(f"frames with a pose in both: {both}; points: {n}")
    print(f"distance px: median {alld[n // 2]:.2f}, p90 {alld[int(n * 0.9)]:.2f}, "
          f"max {alld[-1]:.1f}; above 30 px: {sum(d > 30 for d in alld)}")
    print("median per landmark: " + ", ".join(
        f"{names[k]} {sorted(p)[len(p) // 2]:.1f}" for k, p in enumerate(per) if p))
    print(f"largest visibility difference: {dvis:.3f}")


if __name__ == "__main__":
    main()
