#!/usr/bin/env bash
# Refresh static/vendor/plotly-basic.min.js from npm's plotly.js-basic-dist-min (scatter, bar
# and pie: what the pages draw), at the plotly.js version the plotly Python package bundles,
# so the two never disagree. Needs npm; the file is committed, so installing Trellis doesn't.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
version=$("$PYTHON" - <<'PY'
import re
from importlib.resources import files
head = (files("plotly") / "package_data" / "plotly.min.js").read_text()[:200]
print(re.search(r"v(\d+\.\d+\.\d+)", head).group(1))
PY
)
vendor=src/trellis/entrypoints/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "plotly.js-basic-dist-min@$version" >/dev/null && tar xzf ./*.tgz)
# The bundle's one remote address is the default topojsonURL (maps, which the basic bundle
# cannot draw): point it at this site, so the file served names no CDN.
sed -E 's|dflt:"https?://[^"]*/un/"|dflt:"/static/topojson/"|' \
    "$work/package/plotly-basic.min.js" > "$vendor/plotly-basic.min.js"
if grep -qE 'https?://cdn' "$vendor/plotly-basic.min.js"; then
  echo "plotly-basic.min.js names a CDN: update the rewrite above" >&2; exit 1
fi
cp "$work/package/LICENSE" "$vendor/plotly-LICENSE"
echo "plotly.js basic $version -> $vendor/plotly-basic.min.js"
