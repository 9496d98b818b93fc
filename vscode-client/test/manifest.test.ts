import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  buildContributes,
  clientSettingKeys,
  excludedFromVsCode,
  type JsonSchema,
  NOT_IN_VSCODE,
  schemaLeaves,
} from "../scripts/manifest";
import { COMMANDS, SHOW_CALL_HIERARCHY } from "../src/logic/commands";
import { CLIENT_ONLY_SETTINGS } from "../src/logic/settings";
import { CLIENT_DIR, REPO, run, venvPython } from "./support";

const manifest = JSON.parse(fs.readFileSync(path.join(CLIENT_DIR, "package.json"), "utf8"));
const schema = JSON.parse(fs.readFileSync(path.join(REPO, "config", "config.schema.json"), "utf8")) as JsonSchema;
const properties = manifest.contributes.configuration.properties as Record<string, Record<string, unknown>>;

describe("package.json against config/config.schema.json", () => {
  it("contributes exactly what the schema and command table generate (run `make -C vscode-client sync-settings` to fix)", () => {
    assert.deepEqual(manifest.contributes, buildContributes(schema));
  });

  it("offers every schema setting, or names why not", () => {
    for (const leaf of schemaLeaves(schema)) {
      const key = `traceAdvisor.${leaf.key}`;
      if (excludedFromVsCode(leaf.schemaPath)) {
        assert.equal(properties[key], undefined, `${key} is excluded but contributed`);
        continue;
      }
      const setting = properties[key];
      assert.ok(setting, `schema key ${leaf.schemaPath} has no VS Code setting ${key}`);
      assert.deepEqual(setting.default, leaf.default, `${key} default differs from the schema`);
      assert.ok(typeof setting.description === "string" && setting.description.length > 10, `${key} lacks a description`);
      if (leaf.schema.enum !== undefined) {
        assert.deepEqual(setting.enum, leaf.schema.enum);
      }
    }
    for (const pattern of Object.keys(NOT_IN_VSCODE)) {
      assert.ok(
        schemaLeaves(schema).some((leaf) => excludedFromVsCode(leaf.schemaPath) && matches(pattern, leaf.schemaPath)),
        `NOT_IN_VSCODE entry ${pattern} matches no schema key: remove it`,
      );
    }
  });

  it("contributes nothing the server does not know, except the extension's own settings", () => {
    const serverKeys = new Set(schemaLeaves(schema).map((leaf) => `traceAdvisor.${leaf.key}`));
    const clientKeys = new Set(CLIENT_ONLY_SETTINGS.map((key) => `traceAdvisor.${key}`));
    assert.deepEqual([...clientSettingKeys()].sort(), [...CLIENT_ONLY_SETTINGS].sort());
    for (const key of Object.keys(properties)) {
      assert.ok(serverKeys.has(key) || clientKeys.has(key), `${key} is neither a schema key nor a client setting`);
      assert.ok(typeof properties[key].description === "string", `${key} lacks a description`);
      assert.ok("default" in properties[key], `${key} lacks a default`);
    }
  });

  it("the server's config loader accepts every contributed setting under its camelCase wire name", () => {
    // Every server setting explicitly set to its default, plus a few changed values, as the extension would send.
    const tree: Record<string, unknown> = {};
    for (const [key, setting] of Object.entries(properties)) {
      const relative = key.slice("traceAdvisor.".length);
      if (!CLIENT_ONLY_SETTINGS.includes(relative)) {
        setPath(tree, relative.split("."), setting.default);
      }
    }
    setPath(tree, ["minConfidence"], 0.7);
    setPath(tree, ["provider", "bedrock", "modelId"], "anthropic.claude-3-haiku-20240307-v1:0");
    setPath(tree, ["priorities", "external_io", "weight"], 0.25);
    setPath(tree, ["server", "analyzeOnSave"], false);
    const script = [
      "import json, sys",
      "from trace_advisor.config import from_camel_case, load_config",
      "config = load_config(None, env={}, overrides=from_camel_case(json.loads(sys.argv[1])))",
      "print(json.dumps({'min_confidence': config.min_confidence, 'model_id': config.provider.bedrock.model_id,",
      "  'external_io': config.weight('external_io'), 'analyze_on_save': config.server.analyze_on_save,",
      "  'max_per_file': config.max_per_file, 'descr': config.priorities['external_io'].description}))",
    ].join("\n");
    const loaded = JSON.parse(run(venvPython(), ["-c", script, JSON.stringify(tree)]));
    assert.equal(loaded.min_confidence, 0.7);
    assert.equal(loaded.model_id, "anthropic.claude-3-haiku-20240307-v1:0");
    assert.equal(loaded.external_io, 0.25);
    assert.equal(loaded.analyze_on_save, false);
    assert.equal(loaded.max_per_file, 10);
    assert.match(loaded.descr, /External resource interactions/);
  });

  it("contributes every command of the command table, titled and categorised", () => {
    assert.deepEqual(
      manifest.contributes.commands.map((command: { command: string }) => command.command),
      COMMANDS.map((command) => command.id),
    );
    const hidden = manifest.contributes.menus.commandPalette.find((entry: { command: string }) => entry.command === SHOW_CALL_HIERARCHY);
    assert.equal(hidden?.when, "false");
  });

  it("has what the marketplace and vsce need", () => {
    assert.equal(manifest.engines.vscode, "^1.91.0");
    assert.equal(manifest.devDependencies["@types/vscode"], "1.91.0");
    assert.deepEqual(manifest.activationEvents, ["onLanguage:python", "workspaceContains:**/*.py"]);
    assert.equal(manifest.main, "./dist/extension.js");
    for (const field of ["publisher", "license", "repository", "displayName", "description"]) {
      assert.ok(manifest[field], `package.json lacks ${field}`);
    }
    for (const file of ["LICENSE", "README.md", ".vscodeignore", "package-lock.json"]) {
      assert.ok(fs.existsSync(path.join(CLIENT_DIR, file)), `${file} is missing`);
    }
  });
});

function matches(pattern: string, schemaPath: string): boolean {
  const a = pattern.split(".");
  const b = schemaPath.split(".");
  return a.length === b.length && a.every((part, index) => part === "*" || part === b[index]);
}

function setPath(tree: Record<string, unknown>, parts: string[], value: unknown): void {
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    node[part] = (node[part] as Record<string, unknown>) ?? {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}
