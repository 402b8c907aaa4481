#!/usr/bin/env bash
# Packages a built controlgate binary as a release asset, the layout github-action/install.sh
# expects: OUTDIR/controlgate-VERSION-TARGET.tar.gz holding controlgate-VERSION-TARGET/ with the
# binary, the licenses and the README, plus OUTDIR/controlgate-VERSION-TARGET.tar.gz.sha256.
# Usage: scripts/package_release.sh BINARY TARGET VERSION OUTDIR   (VERSION like v0.1.0)
set -euo pipefail
if [ $# -ne 4 ]; then
  echo "usage: $0 BINARY TARGET VERSION OUTDIR" >&2
  exit 2
fi
binary="$1" target="$2" version="$3" outdir="$4"
here="$(cd "$(dirname "$0")/.." && pwd)"
name="controlgate-$version-$target"
exe=""
case "$target" in *windows*) exe=".exe" ;; esac

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$outdir"
cp "$binary" "$stage/$name/controlgate$exe"
chmod 755 "$stage/$name/controlgate$exe"
cp "$here/LICENSE-MIT" "$here/LICENSE-APACHE" "$here/README.md" "$stage/$name/"
# Fixed owner and order so the archive depends on its contents only.
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name -czf "$outdir/$name.tar.gz" "$name" 2>/dev/null ||
  tar -C "$stage" -czf "$outdir/$name.tar.gz" "$name"
(
  cd "$outdir"
  if command -v sha256sum >/dev/null; then sha256sum "$name.tar.gz"; else shasum -a 256 "$name.tar.gz"; fi
) >"$outdir/$name.tar.gz.sha256"
echo "$outdir/$name.tar.gz"
