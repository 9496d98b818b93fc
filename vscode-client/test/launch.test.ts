import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import { type LaunchFailure, type LaunchPlan, parseProbe, planLaunch, PROBE_SCRIPT, type Probe, serverEnv } from "../src/logic/launch";
import { barePython, BUNDLED_LIBS, REPO, run, StdioLspClient, venvPython } from "./support";

const withServer: Probe = { version: [3, 12, 1], executable: "/venv/bin/python", missing: [] };
const bare: Probe = { version: [3, 11, 2], executable: "/usr/bin/python3", missing: ["trace_advisor_lsp", "pygls"] };

function plan(probe: Probe, strategy: "auto" | "fromEnvironment" | "useBundled", bundled?: string): LaunchPlan | LaunchFailure {
  return planLaunch({ interpreter: ["/py", "-X", "utf8"], probe, strategy, bundledLibs: bundled, baseEnv: { PATH: "/bin", PYTHONPATH: "/mine" } });
}

describe("server command line", () => {
  it("runs the server module with the interpreter's own arguments first", () => {
    const result = plan(withServer, "auto", "/ext/bundled/libs");
    assert.ok(!("kind" in result));
    assert.equal(result.command, "/py");
    assert.deepEqual(result.args, ["-X", "utf8", "-m", "trace_advisor_lsp"]);
    assert.equal(result.usesBundled, false);
    assert.equal(result.env.PYTHONPATH, "/mine");
    assert.equal(result.env.PYTHONSAFEPATH, "1");
    assert.equal(result.env.PATH, "/bin");
  });

  it("auto uses the bundled libraries when the environment lacks the server, first on PYTHONPATH", () => {
    const result = plan(bare, "auto", "/ext/bundled/libs");
    assert.ok(!("kind" in result));
    assert.equal(result.usesBundled, true);
    assert.equal(result.env.PYTHONPATH, ["/ext/bundled/libs", "/mine"].join(path.delimiter));
    assert.match(result.summary, /bundled with the extension/);
  });

  it("useBundled wins even when the environment has the server", () => {
    const result = plan(withServer, "useBundled", "/ext/bundled/libs");
    assert.ok(!("kind" in result));
    assert.equal(result.usesBundled, true);
  });

  it("explains what is missing instead of starting a server that cannot run", () => {
    const missing = plan(bare, "fromEnvironment", "/ext/bundled/libs");
    assert.ok("kind" in missing);
    assert.equal(missing.kind, "missing-server");
    assert.match(missing.message, /does not have the Trace Advisor server \(missing: trace_advisor_lsp, pygls\)/);
    assert.match(missing.message, /\/usr\/bin\/python3 -m pip install trace-advisor/);
    const noBundle = plan(bare, "auto", undefined);
    assert.ok("kind" in noBundle && noBundle.kind === "no-bundle");
    const old = plan({ ...withServer, version: [3, 10, 12] }, "auto", "/b");
    assert.ok("kind" in old && old.kind === "old-python");
    assert.match(old.message, /needs Python 3\.11 or newer, but \/venv\/bin\/python is Python 3\.10\.12/);
  });

  it("keeps the caller's environment untouched", () => {
    const base = { PYTHONPATH: "/mine", UNSET: undefined };
    const env = serverEnv(base, "/libs");
    assert.equal(base.PYTHONPATH, "/mine");
    assert.equal("UNSET" in env, false);
    assert.equal(serverEnv({}, "/libs").PYTHONPATH, "/libs");
  });

  it("rejects probe output that is not the probe's JSON", () => {
    assert.throws(() => parseProbe("Python 2.7\n"), /unexpected output from the interpreter probe/);
    assert.throws(() => parseProbe('{"version": [3, 11]}'), /unexpected output/);
  });
});

describe("interpreter probe against real interpreters", () => {
  it("finds the server in the repository's virtualenv", () => {
    const probe = parseProbe(run(venvPython(), ["-c", PROBE_SCRIPT]));
    assert.deepEqual(probe.missing, []);
    assert.ok(probe.version[0] === 3 && probe.version[1] >= 11);
  });

  it("reports what a bare system Python lacks, and nothing is missing with the bundled libraries", () => {
    const python = barePython();
    const probe = parseProbe(run(python, ["-c", PROBE_SCRIPT], serverEnv(process.env, undefined)));
    assert.ok(probe.missing.includes("trace_advisor_lsp"), `expected ${python} to lack trace-advisor`);
    assert.ok(fs.existsSync(path.join(BUNDLED_LIBS, "trace_advisor_lsp")), `${BUNDLED_LIBS} is not built: run make -C vscode-client bundle`);
    const bundled = parseProbe(run(python, ["-c", PROBE_SCRIPT], serverEnv(process.env, BUNDLED_LIBS)));
    assert.deepEqual(bundled.missing, []);
  });
});

/** Starts the server exactly as the extension would (plus the --stdio vscode-languageclient appends). */
async function initializeWith(python: string, strategy: "fromEnvironment" | "useBundled"): Promise<void> {
  const probe = parseProbe(run(python, ["-c", PROBE_SCRIPT], serverEnv(process.env, undefined)));
  const launch = planLaunch({ interpreter: [python], probe, strategy, bundledLibs: BUNDLED_LIBS, baseEnv: process.env });
  assert.ok(!("kind" in launch), JSON.stringify(launch));
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "trace-advisor-launch-"));
  fs.cpSync(path.join(REPO, "examples"), workspace, { recursive: true });
  const client = new StdioLspClient(launch.command, [...launch.args, "--stdio"], { env: launch.env, cwd: workspace });
  try {
    const answer = await client.request("initialize", {
      processId: process.pid,
      rootUri: `file://${workspace}`,
      workspaceFolders: [{ uri: `file://${workspace}`, name: "examples" }],
      capabilities: { workspace: { configuration: true } },
      initializationOptions: { minConfidence: 0.6, server: { analyzeOnSave: false } },
    });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    const capabilities = (answer.result as { capabilities: Record<string, unknown> }).capabilities;
    const commands = (capabilities.executeCommandProvider as { commands: string[] } | undefined)?.commands ?? [];
    for (const command of ["trace-advisor.analyzeFile", "trace-advisor.showReport", "trace-advisor.addSpansInFile"]) {
      assert.ok(commands.includes(command), `server does not offer ${command}: ${JSON.stringify(commands)}`);
    }
    // The lens command is the extension's: if the server listed it, vscode-languageclient would register it twice.
    assert.ok(!commands.includes("trace-advisor.showCallHierarchy"));
    assert.ok(capabilities.codeLensProvider, "no code lenses");
    assert.ok(capabilities.callHierarchyProvider, "no call hierarchy");
    client.notify("initialized", {});
    assert.equal(await client.shutdown(), 0, client.stderr);
  } finally {
    client.process.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

describe("server started with the planned command line", { timeout: 120_000 }, () => {
  it("answers initialize from the virtualenv", () => initializeWith(venvPython(), "fromEnvironment"));
  it("answers initialize from a bare Python with the bundled libraries", () => initializeWith(barePython(), "useBundled"));
});
