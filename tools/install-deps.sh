#!/usr/bin/env bash
# Installs every Debian package AttnScope needs to build, run and test.
# Usage: tools/install-deps.sh            (build + run + test dependencies)
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
PKGS=(
  cmake g++ make pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqt6svg6 qt6-image-formats-plugins
  libgl-dev libeigen3-dev nlohmann-json3-dev libopenblas-openmp-dev
  xvfb xauth imagemagick poppler-utils fonts-dejavu-core
  dpkg-dev appstream desktop-file-utils shared-mime-info file  # the .deb and its checks
)
# Skip apt when everything is already there (fast re-runs on a prepared machine).
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
