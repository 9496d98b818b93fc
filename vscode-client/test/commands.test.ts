import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseCallHierarchyArgs, reportPath, summarizeAnalyses, summaryMessage } from "../src/logic/commands";

describe("command arguments and answers", () => {
  it("reads the call hierarchy lens arguments", () => {
    assert.deepEqual(parseCallHierarchyArgs(["file:///a.py", { line: 3, character: 8 }]), {
      uri: "file:///a.py",
      position: { line: 3, character: 8 },
      direction: "outgoing",
    });
    assert.equal(parseCallHierarchyArgs(["file:///a.py", { line: 0, character: 0 }, "incoming"]).direction, "incoming");
    assert.throws(() => parseCallHierarchyArgs([{ uri: "x" }]), /expects \[uri, \{line, character\}\]/);
  });

  it("finds the report path in the server's answer", () => {
    assert.equal(reportPath("/tmp/r.html"), "/tmp/r.html");
    assert.equal(reportPath({ path: "/tmp/r.html" }), "/tmp/r.html");
    assert.equal(reportPath(null), undefined);
    assert.equal(reportPath(""), undefined);
  });

  it("adds up analyzeFile answers", () => {
    const summary = summarizeAnalyses([
      { engine: "bedrock:m", recommendations: [{}, {}], problems: [], usage: { input_tokens: 100, output_tokens: 20, cost_usd: 0.01 } },
      null,
      { engine: "bedrock:m", recommendations: [{}], problems: ["throttled, used the local result"], usage: {} },
    ]);
    assert.deepEqual(summary, {
      files: 2,
      recommendations: 3,
      engines: ["bedrock:m"],
      problems: ["throttled, used the local result"],
      inputTokens: 100,
      outputTokens: 20,
      costUsd: 0.01,
    });
    assert.equal(
      summaryMessage(summary),
      "3 recommendations across 2 analysed files with bedrock:m (120 tokens, ~$0.0100). 1 problem(s): throttled, used the local result",
    );
  });
});
