#!/usr/bin/env node
// Parses YAML files with the `yaml` npm package (YAML 1.2, strict: duplicate keys, bad
// indentation, tabs, unresolved tags and aliases are errors, warnings count as failures too).
// Prints one `file:line:col: message` per problem and exits 1 when any file fails, 2 when a file
// cannot be read or the parser not loaded.
// Usage: npm ci --prefix scripts/node-tools && node scripts/node-tools/yaml-check.cjs FILE.yaml...
"use strict";
const { readFileSync } = require("node:fs");

function main(files) {
  let YAML;
  try {
    YAML = require("yaml");
  } catch (e) {
    console.error(`yaml-check: the npm package is not installed (npm ci --prefix scripts/node-tools): ${e.message}`);
    return 2;
  }
  if (files.length === 0) {
    console.error("usage: yaml-check.cjs FILE.yaml...");
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      console.error(`yaml-check: cannot read ${file}: ${e.message}`);
      return 2;
    }
    const lc = new YAML.LineCounter();
    const docs = YAML.parseAllDocuments(text, { strict: true, uniqueKeys: true, lineCounter: lc, prettyErrors: false });
    const problems = [];
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      for (const e of [...doc.errors, ...doc.warnings]) {
        const { line, col } = lc.linePos(e.pos[0]);
        problems.push(`${file}:${line}:${col}: ${e.code}: ${e.message.split("\n")[0]}`);
      }
      // Building the value resolves aliases and tags: an error there fails the file too.
      if (doc.errors.length === 0) {
        try {
          doc.toJS({ maxAliasCount: 100 });
        } catch (e) {
          problems.push(`${file}: ${e.message.split("\n")[0]}`);
        }
      }
    }
    if (problems.length > 0) failed += 1;
    for (const p of problems) console.log(p);
  }
  console.error(`yaml-check: ${files.length} file(s), ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exit(main(process.argv.slice(2)));
