#!/usr/bin/env node
// Validates XML files against an XML Schema with libxml2 (the `xmllint-wasm` npm package:
// xmllint built to WebAssembly, so no native libxml2 is needed). Prints one line per problem
// and exits 1 when a file is invalid, 2 when a file cannot be read or the validator not loaded.
// Usage: npm ci --prefix scripts/node-tools && node scripts/node-tools/xsd-validate.cjs SCHEMA.xsd FILE.xml...
"use strict";
const { readFileSync } = require("node:fs");

async function main() {
  const [schemaPath, ...files] = process.argv.slice(2);
  if (!schemaPath || files.length === 0) {
    console.error("usage: xsd-validate.cjs SCHEMA.xsd FILE.xml...");
    return 2;
  }
  let validateXML, memoryPages;
  try {
    ({ validateXML, memoryPages } = require("xmllint-wasm"));
  } catch (e) {
    console.error(`cannot load xmllint-wasm (npm ci --prefix scripts/node-tools): ${e.message}`);
    return 2;
  }
  let schema, xml;
  try {
    schema = readFileSync(schemaPath, "utf8");
    xml = files.map((f) => ({ fileName: f, contents: readFileSync(f, "utf8") }));
  } catch (e) {
    console.error(e.message);
    return 2;
  }
  const result = await validateXML({ xml, schema: [schema], maxMemoryPages: memoryPages.GiB });
  for (const e of result.errors) console.log(e.rawMessage.trim());
  return result.valid ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e.stack || String(e));
    process.exit(2);
  },
);
