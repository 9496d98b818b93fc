/**
 * Builds `package.json` `contributes` (settings, commands, menus) from `config/config.schema.json` and the command
 * table, so the manifest cannot drift from the server's settings: `npm run sync-settings` writes it, a test checks it.
 */

import { CATEGORY, COMMANDS } from "../src/logic/commands";
import { CLIENT_ONLY_SETTINGS, SECTION, snakeToCamel } from "../src/logic/settings";

export interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  [keyword: string]: unknown;
}

export type VsSetting = Record<string, unknown>;

/** Mappings whose keys are user-chosen names, kept verbatim on the wire (mirrors trace_advisor.config.case). */
export const VERBATIM_KEYS: readonly string[] = ["priorities"];

/** Schema keys (snake_case dotted paths, `*` for any name) not offered as VS Code settings, and why. */
export const NOT_IN_VSCODE: Readonly<Record<string, string>> = {
  python:
    "the server runs on the interpreter the extension chose (traceAdvisor.interpreter or the Python extension's), " +
    "and searches that interpreter's site-packages",
  "report.format": "CLI report options; Trace Advisor: Open Call-Tree Report always writes HTML",
  "report.template": "CLI report options; Trace Advisor: Open Call-Tree Report always writes HTML",
  "report.output": "CLI report options; Trace Advisor: Open Call-Tree Report always writes HTML",
  "priorities.*.description": "long prose sent to models; edit it, or add custom priorities, in .trace-advisor.yaml",
};

/** Friendlier texts for enum values, by schema path. */
const ENUM_DESCRIPTIONS: Readonly<Record<string, string[]>> = {
  "provider.name": [
    "The built-in local scorer: deterministic, free, never uses the network.",
    "Amazon Bedrock (Converse API) with the model, region and profile below.",
    "Any OpenAI-compatible /v1/chat/completions endpoint (vLLM, Ollama, LM Studio, OpenAI).",
  ],
};

/** Settings read by the extension itself (see CLIENT_ONLY_SETTINGS); listed first and last in the UI. */
const CLIENT_SETTINGS_FIRST: Record<string, VsSetting> = {
  interpreter: {
    type: "array",
    items: { type: "string" },
    default: [],
    scope: "window",
    description:
      "Python interpreter (3.11+) that runs the Trace Advisor server, with optional extra arguments. Empty: the " +
      "interpreter selected in the Python extension, else python3 on PATH. ${workspaceFolder} and ~ are expanded.",
  },
  importStrategy: {
    type: "string",
    enum: ["auto", "fromEnvironment", "useBundled"],
    enumDescriptions: [
      "Use trace-advisor from the interpreter's environment when it is installed there, else the copy bundled with the extension.",
      "Always use trace-advisor from the interpreter's environment (fails when it is not installed).",
      "Always use the copy bundled with the extension, whatever the environment has.",
    ],
    default: "auto",
    scope: "window",
    description: "Where the server's Python libraries come from.",
  },
};

const CLIENT_SETTINGS_LAST: Record<string, VsSetting> = {
  reportViewer: {
    type: "string",
    enum: ["webview", "browser"],
    enumDescriptions: ["Inside VS Code, in a panel beside the editor.", "In the default web browser."],
    default: "webview",
    scope: "window",
    description: "Where Trace Advisor: Open Call-Tree Report shows the HTML report.",
  },
  "trace.server": {
    type: "string",
    enum: ["off", "messages", "verbose"],
    default: "off",
    scope: "window",
    description: "Log the LSP messages between VS Code and the server to the Trace Advisor output (for debugging).",
  },
};

const SETTING_KEYWORDS = ["type", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "items"];

/** A server setting found in the schema: its snake_case schema path and the VS Code key under the section. */
export interface SchemaLeaf {
  schemaPath: string;
  key: string;
  schema: JsonSchema;
  default: unknown;
  description: string;
}

