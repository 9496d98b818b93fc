/** `--write`: regenerates package.json `contributes` from config/config.schema.json; `--check`: fails on drift. */

import * as fs from "node:fs";
import * as path from "node:path";

import { buildContributes, type JsonSchema } from "./manifest";

const root = path.resolve(__dirname, "..", "..");
const manifestPath = path.join(root, "package.json");
const schemaPath = path.resolve(root, "..", "config", "config.schema.json");

const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Record<string, unknown>;
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8")) as JsonSchema;
const expected = buildContributes(schema);

if (process.argv.includes("--write")) {
  manifest.contributes = expected;
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`wrote contributes of ${manifestPath} from ${schemaPath}\n`);
} else if (JSON.stringify(manifest.contributes) !== JSON.stringify(expected)) {
  process.stderr.write(`${manifestPath} is out of date with ${schemaPath}: run "make -C vscode-client sync-settings"\n`);
  process.exit(1);
}
