import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";

import { chooseInterpreter, expandPath, findOnPath, type InterpreterInputs } from "../src/logic/interpreter";

const base: InterpreterInputs = {
  setting: [],
  pythonExtension: undefined,
  findOnPath: (name) => (name === "python3" ? "/usr/bin/python3" : undefined),
  workspaceFolder: "/work/project",
  home: "/home/me",
};

describe("interpreter choice", () => {
  it("prefers the traceAdvisor.interpreter setting, with its arguments", () => {
    const choice = chooseInterpreter({ ...base, setting: ["${workspaceFolder}/.venv/bin/python", "-X", "utf8"], pythonExtension: ["/ext/python"] });
    assert.deepEqual(choice, { command: ["/work/project/.venv/bin/python", "-X", "utf8"], source: "setting" });
  });

  it("uses the Python extension's interpreter when the setting is empty or blank", () => {
    assert.deepEqual(chooseInterpreter({ ...base, setting: [" "], pythonExtension: ["/ext/python"] }), {
      command: ["/ext/python"],
      source: "python-extension",
    });
  });

  it("falls back to python3 on PATH, then python", () => {
    assert.deepEqual(chooseInterpreter(base), { command: ["/usr/bin/python3"], source: "path" });
    const onlyPython = chooseInterpreter({ ...base, findOnPath: (name) => (name === "python" ? "/opt/python" : undefined) });
    assert.deepEqual(onlyPython, { command: ["/opt/python"], source: "path" });
  });

  it("returns undefined when there is no interpreter at all", () => {
    assert.equal(chooseInterpreter({ ...base, findOnPath: () => undefined, pythonExtension: [] }), undefined);
  });

  it("expands ~ and workspace-relative paths but leaves bare command names alone", () => {
    assert.equal(expandPath("~/venv/bin/python", "/w", "/home/me"), "/home/me/venv/bin/python");
    assert.equal(expandPath(".venv/bin/python", "/w", "/home/me"), path.resolve("/w", ".venv/bin/python"));
    assert.equal(expandPath("python3.12", "/w", "/home/me"), "python3.12");
    assert.equal(expandPath("${workspaceFolder}/py", undefined, "/home/me"), "${workspaceFolder}/py");
  });

  it("finds commands on PATH in order, skipping empty entries", () => {
    const exists = new Set(["/b/python3", "/c/python3"]);
    assert.equal(findOnPath("python3", ["", "/a", "/b", "/c"].join(path.delimiter), (p) => exists.has(p), [""]), "/b/python3");
    assert.equal(findOnPath("python3", undefined, () => true, [""]), undefined);
  });
});
