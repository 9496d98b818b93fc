// End-to-end test of the packaged extension in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) serves the
// workbench, headless Chromium runs it, and the extension's env-gated self-test drives diagnostics, code lenses,
// call hierarchy, a quick-fix, the report and "add spans in file" through VS Code's own command API. This script
// asserts what the self-test saw, the edited files on disk and the lenses drawn in the DOM, clicks the trust
// notification and an observed lens in the page, and saves screenshots.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import WebSocket from "ws";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    vsix: { type: "string" },
    examples: { type: "string" },
    artifacts: { type: "string" },
    python: { type: "string", default: "/usr/bin/python3" },
    "venv-python": { type: "string", default: path.resolve(here, "..", "..", ".venv", "bin", "python") },
    keep: { type: "boolean", default: false },
  },
});
for (const name of ["vsix", "examples", "artifacts"]) {
  if (!opts[name]) {
    throw new Error(`--${name} is required`);
  }
}

const MAIN_FILE = "shop/services/orders.py";
const SPANS_FILE = "shop/clients/payments.py";
const SELF_TEST_TIMEOUT_MS = 300_000;
const codeServer = path.join(here, "node_modules", ".bin", "code-server");
const artifacts = path.resolve(opts.artifacts);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trace-advisor-e2e-"));
const dirs = {
  extensions: path.join(tmp, "extensions"),
  workspace: path.join(tmp, "examples"),
  chromium: path.join(tmp, "chromium"),
  xdg: path.join(tmp, "xdg"),
};
const children = [];
const log = (message) => process.stdout.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(name, command, args, env) {
  const logFile = fs.openSync(path.join(artifacts, `vscode-e2e-${name}.log`), "w");
  const child = spawn(command, args, { env, stdio: ["ignore", logFile, logFile], detached: true });
  children.push(child);
  return child;
}

function stopAll() {
  for (const child of children) {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL"); // the whole process group: code-server forks its extension host
      } catch {
        // already gone
      }
    }
  }
}

async function waitFor(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? `: ${lastError.message}` : ""}`);
}

/** A minimal Chrome DevTools Protocol session over the page's websocket. */
async function cdp(webSocketUrl) {
  const socket = new WebSocket(webSocketUrl, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.id !== undefined && pending.has(message.id)) {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      message.error ? reject(new Error(JSON.stringify(message.error))) : resolve(message.result);
    }
  });
  return {
    send(method, params = {}) {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        setTimeout(() => pending.has(id) && (pending.delete(id), reject(new Error(`${method} timed out`))), 30_000);
      });
    },
    async evaluate(expression) {
      const answer = await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
      return answer.result.value;
    },
    close() {
      socket.close();
    },
  };
}

/**
 * Starts code-server with the given user settings and self-test environment on a fresh user-data dir, opens the
 * workbench in headless Chromium, waits for the self-test's JSON and returns it with the open CDP page.
 */
async function runScenario(name, settings, selfTestEnv, workspace = dirs.workspace) {
  const userData = path.join(tmp, `user-data-${name}`);
  const resultFile = path.join(tmp, `self-test-${name}.json`);
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(dirs.xdg, "config"),
    XDG_DATA_HOME: path.join(dirs.xdg, "data"),
    XDG_CACHE_HOME: path.join(dirs.xdg, "cache"),
    TRACE_ADVISOR_SELF_TEST: resultFile,
    ...selfTestEnv,
  };
  const common = ["--user-data-dir", userData, "--extensions-dir", dirs.extensions];
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  fs.writeFileSync(
    path.join(userData, "User", "settings.json"),
    JSON.stringify(
      {
        "traceAdvisor.trace.server": "messages",
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "security.workspace.trust.enabled": false,
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "editor.codeLens": true,
        "editor.minimap.enabled": false,
        "files.autoSave": "off",
        "chat.commandCenter.enabled": false,
        ...settings,
      },
      null,
      2,
    ),
  );

  const port = await freePort();
  const configFile = path.join(tmp, `code-server-${name}.yaml`);
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  log(`[${name}] starting code-server on ${port}`);
  const server = start(`${name}-code-server`, codeServer, [
    "--config", configFile, ...common, "--disable-telemetry", "--disable-update-check",
    "--disable-workspace-trust", "--disable-getting-started-override", workspace,
  ], env);
  await waitFor("code-server to listen", 60_000, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok);

  const debugPort = await freePort();
  log(`[${name}] starting headless chromium`);
  const browser = start(`${name}-chromium`, "chromium", [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    `--user-data-dir=${path.join(dirs.chromium, name)}`, "--window-size=1400,900",
    `--remote-debugging-port=${debugPort}`, "--disable-background-networking", "--disable-component-update",
    "--no-first-run", `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`,
  ], env);
  const pageUrl = await waitFor("chromium's debugging endpoint", 60_000, async () => {
    const targets = await (await fetch(`http://127.0.0.1:${debugPort}/json/list`)).json();
    return targets.find((target) => target.type === "page" && target.url.includes(`127.0.0.1:${port}`))?.webSocketDebuggerUrl;
  });
  const page = await cdp(pageUrl);
  await page.send("Page.enable");

  log(`[${name}] waiting for the extension's self-test`);
  const result = await waitFor("the self-test result", SELF_TEST_TIMEOUT_MS, () =>
    fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, "utf8")) : undefined,
  );
  fs.writeFileSync(path.join(artifacts, `vscode-self-test-${name}.json`), JSON.stringify(result, null, 2));
  for (const step of result.steps ?? []) {
    log(`  [${name}] self-test: ${step}`);
  }
  const finish = () => {
    page.close();
    for (const child of [browser, server]) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    const logs = path.join(userData, "logs");
    if (fs.existsSync(logs)) {
      fs.rmSync(path.join(artifacts, `vscode-e2e-logs-${name}`), { recursive: true, force: true });
      fs.cpSync(logs, path.join(artifacts, `vscode-e2e-logs-${name}`), { recursive: true });
    }
  };
  return { result, page, finish };
}

