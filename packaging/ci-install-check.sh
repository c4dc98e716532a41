#!/usr/bin/env bash
# ci-install-check.sh BUILD_DIR: builds the .deb, installs it for real with apt (as root, as CI
# runs), checks that dpkg lists the desktop entry, icons, metainfo and MIME type and that the
# installed attnscope-cli opens builtin:induction from /usr/share/attnscope, then removes it.
set -euo pipefail
build=$1
app=io.github.attnscope.AttnScope
rm -f "$build"/attnscope_*.deb
cmake --build "$build" --target package
debs=("$build"/attnscope_*.deb)
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "$(realpath "${debs[0]}")"
trap 'apt-get remove -y -q attnscope' EXIT

listed=$(dpkg -L attnscope)
for path in /usr/bin/attnscope /usr/bin/attnscope-cli "/usr/share/applications/$app.desktop" \
            "/usr/share/metainfo/$app.metainfo.xml" /usr/share/mime/packages/attnscope.xml \
            "/usr/share/icons/hicolor/scalable/apps/$app.svg" "/usr/share/icons/hicolor/48x48/apps/$app.png" \
            "/usr/share/icons/hicolor/256x256/apps/$app.png" /usr/share/attnscope/builtin/induction/config.json; do
  grep -qxF "$path" <<<"$listed" || { echo "FAIL: dpkg -L attnscope lacks $path" >&2; exit 1; }
done

# The package's triggers ran: the MIME database knows session files and the desktop database
# gives them to the app.
[ -f /usr/share/mime/application/x-attnscope-session.xml ] || { echo "FAIL: the MIME database lacks the session type" >&2; exit 1; }
grep -q "^application/x-attnscope-session=.*$app.desktop" /usr/share/applications/mimeinfo.cache ||
  { echo "FAIL: the desktop database does not open session files with $app.desktop" >&2; exit 1; }
QT_QPA_PLATFORM=offscreen /usr/bin/attnscope --version

# /usr/bin is outside the build tree, so this finds the package's own share/attnscope models.
env -u ATTNSCOPE_BUILTIN_DIR /usr/bin/attnscope-cli info builtin:induction >/dev/null ||
  { echo "FAIL: the installed attnscope-cli cannot open builtin:induction" >&2; exit 1; }
echo "ok: the installed package lists its desktop entry, icons and metainfo, and its CLI runs"
