#!/usr/bin/env bash
# Fetch the pinned third-party browser assets from the npm registry and copy
# the files Meridian serves into crates/web/static/vendor/ (committed, so the
# build and the pages work offline; no CDN at run time).
set -euo pipefail
HTMX=2.0.11
SWAGGER=5.35.0
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/crates/web/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "htmx.org@$HTMX" "swagger-ui-dist@$SWAGGER" >/dev/null
mkdir -p htmx swagger "$out"
tar -xzf htmx.org-$HTMX.tgz -C htmx
tar -xzf swagger-ui-dist-$SWAGGER.tgz -C swagger
cp htmx/package/dist/htmx.min.js "$out/htmx.min.js"
cp swagger/package/swagger-ui-bundle.js swagger/package/swagger-ui.css "$out/"
cp htmx/package/LICENSE "$out/htmx.LICENSE"
cp swagger/package/LICENSE "$out/swagger-ui.LICENSE"
echo "htmx.org $HTMX, swagger-ui-dist $SWAGGER" > "$out/VERSIONS"
