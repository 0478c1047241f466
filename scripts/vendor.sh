#!/usr/bin/env bash
# Re-create static/vendor/ from pinned npm packages, byte for byte.
#
# For maintainers only: CI never runs this, the vendored files are committed. Parks run on closed
# government networks, so the pages load these files from our own static folder, never a CDN.
#
#   scripts/vendor.sh          rebuild static/vendor/ (then review `git diff --stat static/vendor`)
#   scripts/vendor.sh --check  rebuild into a temporary folder and compare with SHA256SUMS
#
# Needs node/npm and tar. Packages come from whatever registry npm is configured with; `npm pack`
# checks each tarball against the registry's integrity hash. No node_modules or lock file is made.
set -euo pipefail

HTMX=2.0.11
ECHARTS=6.1.0
ZRENDER=6.1.0 # bundled inside echarts.min.js; fetched only for its licence
TABLER=1.6.1
BOOTSTRAP=5.3.8 # bundled inside tabler.min.js; fetched only for its licence
POPPER=2.11.8   # bundled inside tabler.min.js; fetched only for its licence

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-build}"
case "$mode" in
  build | --check) ;;
  *)
    echo "用法: scripts/vendor.sh [--check]" >&2
    exit 2
    ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/vendor"
mkdir -p "$out"

# fetch <package spec> <folder name>: download and unpack one tarball into $work/<folder name>
fetch() {
  local spec="$1" name="$2" tarball
  tarball="$(cd "$work" && npm pack "$spec" --silent --ignore-scripts)"
  mkdir -p "$work/$name"
  tar -xzf "$work/$tarball" -C "$work/$name" --strip-components=1
}

fetch "htmx.org@$HTMX" htmx
fetch "echarts@$ECHARTS" echarts
fetch "zrender@$ZRENDER" zrender
fetch "@tabler/core@$TABLER" tabler
fetch "bootstrap@$BOOTSTRAP" bootstrap
fetch "@popperjs/core@$POPPER" popper

htmx_dir="$out/htmx.org-$HTMX"
echarts_dir="$out/echarts-$ECHARTS"
tabler_dir="$out/tabler-core-$TABLER"
mkdir -p "$htmx_dir" "$echarts_dir" "$tabler_dir"

cp "$work/htmx/dist/htmx.min.js" "$work/htmx/LICENSE" "$htmx_dir/"

cp "$work/echarts/dist/echarts.min.js" "$work/echarts/LICENSE" "$work/echarts/NOTICE" "$echarts_dir/"
cp "$work/echarts/licenses/LICENSE-d3" "$echarts_dir/LICENSE-d3"
cp "$work/zrender/LICENSE" "$echarts_dir/LICENSE-zrender"

# The .map files are kept because both minified files name them, and a hashed static storage
# (collectstatic with a manifest) fails on a referenced file that is missing.
for f in css/tabler.min.css css/tabler.min.css.map js/tabler.min.js js/tabler.min.js.map; do
  cp "$work/tabler/dist/$f" "$tabler_dir/"
done
cp "$work/bootstrap/LICENSE" "$tabler_dir/LICENSE-bootstrap"
cp "$work/popper/LICENSE.md" "$tabler_dir/LICENSE-popper"

# The @tabler/core package ships no LICENSE file; package.json says MIT and every dist file names
# its copyright holders in its header, so the licence text is written from those two facts.
{
  echo "@tabler/core $TABLER ships no LICENSE file. Its package.json declares \"license\": \"MIT\""
  echo "and the header of every file in dist/ names the copyright holders below."
  echo
  echo "MIT License"
  echo
  sed -n 's/^\* *\(Copyright .*\)$/\1/p' "$work/tabler/dist/js/tabler.min.js"
  cat <<'EOF'

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
} >"$tabler_dir/LICENSE"

licence_of() { node -p "require('$work/$1/package.json').license"; }

# Sorted, relative paths so the same inputs always give the same README and SHA256SUMS.
(cd "$out" && find . -type f ! -name README.md ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort |
  xargs sha256sum) >"$out/SHA256SUMS"

{
  echo "# Vendored front-end files"
  echo
  echo "Served from our own static folder: the platform runs on closed government networks, so no"
  echo "page may load anything from a CDN. Do not edit these files by hand; \`scripts/vendor.sh\`"
  echo "re-creates this folder byte for byte from the pinned npm packages below, and"
  echo "\`scripts/vendor.sh --check\` compares a fresh download with \`SHA256SUMS\`."
  echo
  echo "| Package | Version | Licence | Folder | Notes |"
  echo "|---|---|---|---|---|"
  echo "| htmx.org | $HTMX | $(licence_of htmx) | \`htmx.org-$HTMX/\` | \`dist/htmx.min.js\` |"
  echo "| echarts | $ECHARTS | $(licence_of echarts) | \`echarts-$ECHARTS/\` | \`dist/echarts.min.js\`, Chinese locale built in |"
  echo "| zrender | $ZRENDER | $(licence_of zrender) | \`echarts-$ECHARTS/\` | bundled inside echarts.min.js; licence only (\`LICENSE-zrender\`) |"
  echo "| @tabler/core | $TABLER | $(licence_of tabler) | \`tabler-core-$TABLER/\` | \`dist/css/tabler.min.css\`, \`dist/js/tabler.min.js\` and their source maps; LICENSE written from package.json and file headers (the package has none) |"
  echo "| bootstrap | $BOOTSTRAP | $(licence_of bootstrap) | \`tabler-core-$TABLER/\` | JS bundled inside tabler.min.js; licence only (\`LICENSE-bootstrap\`) |"
  echo "| @popperjs/core | $POPPER | $(licence_of popper) | \`tabler-core-$TABLER/\` | bundled inside tabler.min.js; licence only (\`LICENSE-popper\`) |"
  echo
  echo "tabler.min.js already contains Bootstrap's JavaScript and Popper, so no separate file is needed"
  echo "for dropdowns or the collapsible navbar. Tabler's CSS refers only to \`data:\` URIs."
  echo
  echo "## Files"
  echo
  echo "| File | Bytes | SHA-256 |"
  echo "|---|---|---|"
  while read -r sum path; do
    echo "| \`$path\` | $(wc -c <"$out/$path" | tr -d ' ') | \`$sum\` |"
  done <"$out/SHA256SUMS"
} >"$out/README.md"

target="$repo/static/vendor"
if [[ "$mode" == "--check" ]]; then
  if diff -u "$target/SHA256SUMS" "$out/SHA256SUMS" && diff -q "$target/README.md" "$out/README.md"; then
    echo "static/vendor 与固定版本的 npm 包一致"
  else
    echo "static/vendor 与固定版本的 npm 包不一致" >&2
    exit 1
  fi
else
  rm -rf "$target"
  cp -R "$out" "$target"
  echo "已重建 static/vendor($(wc -l <"$out/SHA256SUMS") 个文件)"
fi
