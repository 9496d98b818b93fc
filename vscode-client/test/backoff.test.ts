import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { RestartPolicy } from "../src/logic/backoff";

describe("restart backoff", () => {
  const options = { maxRestarts: 3, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 3000 };

  it("backs off exponentially up to the cap, then gives up instead of looping", () => {
    const policy = new RestartPolicy(options);
    assert.deepEqual(policy.onExit(0), { restart: true, delayMs: 1000, attempt: 1 });
    assert.deepEqual(policy.onExit(1000), { restart: true, delayMs: 2000, attempt: 2 });
    assert.deepEqual(policy.onExit(3000), { restart: true, delayMs: 3000, attempt: 3 });
    assert.deepEqual(policy.onExit(6000), { restart: false, exits: 4 });
    assert.deepEqual(policy.onExit(7000), { restart: false, exits: 5 });
  });

  it("forgets exits older than the window", () => {
    const policy = new RestartPolicy(options);
    policy.onExit(0);
    policy.onExit(1000);
    assert.deepEqual(policy.onExit(70_000), { restart: true, delayMs: 1000, attempt: 1 });
  });

  it("starts over after a reset (manual restart or new settings)", () => {
    const policy = new RestartPolicy(options);
    for (let i = 0; i < 4; i += 1) {
      policy.onExit(i);
    }
    policy.reset();
    assert.deepEqual(policy.onExit(10), { restart: true, delayMs: 1000, attempt: 1 });
  });
});
