#!/usr/bin/env bash
# check_deb.sh CPACK BUILD_DIR SOURCE_DIR APP_ID WORK_DIR: builds the .deb from the build tree
# and checks what a user gets: Depends naming Qt 6, the files desktops and software centres
# read (each put through its validator), and binaries that run from the unpacked package and
# find the built-in models in its own share/attnscope.
set -euo pipefail
cpack=$1 build=$2 source=$3 app=$4 work=$5
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps appstreamcli desktop-file-validate update-mime-database file readelf; do
  command -v "$tool" >/dev/null || fail "$tool is missing; run tools/install-deps.sh"
done
rm -rf "$work" && mkdir -p "$work"

"$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack could not build the package"; }
debs=("$work"/out/attnscope_*.deb)
[ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no single attnscope_*.deb in $work/out"
deb=${debs[0]}
echo "package: $deb"

# Depends: Qt 6 from dpkg-shlibdeps, and the plugins Qt loads at run time.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for pkg in libqt6core6 libqt6gui6 libqt6widgets6 libqt6svg6 qt6-image-formats-plugins libc6; do
  grep -Eq "(^|, )$pkg( |,|$)" <<<"$depends" || fail "Depends lacks $pkg"
done
[ "$(dpkg-deb -f "$deb" Package)" = attnscope ] || fail "the package is not named attnscope"

# The files, where desktops, software centres and the app itself look for them.
listing=$(dpkg-deb -c "$deb" | awk '{print $6}')
expected=(usr/bin/attnscope usr/bin/attnscope-cli
          "usr/share/applications/$app.desktop" "usr/share/metainfo/$app.metainfo.xml"
          usr/share/mime/packages/attnscope.xml "usr/share/icons/hicolor/scalable/apps/$app.svg"
          usr/share/attnscope/builtin/induction/config.json usr/share/attnscope/builtin/shapes/config.json
          usr/share/attnscope/samples/sentences.txt)
for size in 16 32 48 64 128 256; do expected+=("usr/share/icons/hicolor/${size}x${size}/apps/$app.png"); done
for path in "${expected[@]}"; do grep -qxF "./$path" <<<"$listing" || fail "the package lacks /$path"; done

# Unpacked outside the build tree: binaries inside it may also use the source tree's models
# (core/model/ModelReference.h), so only from here does a run prove the package has its own.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
share="$root/usr/share"

# Every PNG is an image of its nominal size.
for size in 16 32 48 64 128 256; do
  png="$share/icons/hicolor/${size}x${size}/apps/$app.png"
  file -b "$png" | grep -q "^PNG image data, $size x $size," || fail "$png is not a ${size}x$size PNG: $(file -b "$png")"
done

# The desktop entry and metainfo pass their validators without a warning or hint.
report=$(desktop-file-validate "$share/applications/$app.desktop" 2>&1) && [ -z "$report" ] ||
  fail "desktop-file-validate: $report"
appstreamcli validate --no-net --strict "$share/metainfo/$app.metainfo.xml" ||
  fail "appstreamcli rejects the metainfo"
version=$(dpkg-deb -f "$deb" Version)
grep -q "<release version=\"$version\"" "$share/metainfo/$app.metainfo.xml" || fail "the metainfo has no release $version"
grep -qx "Icon=$app" "$share/applications/$app.desktop" || fail "the desktop entry does not name the icon $app"

# The MIME type compiles, and the desktop entry and metainfo name it.
mime="$work/mime"
mkdir -p "$mime/packages" && cp "$share/mime/packages/attnscope.xml" "$mime/packages/"
update-mime-database "$mime" 2>/dev/null
[ -f "$mime/application/x-attnscope-session.xml" ] || fail "update-mime-database did not take attnscope.xml"
grep -qx '[0-9]*:application/x-attnscope-session:\*\.attnscope:cs' "$mime/globs2" || fail "no *.attnscope glob"
grep -qx 'MimeType=application/x-attnscope-session;' "$share/applications/$app.desktop" ||
  fail "the desktop entry does not open session files"
grep -q '<mediatype>application/x-attnscope-session</mediatype>' "$share/metainfo/$app.metainfo.xml" ||
  fail "the metainfo does not provide the session type"

# The binaries are installed, not build-tree, ones: no run path, and they start.
for exe in attnscope attnscope-cli; do
  ! readelf -d "$root/usr/bin/$exe" | grep -Eq 'RPATH|RUNPATH' || fail "/usr/bin/$exe has a run path"
done
QT_QPA_PLATFORM=offscreen "$root/usr/bin/attnscope" --version | grep -qx "AttnScope $version" ||
  fail "the packaged attnscope does not start"

# The packaged CLI finds builtin:induction in the package's share/attnscope.
out=$(env -u ATTNSCOPE_BUILTIN_DIR "$root/usr/bin/attnscope-cli" info builtin:induction) ||
  fail "the packaged attnscope-cli cannot open builtin:induction from its share/attnscope"
grep -q '"model_type": "gpt2"' <<<"$out" || fail "unexpected info output: $out"
echo "ok: the package installs its binaries, models, desktop entry, icons, metainfo and MIME type"
