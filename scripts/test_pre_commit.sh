#!/usr/bin/env bash
# Try the pre-commit hook for real: `pre-commit try-repo` builds controlgate from this checkout
# (language: rust) and runs it on a scratch repository holding a compliant and a noncompliant
# template and a file that is neither. Needs Python (installs pre-commit in a virtualenv) and
# cargo. Usage: scripts/test_pre_commit.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Each try-repo builds the hook in a fresh store; one shared target directory lets the second
# build reuse the first one's compiled dependencies.
export CARGO_TARGET_DIR="$work/target"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet pre-commit
pc="$work/venv/bin/pre-commit"

mkdir -p "$work/repo" && cd "$work/repo"
git init --quiet
cat > good.yaml <<'YAML'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      Tags:
        - {Key: Owner, Value: team}
        - {Key: Environment, Value: dev}
        - {Key: DataClassification, Value: internal}
YAML
cat > bad.yaml <<'YAML'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: false
YAML
echo '{"name": "not infrastructure"}' > package.json
git add . >/dev/null

run() { "$pc" try-repo "$here" controlgate --files "$@" >"$work/out" 2>&1; }
if run good.yaml package.json; then
  echo "ok: the compliant template and a non-IaC file pass"
else
  cat "$work/out"; echo "FAIL: the compliant template should pass"; exit 1
fi
if run bad.yaml; then
  cat "$work/out"; echo "FAIL: the noncompliant template should fail"; exit 1
fi
grep -q "kms-key-rotation-disabled" "$work/out" || { cat "$work/out"; echo "FAIL: finding not shown"; exit 1; }
echo "ok: the noncompliant template fails with its finding"
echo "pre-commit hook: 2 passed, 0 failed"