async function screenshot(page, file) {
  const shot = await page.send("Page.captureScreenshot", { format: "png" });
  fs.writeFileSync(path.join(artifacts, file), Buffer.from(shot.data, "base64"));
  log(`screenshot: ${path.join(artifacts, file)}`);
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  for (const dir of Object.values(dirs)) {
    fs.mkdirSync(dir, { recursive: true });
  }
  fs.cpSync(path.resolve(opts.examples), dirs.workspace, {
    recursive: true,
    filter: (source) => !/(__pycache__|\.ruff_cache|\.mypy_cache|\.pytest_cache)$/.test(source),
  });
  const originalMain = fs.readFileSync(path.join(dirs.workspace, MAIN_FILE), "utf8");
  const originalSpans = fs.readFileSync(path.join(dirs.workspace, SPANS_FILE), "utf8");

  // A machine where trace-advisor is not installed: the extension must fall back to its bundled server.
  const probe = execFileSync(opts.python, ["-c", "import importlib.util as u; print(u.find_spec('trace_advisor_lsp') is None)"], {
    encoding: "utf8",
  }).trim();
  assert.equal(probe, "True", `${opts.python} must not have trace-advisor installed for this test`);

  log(`installing ${opts.vsix}`);
  execFileSync(codeServer, ["--extensions-dir", dirs.extensions, "--user-data-dir", path.join(tmp, "install"),
    "--install-extension", path.resolve(opts.vsix), "--force"], { stdio: "inherit", timeout: 180_000 });

  // 1. The features, on a bare system Python (bundled server).
  const features = await runScenario("features", { "traceAdvisor.interpreter": [opts.python] }, {
    TRACE_ADVISOR_SELF_TEST_FILE: MAIN_FILE,
    TRACE_ADVISOR_SELF_TEST_SPANS_FILE: SPANS_FILE,
  });
  try {
    const drawn = await waitFor("code lenses drawn in the editor", 30_000, async () => {
      const titles = await features.page.evaluate(
        "Array.from(document.querySelectorAll('.monaco-editor .codelens-decoration a')).map((a) => a.textContent)",
      );
      return titles && titles.length > 0 ? titles : undefined;
    }).catch(() => []);
    await screenshot(features.page, "vscode-lenses.png");
    log(`lenses drawn: ${JSON.stringify(drawn.slice(0, 6))}`);
    assert.equal(features.result.error, undefined, `self-test failed: ${features.result.error}`);
    assert.equal(features.result.ok, true);
    assertResult(features.result, drawn, originalMain, originalSpans);
  } finally {
    features.finish();
  }
  log("features: all assertions passed");

  // 2. A model provider: Bedrock's wire format on loopback, real boto3 in the (bundled) server.
  const bedrockUrl = await startFakeBedrock();
  const model = await runScenario("model", {
    "traceAdvisor.interpreter": [opts.python],
    "traceAdvisor.provider.name": "bedrock",
    "traceAdvisor.provider.bedrock.endpointUrl": bedrockUrl,
    "traceAdvisor.provider.bedrock.region": "us-east-1",
    "traceAdvisor.provider.bedrock.maxAttempts": 1,
    "traceAdvisor.provider.cache": false,
    "traceAdvisor.server.analyzeOnSave": false,
  }, {
    TRACE_ADVISOR_SELF_TEST_SCENARIO: "model",
    TRACE_ADVISOR_SELF_TEST_FILE: MAIN_FILE,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: path.join(tmp, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, "no-aws-credentials"),
  });
  try {
    const statusText = await model.page.evaluate("document.querySelector('.part.statusbar')?.innerText ?? ''");
    log(`status bar: ${JSON.stringify(statusText)}`);
    await screenshot(model.page, "vscode-model.png");
    assert.equal(model.result.error, undefined, `self-test failed: ${model.result.error}`);
    assertModel(model.result, statusText);
  } finally {
    model.finish();
  }
  log("model: all assertions passed");

  // 3. A server that crashes at start, then an interpreter without the server.
  const crashing = path.join(tmp, "crashing-python");
  fs.writeFileSync(
    crashing,
    `#!/bin/sh\ncase "$*" in *"-m trace_advisor_lsp"*) echo "simulated crash" >&2; exit 3;; esac\nexec ${opts.python} "$@"\n`,
    { mode: 0o755 },
  );
  const failures = await runScenario("failures", { "traceAdvisor.interpreter": [crashing] }, {
    TRACE_ADVISOR_SELF_TEST_SCENARIO: "failures",
    TRACE_ADVISOR_SELF_TEST_BARE_PYTHON: opts.python,
  });
  try {
    const toasts = await waitFor("the error notification", 20_000, async () => {
      const text = await failures.page.evaluate(
        "Array.from(document.querySelectorAll('.notification-list-item-message')).map((e) => e.textContent).join('\\n')",
      );
      return text && text.includes("does not have the Trace Advisor server") ? text : undefined;
    }).catch(() => "");
    await screenshot(failures.page, "vscode-failure.png");
    assert.equal(failures.result.error, undefined, `self-test failed: ${failures.result.error}`);
    assertFailures(failures.result, toasts);
  } finally {
    failures.finish();
  }
  log("failures: all assertions passed");

  // 4. A cloned project whose .trace-advisor.yaml picks a model endpoint and a key variable: ignored, with a
  //    warning whose "Trust…" button (then the confirmation's "Trust") trusts the file and applies them.
  const untrusted = path.join(tmp, "untrusted");
  const fixtures = path.resolve(here, "..", "..", "tests", "fixtures");
  fs.cpSync(path.join(fixtures, "lsp", "untrusted"), untrusted, { recursive: true });
  // the code is the security fixture's ordinary app (one copy for both); the untrusted part is the config file
  fs.cpSync(path.join(fixtures, "security", "project", "app"), path.join(untrusted, "app"), { recursive: true });
  const trust = await runScenario("trust", { "traceAdvisor.interpreter": [opts.python] }, {
    TRACE_ADVISOR_SELF_TEST_SCENARIO: "trust",
    TRACE_ADVISOR_SELF_TEST_FILE: "app/orders.py",
  }, untrusted);
  try {
    assert.equal(trust.result.error, undefined, `self-test failed: ${trust.result.error}`);
    assert.equal(trust.result.engineBefore, "local", "an untrusted project file chose the model provider");
    const trustedFile = path.join(dirs.xdg, "config", "trace-advisor", "trusted.json");
    assert.ok(!fs.existsSync(trustedFile), "trusted before anyone clicked");
    const warning = await waitFor("the untrusted-configuration warning", 30_000, () =>
      trust.page.evaluate(`(() => {
        const item = Array.from(document.querySelectorAll('.notification-list-item'))
          .find((e) => /is not trusted/.test(e.textContent));
        const button = item && Array.from(item.querySelectorAll('.monaco-button')).find((b) => b.textContent === 'Trust…');
        if (!button) return undefined;
        const text = item.querySelector('.notification-list-item-message').textContent;
        button.click();
        return text;
      })()`),
    );
    log(`warning: ${JSON.stringify(warning)}`);
    assert.match(warning, /\.trace-advisor\.yaml in untrusted is not trusted, so it ignores provider\.name, /);
    const detail = await waitFor("the trust confirmation", 20_000, () =>
      trust.page.evaluate(`(() => {
        const dialog = document.querySelector('.monaco-dialog-box');
        const button = dialog && Array.from(dialog.querySelectorAll('.monaco-button')).find((b) => b.textContent === 'Trust');
        if (!button) return undefined;
        const text = dialog.textContent;
        button.click();
        return text;
      })()`),
    );
    assert.match(detail, /provider\.openai\.base_url = 'http:\/\/127\.0\.0\.1:9\/v1'/);
    const trusted = await waitFor("the trust store", 30_000, () =>
      fs.existsSync(trustedFile) ? JSON.parse(fs.readFileSync(trustedFile, "utf8")) : undefined,
    );
    assert.ok(Object.keys(trusted.files).some((file) => file.endsWith(path.join("untrusted", ".trace-advisor.yaml"))), JSON.stringify(trusted));
    const statusText = await waitFor("the trusted provider in the status bar", 30_000, async () => {
      const text = await trust.page.evaluate("document.querySelector('.part.statusbar')?.innerText ?? ''");
      return /llama3\.2/.test(text) ? text : undefined;
    });
    log(`status bar after trust: ${JSON.stringify(statusText)}`);
    await screenshot(trust.page, "vscode-trusted.png");
  } finally {
    trust.finish();
  }
  log("trust: all assertions passed");

  // 5. The observed lens: functions that ran under the OTel SDK (tests/fixtures/traces: 4 checkouts, the last one
  // failing, written as OTLP JSON) show their figures in a lens; a click runs the server's command, which shows them.
  const observedApp = path.join(tmp, "observed", "app");
  fs.cpSync(path.join(fixtures, "traces", "app"), observedApp, { recursive: true });
  const spansJson = path.join(tmp, "observed", "spans.jsonl");
  fs.mkdirSync(path.join(tmp, "observed", "work"), { recursive: true });
  execFileSync(opts["venv-python"], [path.join(fixtures, "traces", "scenario.py"), observedApp,
    path.join(tmp, "observed", "work"), spansJson, "--orders", "4", "--fail", "1"], { stdio: "inherit", timeout: 120_000 });
  const observed = await runScenario("observed", {
    "traceAdvisor.interpreter": [opts.python],
    "traceAdvisor.traces": [spansJson],
  }, {
    TRACE_ADVISOR_SELF_TEST_SCENARIO: "observed",
    TRACE_ADVISOR_SELF_TEST_FILE: "shop/orders.py",
  }, observedApp);
  try {
    assert.equal(observed.result.error, undefined, `self-test failed: ${observed.result.error}`);
    const checkout = observed.result.observedLenses.find((lens) => lens.arguments[1] === "shop.orders:checkout");
    assert.ok(checkout, JSON.stringify(observed.result.observedLenses));
    assert.match(checkout.title, /^observed: p50 .+ · p95 .+ · 4 spans · 1 error$/);
    // a click on the lens drawn in the editor (what a user does: the mouse pressed and released on it, which is
    // what the editor's code-lens links listen to), then the message the command shows
    // the editor may redraw its lenses as the click lands (a refresh replaces the element under the mouse): a user
    // clicks again, so up to three clicks, each on the lens as drawn then, and each given 10 s to show the message
    let message;
    for (let attempt = 1; attempt <= 3 && message === undefined; attempt += 1) {
      const drawn = await waitFor("the observed lens drawn", 30_000, () =>
        observed.page.evaluate(`(() => {
          const link = Array.from(document.querySelectorAll('.monaco-editor .codelens-decoration a'))
            .find((a) => a.textContent.startsWith('observed') && a.textContent.endsWith('4 spans · 1 error'));
          if (!link) return undefined;
          const box = link.getBoundingClientRect();
          return { text: link.textContent, x: box.left + box.width / 2, y: box.top + box.height / 2 };
        })()`),
      );
      for (const type of ["mouseMoved", "mousePressed", "mouseReleased"]) {
        await observed.page.send("Input.dispatchMouseEvent", { type, x: drawn.x, y: drawn.y, button: "left", clickCount: 1 });
      }
      log(`clicked (${attempt}): ${JSON.stringify(drawn.text)}`);
      message = await waitFor("the observed figures shown", attempt === 3 ? 30_000 : 10_000, () =>
        observed.page.evaluate(`(() => {
          const item = Array.from(document.querySelectorAll('.notification-list-item-message'))
            .find((e) => e.textContent.startsWith("trace-advisor: checkout, span 'checkout'"));
          return item ? item.textContent : undefined;
        })()`),
      ).catch((error) => {
        if (attempt === 3) throw error;
        return undefined;
      });
    }
    log(`shown: ${JSON.stringify(message)}`);
    assert.match(message, /^trace-advisor: checkout, span 'checkout': 4 spans in 4 traces, /);
    assert.match(message, / 1 error \(25%\)\. /);
    await screenshot(observed.page, "vscode-observed.png");
  } finally {
    observed.finish();
  }
  log("observed: all assertions passed");
}

