/** Finds the interpreter for the server: the setting, the Python extension's selection (public API), or PATH. */

import * as fs from "node:fs";
import * as os from "node:os";

import * as vscode from "vscode";

import { chooseInterpreter, findOnPath, type InterpreterChoice } from "../logic/interpreter";

const PYTHON_EXTENSION_ID = "ms-python.python";

/** The part of the Python extension's public API (`@vscode/python-extension`) used here. */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string; id: string };
    resolveEnvironment(
      environment: { path: string; id: string } | string,
    ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

export class PythonInterpreters {
  constructor(private readonly log: (message: string) => void) {}

  async choose(resource: vscode.Uri | undefined, setting: readonly string[]): Promise<InterpreterChoice | undefined> {
    const needExtension = setting.every((part) => part.trim() === "");
    const fromExtension = needExtension ? await this.fromPythonExtension(resource) : undefined;
    return chooseInterpreter({
      setting,
      pythonExtension: fromExtension,
      findOnPath: (name) => findOnPath(name, process.env.PATH, isExecutableFile),
      workspaceFolder: resource ? vscode.workspace.getWorkspaceFolder(resource)?.uri.fsPath : undefined,
      home: os.homedir(),
    });
  }

  /** Fires when the user selects another interpreter in the Python extension. */
  async onDidChange(listener: () => void): Promise<vscode.Disposable | undefined> {
    const api = await this.api();
    return api?.environments?.onDidChangeActiveEnvironmentPath(() => listener());
  }

  private async fromPythonExtension(resource: vscode.Uri | undefined): Promise<string[] | undefined> {
    const api = await this.api();
    if (api?.environments === undefined) {
      return undefined;
    }
    try {
      const active = api.environments.getActiveEnvironmentPath(resource);
      const resolved = await api.environments.resolveEnvironment(active);
      const executable = resolved?.executable.uri?.fsPath;
      return executable ? [executable] : undefined;
    } catch (error) {
      this.log(`The Python extension could not resolve the selected interpreter: ${String(error)}`);
      return undefined;
    }
  }

  private async api(): Promise<PythonExtensionApi | undefined> {
    const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
    if (extension === undefined) {
      return undefined;
    }
    try {
      return extension.isActive ? extension.exports : await extension.activate();
    } catch (error) {
      this.log(`The Python extension did not activate: ${String(error)}`);
      return undefined;
    }
  }
}

function isExecutableFile(candidate: string): boolean {
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}
