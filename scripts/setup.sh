#!/usr/bin/env bash
# Installs everything Beacon needs on a fresh Debian 12 machine and builds it.
# Idempotent: packages already present are skipped by apt-get; the build is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang
  libboost1.81-dev libboost-url1.81-dev
  libcli11-dev nlohmann-json3-dev libtoml11-dev libsqlite3-dev sqlite3
  libargon2-dev libsodium-dev libssl-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev
  ffmpeg flite1-dev libcairo2-dev libpango1.0-dev libpng-dev
  apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en apertium-eu-en
  apertium-hbs-eng apertium-isl-eng apertium-mkd-eng espeak-ng
  xmltv-util libxml2-utils tzdata
  chromium wrk nginx-light
  mpv vlc-bin vlc-plugin-base gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-libav python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
  python3 python3-yaml curl jq openssl clang-format clang-tidy
  prometheus
  libpq-dev postgresql-15 s3cmd libhiredis-dev redis-server docker-compose
  libarchive-dev libicu-dev
  libzim-dev libgumbo-dev zim-tools kiwix-tools wamerican

)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ -f web/package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund && npm run build)
fi
if [ -f tests/e2e/liveloop_tools/package-lock.json ]; then
  (cd tests/e2e/liveloop_tools && npm ci --no-audit --no-fund)
fi
if [ -f tests/integration/s3_tools/package-lock.json ]; then
  (cd tests/integration/s3_tools && npm ci --no-audit --no-fund)
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