/** The tests' loopback Bedrock (real boto3 in the server talks to it); resolves to its URL. */
function startFakeBedrock() {
  const child = spawn(opts["venv-python"], [path.join(here, "fake_bedrock.py")], { stdio: ["pipe", "pipe", "inherit"], detached: true });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`fake bedrock exited (${code})`)));
    child.stdout.once("data", (chunk) => resolve(chunk.toString().trim()));
  });
}

function assertModel(result, statusText) {
  const file = result.analyzeFile;
  assert.ok(file && file.engine === "bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0", JSON.stringify(file));
  assert.ok(file.recommendations.length > 0, "Analyze Current File returned no recommendations");
  // Analyze Workspace asked the server about every Python file, with the model engine.
  assert.equal(result.analyzeWorkspace.length, result.pythonFiles);
  assert.ok(result.analyzeWorkspace.every((answer) => answer.engine === file.engine), JSON.stringify(result.analyzeWorkspace));
  const tokens = result.analyzeWorkspace.reduce((sum, answer) => sum + (answer.usage?.input_tokens ?? 0), file.usage.input_tokens);
  assert.ok(tokens > 0, "no file was sent to the model");
  // The status bar: the session's usage as the server reported it, and drawn with the engine and the cost.
  assert.equal(result.status.engine, "bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0");
  assert.ok(result.status.usage.inputTokens > 0 && result.status.usage.outputTokens > 0, JSON.stringify(result.status));
  assert.ok(result.status.usage.costUsd > 0, JSON.stringify(result.status.usage));
  assert.match(statusText, /Trace Advisor · bedrock:claude-3-5-sonnet · \$\d+\.\d+/);
}

