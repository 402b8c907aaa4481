#!/usr/bin/env bash
# Installs controlgate for the GitHub Action.
#
# With a release binary for this runner, downloads it and checks its SHA-256: against
# github-action/checksums.txt when the action's source pins it, else against the release's
# SHA256SUMS. A mismatch or a missing checksum is an error, never a silent install. Without a
# binary for this runner (or with `install: source`), it says so and leaves the build from the
# action's own source to the next steps, with a cache key for that build.
#
# Inputs (environment): INPUT_INSTALL auto|binary|source (default auto), INPUT_VERSION (default:
# v + the version in the action's Cargo.toml), INPUT_RELEASE_URL (default: the repository's
# GitHub releases), RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT.
# Step outputs: method=binary|source, bin=PATH, source-key=KEY (source only).
set -euo pipefail

action_dir="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")" && pwd)}"
source_dir="$(cd "$action_dir/.." && pwd)"
mode="${INPUT_INSTALL:-auto}"
dest="${RUNNER_TEMP:-/tmp}/controlgate"

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1" >>"$GITHUB_OUTPUT"; fi
}
fail() {
  echo "::error title=controlgate install::$1" >&2
  exit 2
}
sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}
manifest() {
  sed -n "s/^$1 *= *\"\(.*\)\"/\1/p" "$source_dir/Cargo.toml" | head -n 1
}

case "$mode" in
  auto | binary | source) ;;
  *) fail "install is '$mode'; use auto, binary or source" ;;
esac

exe=""
case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
  Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-gnu ;;
  Linux/ARM64 | Linux/aarch64) target=aarch64-unknown-linux-gnu ;;
  macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
  macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac
# Built from source too, a Windows binary has the suffix.
case "${RUNNER_OS:-}" in Windows) exe=".exe" ;; esac

from_source() {
  if [ "$mode" = binary ]; then fail "$1 (install: binary); use install: auto or source"; fi
  echo "controlgate: $1; building from the action's source with cargo" >&2
  # The build is cached under a key of everything it is built from.
  key="$(cd "$source_dir" && find Cargo.toml Cargo.lock build.rs src policies -type f | LC_ALL=C sort |
    while IFS= read -r f; do sha256 "$f"; done | sha256 | cut -c1-32)"
  output "method=source"
  output "bin=$dest/source/bin/controlgate$exe"
  output "source-key=$key"
  exit 0
}

[ "$mode" = source ] && from_source "install: source"
[ -n "$target" ] || from_source "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"

version="${INPUT_VERSION:-v$(manifest version)}"
repository="$(manifest repository)"
base="${INPUT_RELEASE_URL:-$repository/releases/download}"
asset="controlgate-$version-$target.tar.gz"
work="$dest/download"
rm -rf "$work" && mkdir -p "$work"

fetch() {
  curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
}
if ! fetch "$base/$version/$asset" "$work/$asset"; then
  from_source "no release asset $base/$version/$asset"
fi

# The expected checksum: pinned in the action's source first, else the release's SHA256SUMS.
expected="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$action_dir/checksums.txt" 2>/dev/null | head -n 1)"
origin="github-action/checksums.txt"
if [ -z "$expected" ]; then
  fetch "$base/$version/SHA256SUMS" "$work/SHA256SUMS" ||
    fail "$asset was downloaded but neither github-action/checksums.txt nor the release's SHA256SUMS lists it: refusing an unverified binary"
  expected="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$work/SHA256SUMS" | head -n 1)"
  origin="the release's SHA256SUMS"
  [ -n "$expected" ] || fail "the release's SHA256SUMS does not list $asset: refusing an unverified binary"
fi
actual="$(cd "$work" && sha256 "$asset" | cut -d' ' -f1)"
if [ "$actual" != "$expected" ]; then
  fail "checksum mismatch for $asset: expected $expected ($origin), got $actual. The download is corrupt or was tampered with; it was not installed"
fi

mkdir -p "$dest/bin"
tar -xzf "$work/$asset" -C "$work"
cp "$work/controlgate-$version-$target/controlgate$exe" "$dest/bin/controlgate$exe"
chmod 755 "$dest/bin/controlgate$exe"
"$dest/bin/controlgate$exe" --version >&2 || fail "the installed binary does not run on this runner"
echo "controlgate: installed $asset (SHA-256 checked against $origin)" >&2
output "method=binary"
output "bin=$dest/bin/controlgate$exe"