/** Every leaf setting of the schema, with the camelCase key it has on the wire and in VS Code. */
export function schemaLeaves(root: JsonSchema): SchemaLeaf[] {
  const leaves: SchemaLeaf[] = [];
  const walk = (
    node: JsonSchema,
    schemaPath: string[],
    keyPath: string[],
    inherited: { default: unknown; description: string | undefined },
    verbatimChildren: boolean,
  ): void => {
    const resolved = deref(root, node);
    const properties = resolved.properties;
    if (properties === undefined || Object.keys(properties).length === 0) {
      const description = [inherited.description, resolved.description].filter(Boolean).join(" ");
      leaves.push({
        schemaPath: schemaPath.join("."),
        key: keyPath.join("."),
        schema: resolved,
        default: resolved.default !== undefined ? resolved.default : inherited.default,
        description,
      });
      return;
    }
    for (const [name, child] of Object.entries(properties)) {
      const childResolved = deref(root, child);
      const parentDefault = resolved.default ?? inherited.default;
      const inheritedDefault =
        parentDefault !== null && typeof parentDefault === "object" ? (parentDefault as Record<string, unknown>)[name] : undefined;
      // Children of a verbatim map (one priority) carry their item's description into each leaf's text.
      const itemDescription = verbatimChildren
        ? `Priority "${name}" (${(childResolved.description ?? "").replace(/\.$/, "")}).`
        : inherited.description;
      walk(
        child,
        [...schemaPath, name],
        [...keyPath, verbatimChildren ? name : snakeToCamel(name)],
        { default: inheritedDefault, description: itemDescription },
        schemaPath.length === 0 && VERBATIM_KEYS.includes(name),
      );
    }
  };
  walk(root, [], [], { default: undefined, description: undefined }, false);
  return leaves;
}

/** True when a schema path is excluded by NOT_IN_VSCODE (exactly or through a `*` segment). */
export function excludedFromVsCode(schemaPath: string): boolean {
  const parts = schemaPath.split(".");
  return Object.keys(NOT_IN_VSCODE).some((pattern) => {
    const expected = pattern.split(".");
    return expected.length === parts.length && expected.every((part, index) => part === "*" || part === parts[index]);
  });
}

export function serverSettings(schema: JsonSchema): Record<string, VsSetting> {
  const out: Record<string, VsSetting> = {};
  for (const leaf of schemaLeaves(schema)) {
    if (excludedFromVsCode(leaf.schemaPath)) {
      continue;
    }
    const setting: VsSetting = {};
    for (const keyword of SETTING_KEYWORDS) {
      if (leaf.schema[keyword] !== undefined) {
        setting[keyword] = leaf.schema[keyword];
      }
    }
    if (setting.type === undefined && Array.isArray(leaf.schema.enum)) {
      setting.type = "string";
    }
    if (setting.type === "array" && setting.items === undefined) {
      setting.items = { type: "string" };
    }
    if (ENUM_DESCRIPTIONS[leaf.schemaPath] !== undefined) {
      setting.enumDescriptions = ENUM_DESCRIPTIONS[leaf.schemaPath];
    }
    setting.default = leaf.default;
    setting.scope = "window";
    setting.description = leaf.description;
    out[leaf.key] = setting;
  }
  return out;
}

/** The whole `contributes` object of package.json. */
export function buildContributes(schema: JsonSchema): Record<string, unknown> {
  const ordered = { ...CLIENT_SETTINGS_FIRST, ...serverSettings(schema), ...CLIENT_SETTINGS_LAST };
  const properties: Record<string, VsSetting> = {};
  Object.entries(ordered).forEach(([key, setting], index) => {
    properties[`${SECTION}.${key}`] = { ...setting, order: index };
  });
  return {
    configuration: { title: "Trace Advisor", properties },
    commands: COMMANDS.map((command) => ({ command: command.id, title: command.title, category: CATEGORY })),
    menus: {
      commandPalette: COMMANDS.filter((command) => command.palette !== undefined).map((command) => ({
        command: command.id,
        when: command.palette,
      })),
      "editor/context": ["traceAdvisor.analyzeFile", "traceAdvisor.addSpansInFile"].map((command, index) => ({
        command,
        when: "editorLangId == python && resourceScheme == file",
        group: `traceAdvisor@${index + 1}`,
      })),
    },
  };
}

/** The client-only keys the generator contributes (checked against CLIENT_ONLY_SETTINGS by a test). */
export function clientSettingKeys(): string[] {
  return [...Object.keys(CLIENT_SETTINGS_FIRST), ...Object.keys(CLIENT_SETTINGS_LAST)];
}

export { CLIENT_ONLY_SETTINGS };

function deref(root: JsonSchema, node: JsonSchema): JsonSchema {
  let current = node;
  const seen = new Set<string>();
  while (current.$ref !== undefined) {
    const ref = current.$ref;
    if (!ref.startsWith("#/") || seen.has(ref)) {
      throw new Error(`unsupported or circular $ref ${ref}`);
    }
    seen.add(ref);
    let target: unknown = root;
    for (const part of ref.slice(2).split("/")) {
      target = (target as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    if (target === undefined) {
      throw new Error(`$ref ${ref} points nowhere`);
    }
    const { $ref: _ignored, ...siblings } = current;
    current = { ...(target as JsonSchema), ...siblings };
  }
  return current;
}
