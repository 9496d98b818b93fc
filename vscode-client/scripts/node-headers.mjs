// Prints the folder whose include/node/node_version.h matches the running node (for npm_config_nodedir), so that
// node-gyp builds native modules offline instead of downloading Node's headers; prints nothing when none matches.
import * as fs from "node:fs";
import * as path from "node:path";

const [major, minor, patch] = process.versions.node.split(".");
const candidates = [path.dirname(path.dirname(process.execPath)), "/usr", "/usr/local"];
for (const dir of new Set(candidates)) {
  let header;
  try {
    header = fs.readFileSync(path.join(dir, "include", "node", "node_version.h"), "utf8");
  } catch {
    continue;
  }
  const field = (name) => header.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
  if (field("MAJOR") === major && field("MINOR") === minor && field("PATCH") === patch) {
    process.stdout.write(dir);
    process.exit(0);
  }
}
process.stderr.write(`node-headers: no installed headers match node ${process.version}; node-gyp will download them\n`);
