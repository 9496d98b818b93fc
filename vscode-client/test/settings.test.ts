import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  buildServerSettings,
  camelToSnake,
  contributedKeys,
  explicitValue,
  type SettingInspection,
  snakeToCamel,
  subTree,
} from "../src/logic/settings";

describe("settings mapping", () => {
  it("converts key case both ways like the server's converter", () => {
    assert.equal(snakeToCamel("analyze_on_save"), "analyzeOnSave");
    assert.equal(snakeToCamel("model_id"), "modelId");
    assert.equal(snakeToCamel("ignore"), "ignore");
    assert.equal(camelToSnake("analyzeOnSave"), "analyze_on_save");
    assert.equal(camelToSnake("endpointUrl"), "endpoint_url");
  });

  it("takes the most specific explicit scope and ignores defaults", () => {
    assert.equal(explicitValue({ globalValue: 1, workspaceValue: 2 }), 2);
    assert.equal(explicitValue({ globalValue: 1, workspaceValue: 2, workspaceFolderValue: 3 }), 3);
    assert.equal(explicitValue({ globalValue: 1, workspaceLanguageValue: 4, workspaceValue: 2 }), 4);
    assert.equal(explicitValue({ globalValue: null }), null);
    assert.equal(explicitValue({}), undefined);
    assert.equal(explicitValue(undefined), undefined);
  });

  it("builds the camelCase tree from explicit values only, leaving client-only settings out", () => {
    const values: Record<string, SettingInspection> = {
      minConfidence: { globalValue: 0.7 },
      "provider.name": { workspaceValue: "bedrock" },
      "provider.bedrock.modelId": { globalValue: "anthropic.claude-3-haiku-20240307-v1:0" },
      "provider.bedrock.region": { workspaceValue: null },
      "priorities.external_io.weight": { globalValue: 0.25 },
      "server.analyzeOnSave": { globalValue: false },
      maxPerFile: {}, // default only: must not be sent
      interpreter: { globalValue: ["/usr/bin/python3"] },
      importStrategy: { globalValue: "useBundled" },
      reportViewer: { globalValue: "browser" },
      "trace.server": { globalValue: "verbose" },
    };
    const tree = buildServerSettings(Object.keys(values), (key) => values[key]);
    assert.deepEqual(tree, {
      minConfidence: 0.7,
      provider: { name: "bedrock", bedrock: { modelId: "anthropic.claude-3-haiku-20240307-v1:0", region: null } },
      priorities: { external_io: { weight: 0.25 } },
      server: { analyzeOnSave: false },
    });
  });

  it("returns an empty tree when nothing is set, so the project's own config applies", () => {
    assert.deepEqual(buildServerSettings(["minConfidence", "provider.name"], () => ({})), {});
  });

  it("copies arrays as JSON values", () => {
    const paths = ["src", "lib"];
    const tree = buildServerSettings(["searchPaths"], () => ({ globalValue: paths }));
    paths.push("changed");
    assert.deepEqual(tree, { searchPaths: ["src", "lib"] });
  });

  it("answers sub-sections of the tree", () => {
    const tree = { provider: { bedrock: { modelId: "m" } } };
    assert.deepEqual(subTree(tree, ""), tree);
    assert.deepEqual(subTree(tree, "provider.bedrock"), { modelId: "m" });
    assert.equal(subTree(tree, "provider.openai"), undefined);
    assert.equal(subTree(tree, "provider.bedrock.modelId.x"), undefined);
  });

  it("lists contributed keys relative to the section", () => {
    assert.deepEqual(contributedKeys({ "traceAdvisor.minConfidence": {}, "traceAdvisor.provider.name": {}, "other.x": {} }), [
      "minConfidence",
      "provider.name",
    ]);
  });
});
