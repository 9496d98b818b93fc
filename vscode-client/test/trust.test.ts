import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseUntrustedConfig, trustDetail, untrustedMessage } from "../src/logic/trust";

const PARAMS = {
  folderUri: "file:///work/shop",
  file: "/work/shop/.trace-advisor.yaml",
  settings: [
    { key: "provider.name", where: ".trace-advisor.yaml:2", value: "'openai'", reason: "chooses where code and credentials are sent" },
    { key: "provider.openai.base_url", where: ".trace-advisor.yaml:4", value: "'http://x/v1'", reason: "chooses where code and credentials are sent" },
    { key: "search_paths", where: ".trace-advisor.yaml:6", value: "'/etc'", reason: "a folder outside the project" },
    { key: "search_paths", where: ".trace-advisor.yaml:6", value: "'/usr'", reason: "a folder outside the project" },
    { key: "python", where: ".trace-advisor.yaml:7", value: "'/bin/sh'", reason: "an interpreter outside the project" },
    { key: "report.output", where: ".trace-advisor.yaml:9", value: "'~/.bashrc'", reason: "a file outside the project" },
  ],
};

describe("the untrusted configuration notification", () => {
  it("reads the server's params", () => {
    const info = parseUntrustedConfig(PARAMS);
    assert.ok(info !== undefined);
    assert.equal(info.folderUri, "file:///work/shop");
    assert.equal(info.settings.length, 6);
    assert.deepEqual(info.settings[2], PARAMS.settings[2]);
  });

  it("ignores malformed params instead of throwing", () => {
    for (const params of [null, 3, "x", {}, { folderUri: "f", file: "g" }, { folderUri: "f", file: "g", settings: [{}] }]) {
      assert.equal(parseUntrustedConfig(params), undefined);
    }
    const partly = parseUntrustedConfig({ folderUri: "f", file: "g", settings: [null, { key: "python", value: 3 }] });
    assert.deepEqual(partly?.settings, [{ key: "python", where: "", value: "", reason: "" }]);
  });

  it("names the file, the folder and each held-back key once", () => {
    const message = untrustedMessage(parseUntrustedConfig(PARAMS)!, "shop");
    assert.match(message, /^Trace Advisor: \.trace-advisor\.yaml in shop is not trusted, so it ignores /);
    assert.match(message, /provider\.name, provider\.openai\.base_url, search_paths, python and 1 more\./);
    assert.equal(message.match(/search_paths/g)?.length, 1);
  });

  it("lists every setting with its value in the confirmation", () => {
    const detail = trustDetail(parseUntrustedConfig(PARAMS)!.settings);
    assert.match(detail, /report\.output = '~\/\.bashrc' \(a file outside the project\)/);
    assert.match(detail, /search_paths = '\/usr'/);
    assert.match(detail, /needs trust again/);
  });
});
