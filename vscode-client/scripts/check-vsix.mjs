// Checks a packaged .vsix: the bundle, the manifest and the bundled server are in; sources and tests are not.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

const vsix = process.argv[2];
if (!vsix || !fs.existsSync(vsix)) {
  console.error(`usage: check-vsix.mjs FILE.vsix (got ${vsix})`);
  process.exit(2);
}
// A .vsix is a zip file; Python's zipfile lists it without needing unzip on the machine.
const listing = execFileSync("python3", ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", vsix], {
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024,
}).split("\n");
const required = [
  "extension/package.json",
  "extension/dist/extension.js",
  "extension/readme.md",
  "extension/LICENSE.txt",
  "extension/bundled/libs/trace_advisor_lsp/__main__.py",
  "extension/bundled/libs/trace_advisor/resources/default.yaml",
  "extension/bundled/libs/pygls/__init__.py",
  "extension/bundled/libs/lsprotocol/types.py",
];
const missing = required.filter((name) => !listing.includes(name));
const forbidden = listing.filter((name) => /^extension\/(src|test|scripts|e2e|node_modules|out)\//.test(name) || name.endsWith(".pyc"));
if (missing.length > 0 || forbidden.length > 0) {
  console.error(`${vsix}: missing ${JSON.stringify(missing)}; should not contain ${JSON.stringify(forbidden.slice(0, 10))}`);
  process.exit(1);
}
const megabytes = (fs.statSync(vsix).size / 1024 / 1024).toFixed(1);
console.log(`${vsix}: ${listing.length} files, ${megabytes} MB, manifest and bundled server present`);
