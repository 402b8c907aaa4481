#!/usr/bin/env bash
# Coverage-guided fuzzing of the loaders with AFL++ (cargo-afl), for a bounded time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); TARGET among plan, template, rule, exceptions (default all).
# Seeds are taken from the repository's fixtures and policies. Findings are left in
# target/fuzz/<target>/out/default/{crashes,hangs}; the script exits 1 when any target found a
# crash or a hang, 2 when it cannot run. FUZZ_RESUME=1 starts each target from the corpus its
# last run built. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(plan template rule exceptions)
case $seconds in '' | *[!0-9]*)
  echo "usage: scripts/fuzz.sh [SECONDS] [plan|template|rule|exceptions ...]" >&2
  exit 2
  ;;
esac

if ! cargo afl --version >/dev/null 2>&1; then
  echo "cargo-afl is required: cargo install cargo-afl --locked && cargo afl config --build" >&2
  exit 2
fi

cargo afl build --release --locked --features fuzz \
  --bin fuzz-plan --bin fuzz-template --bin fuzz-rule --bin fuzz-exceptions

# Copy up to 24 small files (under 6 KB), spread over the sorted list, into a seed folder.
seed() {
  local dir=$1
  shift
  mkdir -p "$dir"
  local files
  mapfile -t files < <(find "$@" -type f -size -6k 2>/dev/null | LC_ALL=C sort)
  local n=${#files[@]} step=1 i
  [ "$n" -gt 24 ] && step=$(((n + 23) / 24))
  for ((i = 0; i < n; i += step)); do
    cp "${files[$i]}" "$dir/$(printf '%03d' "$i")-$(basename "${files[$i]}")"
  done
}

# Files that contain `word`, among those under the folders given.
holding() {
  local word=$1
  shift
  grep -rlF --include='*.json' --include='*.yaml' --include='*.yml' --include='*.template' -e "$word" "$@" 2>/dev/null |
    LC_ALL=C sort || true
}

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_FAST_CAL=1 AFL_SKIP_CRASHES=1 AFL_NO_WARN_INSTABILITY=1
# One thread per target: the machine's other core stays free, and runs are reproducible.
export RAYON_NUM_THREADS=1

status=0
summary=()

# Fuzz target $1 from $2/in into $2/out; add its line to the summary.
run_target() {
  local t=$1 work=$2
  # -t: an input that takes over 5 s is a hang (the largest `Fn::ForEach` expansion allowed,
  # 10,000 resources from a 1 KB template, takes 1.6 s with the whole pack on a loaded machine);
  # -m: over 2 GiB of memory is a crash.
  cargo afl fuzz -i "$work/in" -o "$work/out" -x "fuzz/dict/$t.dict" -V "$seconds" -t 5000 -m 2048 \
    -- "target/release/fuzz-$t" >"$work/afl.log" 2>&1 || {
    echo "afl-fuzz failed on $t; its log:" >&2
    tail -n 30 "$work/afl.log" >&2
    return 1
  }
  local stats=$work/out/default/fuzzer_stats
  stat() { sed -n "s/^$1 *: *//p" "$stats"; }
  local crashes hangs
  crashes=$(stat saved_crashes)
  hangs=$(stat saved_hangs)
  summary+=("$(printf '%-11s %4ss %10s execs %6s corpus %3s crashes %3s hangs' "$t" "$(stat run_time)" "$(stat execs_done)" "$(stat corpus_count)" "$crashes" "$hangs")")
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    status=1
    echo "$t: findings in $work/out/default/crashes and $work/out/default/hangs" >&2
  fi
}
for t in "${targets[@]}"; do
  work=target/fuzz/$t
  # FUZZ_RESUME=1: start from the corpus the last run of the target built, not from the seeds.
  if [ -n "${FUZZ_RESUME:-}" ] && [ -d "$work/out/default/queue" ]; then
    rm -rf "$work/resume"
    mv "$work/out/default/queue" "$work/resume"
    rm -rf "$work/in" "$work/out"
    mkdir -p "$work/in"
    find "$work/resume" -maxdepth 1 -type f -exec cp {} "$work/in/" \;
    rm -rf "$work/resume"
    echo "fuzzing $t for ${seconds}s from its last corpus ($(find "$work/in" -type f | wc -l) inputs)" >&2
    run_target "$t" "$work" || exit 2
    continue
  fi
  rm -rf "$work"
  case $t in
  plan) mapfile -t from < <(holding resource_changes fixtures policies/tests | grep '\.json$') ;;
  template) mapfile -t from < <(holding 'AWS::' fixtures policies/tests) ;;
  rule) from=(policies/rules policies/controls) ;;
  exceptions) mapfile -t from < <(holding 'exceptions:' fixtures tests/fuzz_regressions) ;;
  *)
    echo "unknown target $t (plan, template, rule, exceptions)" >&2
    exit 2
    ;;
  esac
  [ "${#from[@]}" -gt 0 ] || { echo "no seeds for $t" >&2; exit 2; }
  seed "$work/in" "${from[@]}"
  # Earlier findings, fixed, are seeds too: the fuzzer starts from where bugs were.
  [ -d "tests/fuzz_regressions/$t" ] && cp tests/fuzz_regressions/"$t"/* "$work/in/"
  echo "fuzzing $t for ${seconds}s from $(find "$work/in" -type f | wc -l) seeds" >&2
  run_target "$t" "$work" || exit 2
done
printf '%s\n' "${summary[@]}"
exit "$status"
