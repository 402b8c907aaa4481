#!/usr/bin/env bash
# Compare every output of two controlgate builds on the same inputs: standard output, standard
# error and exit code of `check` in every format on the demo, the rule fixtures and the corpus,
# and of the listing commands. A refactoring that should change no behaviour must print
# "identical". Usage:
#   scripts/compare_builds.sh BEFORE_BINARY AFTER_BINARY [CORPUS_DIR]
# CORPUS_DIR defaults to ../shared/corpus; without it, only the project's own fixtures are used.
set -euo pipefail

before=$(realpath "$1")
after=$(realpath "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${3:-$root/../shared/corpus}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both under the same name: usage lines print the program's name.
mkdir -p "$work/bin-before" "$work/bin-after"
cp "$before" "$work/bin-before/controlgate"
cp "$after" "$work/bin-after/controlgate"
before=$work/bin-before/controlgate
after=$work/bin-after/controlgate

cd "$root"
# The same fixed day and no config file: nothing of the session leaks into the outputs.
common=(--no-config --today 2026-12-01 --color never)
formats=(human sarif json markdown github junit gitlab)

inputs=(fixtures/demo fixtures/demo/plan.json fixtures/demo/template.yaml)
for d in policies/tests/*/; do
  [ -d "$d" ] && inputs+=("${d%/}")
done
if [ -d "$corpus/tfplan" ]; then
  inputs+=("$corpus/tfplan" "$corpus/cfn")
else
  echo "note: no corpus at $corpus; comparing on the project's fixtures only" >&2
fi

run() {
  local bin=$1 out=$2
  shift 2
  set +e
  "$bin" "$@" >"$out.stdout" 2>"$out.stderr"
  echo $? >"$out.code"
  set -e
}

cases=0
for side in before after; do
  bin=${!side}
  mkdir -p "$work/$side"
  n=0
  for input in "${inputs[@]}"; do
    for f in "${formats[@]}"; do
      n=$((n + 1))
      run "$bin" "$work/$side/check-$n-$f" check "${common[@]}" --format "$f" "$input"
    done
    # The exception registry, inline markers and parameters are part of every decision.
    run "$bin" "$work/$side/check-$n-exceptions" check "${common[@]}" --format json \
      --exceptions fixtures/exceptions/valid.yaml "$input"
  done
  run "$bin" "$work/$side/controls" controls
  for cmd in check controls explain test "exceptions list" "exceptions validate"; do
    # shellcheck disable=SC2086
    run "$bin" "$work/$side/help-${cmd// /-}" $cmd --help
  done
  run "$bin" "$work/$side/bad-format" check --format bogus fixtures/demo
  run "$bin" "$work/$side/bad-severity" check --fail-on bogus fixtures/demo
  run "$bin" "$work/$side/controls-json" controls --format json
  for id in $("$before" controls --format json | jq -r '.controls[] | .id, .rules[]'); do
    run "$bin" "$work/$side/explain-$id" explain "$id"
    run "$bin" "$work/$side/explain-$id-json" explain "$id" --format json
  done
  run "$bin" "$work/$side/exceptions-list" exceptions list --no-config --today 2026-12-01 --exceptions fixtures/exceptions/valid.yaml
  run "$bin" "$work/$side/exceptions-validate" exceptions validate --no-config --today 2026-12-01 --exceptions fixtures/exceptions/invalid.yaml
  cases=$(ls "$work/$side" | wc -l)
done

# Outputs a change is meant to alter can be named: IGNORE='explain-* help-test.*' leaves them out
# of the verdict (they are still listed).
if diff -rq "$work/before" "$work/after" >"$work/changed"; then
  echo "identical: $((cases / 3)) runs, every format, standard output, standard error and exit code"
  exit 0
fi
unexpected=0
while read -r line; do
  name=$(basename "$(echo "$line" | awk '{print $2}')")
  ignored=no
  set -f # the patterns are matched below, not expanded against the working directory
  for pattern in ${IGNORE:-}; do
    # shellcheck disable=SC2053
    [[ $name == $pattern ]] && ignored=yes
  done
  set +f
  if [ "$ignored" = yes ]; then
    echo "changed (ignored): $name"
  else
    echo "changed: $name"
    { diff "$work/before/$name" "$work/after/$name" || true; } | head -20
    unexpected=$((unexpected + 1))
  fi
done <"$work/changed"
if [ "$unexpected" -gt 0 ]; then
  echo "DIFFERENT: $unexpected outputs differ" >&2
  exit 1
fi
echo "identical but for the ignored outputs: $((cases / 3)) runs"
