import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { formatCost, formatTokens, NO_USAGE, parseStatus, SessionUsage, shortEngine, statusView } from "../src/logic/status";

const ready = {
  state: "ready",
  indexed: 12,
  total: 12,
  engine: "bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0",
  usage: { input_tokens: 1200, output_tokens: 300, cost_usd: 0.0081 },
};

describe("status notification", () => {
  it("parses the server's trace-advisor/status params", () => {
    assert.deepEqual(parseStatus(ready), {
      state: "ready",
      indexed: 12,
      total: 12,
      engine: "bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0",
      usage: { inputTokens: 1200, outputTokens: 300, costUsd: 0.0081 },
      message: undefined,
    });
  });

  it("rejects malformed params and sanitises numbers", () => {
    assert.equal(parseStatus(null), undefined);
    assert.equal(parseStatus({ state: "exploded" }), undefined);
    const odd = parseStatus({ state: "indexing", indexed: -3, total: "x", usage: { cost_usd: Number.NaN } });
    assert.deepEqual(odd?.usage, NO_USAGE);
    assert.equal(odd?.indexed, 0);
    assert.equal(odd?.engine, "local");
  });

  it("shows indexing progress, the engine and the session's cost", () => {
    const indexing = parseStatus({ state: "indexing", indexed: 40, total: 120, engine: "local" });
    assert.ok(indexing);
    assert.equal(statusView(indexing, NO_USAGE).text, "$(sync~spin) Trace Advisor: indexing 40/120");
    const done = parseStatus(ready);
    assert.ok(done);
    const view = statusView(done, done.usage);
    assert.equal(view.text, "$(telescope) Trace Advisor · bedrock:claude-3-5-sonnet · $0.0081");
    assert.match(view.tooltip, /Engine: bedrock:anthropic\.claude-3-5-sonnet-20240620-v1:0/);
    assert.match(view.tooltip, /1\.2k input \+ 300 output tokens, \$0\.0081/);
    assert.equal(view.isError, false);
    assert.equal(statusView("failed", NO_USAGE, "no python").isError, true);
    assert.match(statusView("failed", NO_USAGE, "no python").tooltip, /no python/);
  });

  it("does not show a cost for the local engine", () => {
    const local = parseStatus({ state: "ready", engine: "local" });
    assert.ok(local);
    assert.equal(statusView(local, NO_USAGE).text, "$(telescope) Trace Advisor · local");
  });

  it("keeps usage of earlier server processes for the session", () => {
    const usage = new SessionUsage();
    usage.update({ inputTokens: 100, outputTokens: 10, costUsd: 0.5 });
    usage.update({ inputTokens: 200, outputTokens: 20, costUsd: 1 }); // cumulative per server process
    usage.serverRestarted();
    usage.update({ inputTokens: 5, outputTokens: 1, costUsd: 0.25 });
    assert.deepEqual(usage.total(), { inputTokens: 205, outputTokens: 21, costUsd: 1.25 });
  });

  it("shortens engines and formats numbers for the bar", () => {
    assert.equal(shortEngine("bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0"), "bedrock:claude-3-5-haiku");
    assert.equal(shortEngine("bedrock:meta.llama3-1-70b-instruct-v1:0"), "bedrock:llama3-1-70b-instruct");
    assert.equal(shortEngine("openai:llama3.2"), "openai:llama3.2");
    assert.equal(shortEngine("local"), "local");
    assert.equal(formatTokens(999), "999");
    assert.equal(formatTokens(12_345), "12k");
    assert.equal(formatTokens(2_500_000), "2.5M");
    assert.equal(formatCost(1.234), "$1.23");
    assert.equal(formatCost(0.00123), "$0.0012");
  });
});
