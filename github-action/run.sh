#!/usr/bin/env bash
# Runs controlgate for the GitHub Action: writes SARIF, the job summary and the step outputs
# (findings, blocking, verdict, sarif-file, evidence-file, evidence-artifact, exit-code).
# Inputs come as environment variables (INPUT_*), as the composite action passes them; the
# binary is $CONTROLGATE (default: controlgate on PATH). Runs under Git-for-Windows bash too:
# no GNU-only flags, every path quoted.
set -uo pipefail

bin="${CONTROLGATE:-controlgate}"
sarif="${INPUT_SARIF_FILE:-controlgate.sarif}"
summary="$(mktemp)"
counts="$(mktemp)"
args=(check --sarif-file "$sarif" --github-output "$counts")
# The run record: a record left by an earlier run at the same path is never uploaded as this one's.
evidence="${INPUT_EVIDENCE-controlgate-evidence.json}"
if [ -n "$evidence" ]; then
  rm -f "$evidence"
  args+=(--evidence "$evidence")
fi
[ -n "${INPUT_POLICIES:-}" ] && args+=(--policies "$INPUT_POLICIES")
[ -n "${INPUT_EXCEPTIONS:-}" ] && args+=(--exceptions "$INPUT_EXCEPTIONS")
[ -n "${INPUT_APPROVERS:-}" ] && args+=(--approvers "$INPUT_APPROVERS")
case "${INPUT_CONFIG:-}" in
  "") ;;
  none) args+=(--no-config) ;;
  *) args+=(--config "$INPUT_CONFIG") ;;
esac
[ "${INPUT_REQUIRE_BUILTIN:-true}" = "true" ] && args+=(--require-builtin)
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
[ -n "${INPUT_CATEGORY:-}" ] && args+=(--sarif-category "$INPUT_CATEGORY")
# Code scanning opens alerts for suppressed results: leave excepted findings out of what is uploaded.
args+=(--sarif-excepted "${INPUT_SARIF_EXCEPTED:-omit}")
# shellcheck disable=SC2206 # paths are whitespace-separated by design
args+=(--format markdown ${INPUT_PATHS:-.})

"$bin" "${args[@]}" >"$summary"
status=$?
if [ "$status" -ge 2 ]; then
  # A failed run proves nothing, and its SARIF holds only what could be read: uploaded, code
  # scanning would close the open alerts of everything else. No SARIF is left to upload.
  rm -f "$sarif"
  echo "::error title=controlgate::the check failed (exit $status): no SARIF is uploaded, so code scanning keeps its open alerts; the errors are in the job summary and the log above"
fi

if [ "${INPUT_SUMMARY:-true}" = "true" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$summary" >>"$GITHUB_STEP_SUMMARY"
fi
# The counts come from controlgate itself (--github-output). A run that failed, or ended before
# writing them (it could not start), reports an error verdict, never a pass.
if [ "$status" -ge 2 ] || ! grep -q '^verdict=' "$counts"; then
  findings="$(grep '^findings=' "$counts" || echo findings=0)"
  blocking="$(grep '^blocking=' "$counts" || echo blocking=0)"
  printf '%s\n%s\nverdict=error\n' "$findings" "$blocking" >"$counts"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    cat "$counts"
    # Only a SARIF file that exists is named, so the upload step skips a run that wrote none and
    # a failed run (whose SARIF was removed above).
    if [ -s "$sarif" ]; then echo "sarif-file=$sarif"; fi
    if [ -n "$evidence" ] && [ -s "$evidence" ]; then
      # Unique per run (the record holds its times), as artifact names must be within a workflow run.
      digest="$( (sha256sum "$evidence" 2>/dev/null || shasum -a 256 "$evidence") | cut -c1-12)"
      echo "evidence-file=$evidence"
      echo "evidence-artifact=controlgate-evidence-$digest"
    fi
    echo "exit-code=$status"
  } >>"$GITHUB_OUTPUT"
fi
rm -f "$summary" "$counts"
# 0 pass, 1 blocked, 2 error: the step fails on both 1 and 2.
exit "$status"