function assertFailures(result, toasts) {
  // Restarts back off: 1 s, 2 s, 4 s, ... so 8 s of a crashing server see at most four restarts, never a loop.
  const restarts = result.crashTransitions.filter((entry) => /restarting in \d+ s/.test(entry));
  const delays = restarts.map((entry) => Number(/restarting in (\d+) s/.exec(entry)[1]));
  assert.ok(delays.length >= 2 && delays.length <= 4, JSON.stringify(result.crashTransitions));
  assert.deepEqual(delays, [1, 2, 4, 8].slice(0, delays.length));
  // An interpreter without the server gets a message that says what is missing and how to fix it.
  assert.match(result.setupFailure, /does not have the Trace Advisor server \(missing: trace_advisor_lsp/);
  assert.match(result.setupFailure, /-m pip install trace-advisor/);
  assert.match(toasts, /does not have the Trace Advisor server/);
}

function assertResult(result, drawn, originalMain, originalSpans) {
  // The server advertises the commands the extension calls, and not the client-side lens command.
  for (const command of ["trace-advisor.analyzeFile", "trace-advisor.showReport", "trace-advisor.addSpansInFile"]) {
    assert.ok(result.serverCommands.includes(command), `server lacks ${command}`);
  }
  assert.ok(!result.serverCommands.includes("trace-advisor.showCallHierarchy"));
  assert.equal(result.readyStatus?.state, "ready", "no trace-advisor/status 'ready' notification reached the status bar");
  assert.equal(result.readyStatus.engine, "local");

  // Diagnostics on the order service: place_order is the function every engine must flag.
  const ours = result.diagnostics.filter((d) => /trace-advisor/i.test(String(d.source)));
  assert.ok(ours.length > 0, `no trace-advisor diagnostics: ${JSON.stringify(result.diagnostics)}`);
  const placeLine = lineOf(originalMain, /def place_order\(/);
  const placeDiagnostic = ours.find((d) => d.range[0] === placeLine);
  assert.ok(placeDiagnostic, `place_order (line ${placeLine}) not flagged: ${JSON.stringify(ours.map((d) => d.range))}`);
  assert.match(placeDiagnostic.message, /Span recommended/);

  // Lenses: call counts with the client-side hierarchy command, and "Add span" lenses.
  const hierarchy = result.lenses.filter((lens) => lens.command === "trace-advisor.showCallHierarchy");
  assert.ok(hierarchy.length > 0, "no call-hierarchy lenses");
  assert.ok(hierarchy.every((lens) => /\d+ callers? · \d+ callees?/.test(lens.title)), JSON.stringify(hierarchy.map((l) => l.title)));
  assert.ok(result.lenses.some((lens) => /^Add span/.test(lens.title)), "no Add span lens");

  // The lens command put the cursor where the lens said.
  const [uri, position] = result.lensCommand.arguments;
  assert.equal(result.lensCommand.activeUri, uri);
  assert.deepEqual(result.lensCommand.cursor, [position.line, position.character]);

  // Outgoing calls of place_order come from the workspace call graph, across modules.
  assert.equal(position.line, placeLine, "the self-test should follow place_order's lens");
  assert.deepEqual(result.callHierarchy.items.map((item) => item.detail), ["shop.services.orders:OrderService.place_order"]);
  const callees = result.callHierarchy.outgoing.map((call) => call.detail);
  for (const callee of ["shop.services.pricing:PricingEngine.quote", "shop.repository.sqlite_repo:ProductRepository.reserve_stock"]) {
    assert.ok(callees.includes(callee), `${callee} missing from outgoing calls ${JSON.stringify(callees)}`);
  }
  assert.ok(result.callHierarchy.outgoing.every((call) => call.fromRanges.length > 0));

  // The quick-fix added a span, saved to disk, and the file still parses as the server saw it.
  const fix = result.quickFix;
  assert.ok(fix.applied && fix.saved && fix.changed, JSON.stringify({ ...fix, textAfter: undefined }));
  const mainOnDisk = fs.readFileSync(path.join(dirs.workspace, MAIN_FILE), "utf8");
  assert.equal(mainOnDisk, fix.textAfter);
  assert.notEqual(mainOnDisk, originalMain);
  assert.match(mainOnDisk, /from opentelemetry import trace/);
  assert.match(mainOnDisk, /tracer = trace\.get_tracer\(__name__\)/);
  // the preferred quick-fix comes first: the span with the recommendation's attributes ("Add span …" follows)
  assert.equal(fix.title, "Add span \u201cOrderService.place_order\u201d with attributes");
  assert.equal(fix.isPreferred, true);
  assert.match(mainOnDisk, /tracer\.start_as_current_span\("OrderService\.place_order"\)/);
  execFileSync(opts.python, ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", path.join(dirs.workspace, MAIN_FILE)]);

  // Settings apply live: a stricter minConfidence hides the weaker recommendations, resetting it brings them back.
  const live = result.liveSettings;
  assert.ok(live.stricter !== null, `diagnostics did not follow minConfidence ${live.cut / 100}`);
  assert.ok(live.stricter.every((value) => value >= live.cut), JSON.stringify(live));
  // (not a superset: the cost decision can leave out a callee of a weaker function once that one is back)
  assert.ok(live.restored !== null && live.restored.some((value) => value < live.cut), JSON.stringify(live));

  // Restart Server starts a new server process that reaches "ready" again (lenses in the screenshot come from it).
  assert.deepEqual(result.restart, { newClient: true, ready: true });

  // The report command wrote an HTML file.
  assert.ok(result.report.path && result.report.size > 500, JSON.stringify(result.report));
  assert.match(fs.readFileSync(result.report.path, "utf8"), /<html/i);

  // "Add spans to all recommended functions" edited the second file.
  assert.equal(result.addSpans.changed, true, JSON.stringify(result.addSpans));
  const spansOnDisk = fs.readFileSync(path.join(dirs.workspace, SPANS_FILE), "utf8");
  assert.notEqual(spansOnDisk, originalSpans);
  assert.ok((spansOnDisk.match(/start_as_current_span\(/g) ?? []).length >= 2, "expected spans on several functions");

  // The editor drew the lenses.
  assert.ok(drawn.length > 0, "no code lens drawn in the editor DOM");
}

function lineOf(text, pattern) {
  const index = text.split("\n").findIndex((line) => pattern.test(line));
  assert.ok(index >= 0, `${pattern} not found`);
  return index;
}

const watchdog = setTimeout(() => {
  log("e2e watchdog: giving up after 9 minutes");
  stopAll();
  process.exit(1);
}, 540_000);

try {
  await main();
  process.exitCode = 0;
} catch (error) {
  log(`FAILED: ${error.stack ?? error}`);
  log(`logs and self-test output are in ${artifacts}; temp dir ${tmp}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  stopAll();
  if (!opts.keep && process.exitCode === 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
