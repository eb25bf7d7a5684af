import { existsSync } from "node:fs";
import path from "node:path";
import { Problems } from "./errors.js";
import { isPlainObject, readJsonFile } from "./json.js";
import { checkAgainstMeta } from "./meta.js";
import { displayPath } from "./paths.js";
import { detectModuleSettings, type ImportExtension, type ModuleFormat, type ModuleSettings } from "./project.js";

/** What one run of the generator needs. Paths are absolute once resolved. */
export interface CodegenConfig {
  /** The catalogue folder: <provider>/provider.json and <provider>/<version>/. */
  schemas: string;
  /** The output folder. */
  out: string;
  /** Where handler stubs are scaffolded (one file per event, never overwritten); none when absent. */
  handlers?: string;
  /** Only these providers; all when absent. */
  providers?: readonly string[];
  /** Format the output with prettier (default true). */
  format?: boolean;
  /** Per provider: the versions to generate and accept (default all), and what to do with others. */
  versions?: Readonly<Record<string, VersionChoice>>;
  /** Paths in banners and messages are shown relative to this (default: the working directory). */
  cwd?: string;
  /** Emit <provider>/<version>/fixtures.ts: every sample payload as a constant typed by its event. */
  fixtures?: boolean;
  /** Emit <provider>/webhooks.test.ts for this test runner: every sample (and test payload) against a snapshot. */
  tests?: TestRunner;
  /** Per provider: more folders of payloads (captured deliveries) for the generated tests, absolute. */
  testPayloads?: Readonly<Record<string, readonly string[]>>;
  /** How generated files import each other: ".js" (default), ".ts" or "none" (see src/project.ts). */
  importExtension?: ImportExtension;
  /** The consumer's module system; "cjs" stops generation with a problem that says what to do. */
  moduleFormat?: ModuleFormat;
  /** Both settings and where each came from (the config, a flag, or the project's files), for the report. */
  module?: ModuleSettings;
}

/** The test runners the generated snapshot tests are written for. */
export type TestRunner = "vitest";

export interface VersionChoice {
  /** Version folders to generate and accept; all when absent. */
  accept?: readonly string[];
  /** A payload of another version: "reject" (version_mismatch, the default) or validate it against the "latest". */
  unknown?: "reject" | "latest";
}

/** The config file as written (see meta/config.schema.json). */
export interface ConfigFile {
  schemas?: string;
  out?: string;
  handlers?: string;
  providers?: string[];
  format?: boolean;
  versions?: Record<string, VersionChoice>;
  fixtures?: boolean;
  tests?: TestRunner;
  testPayloads?: Record<string, string[]>;
  importExtension?: ImportExtension;
  moduleFormat?: ModuleFormat;
}

export const configFileName = "codegen.config.json";

/** Typed helper for config written in code: `defineConfig({ schemas: "schemas" })`. */
export function defineConfig(config: ConfigFile): ConfigFile {
  return config;
}

/**
 * Reads the config file (the one named, or ./codegen.config.json when present) and
 * resolves its paths against the file's folder. With no file, the defaults hold:
 * schemas/ → generated/ in the working directory.
 */
export async function loadConfig(options: { file?: string; cwd?: string } = {}): Promise<CodegenConfig> {
  const cwd = options.cwd ?? process.cwd();
  const problems = new Problems();
  const file = options.file === undefined ? path.join(cwd, configFileName) : path.resolve(cwd, options.file);
  const shown = displayPath(file, cwd);

  let fromFile: ConfigFile = {};
  if (existsSync(file)) {
    const read = await readJsonFile(file, shown, problems);
    problems.throwIfAny();
    for (const problem of checkAgainstMeta("config", read?.json, shown, "config_invalid")) problems.add(problem);
    problems.throwIfAny();
    if (isPlainObject(read?.json)) fromFile = read.json as ConfigFile;
  } else if (options.file !== undefined) {
    problems.add({
      code: "config_missing",
      file: shown,
      message: "config file not found",
      hint: `create it (see the README), or run without --config to use ${configFileName} or the defaults`,
    });
    problems.throwIfAny();
  }

  const base = path.dirname(file);
  const module = detectModuleSettings(base, {
    ...(fromFile.importExtension ? { importExtension: { value: fromFile.importExtension, from: `${shown}: importExtension` } } : {}),
    ...(fromFile.moduleFormat ? { moduleFormat: { value: fromFile.moduleFormat, from: `${shown}: moduleFormat` } } : {}),
  });
  return {
    schemas: path.resolve(base, fromFile.schemas ?? "schemas"),
    out: path.resolve(base, fromFile.out ?? "generated"),
    ...(fromFile.handlers ? { handlers: path.resolve(base, fromFile.handlers) } : {}),
    ...(fromFile.providers ? { providers: fromFile.providers } : {}),
    format: fromFile.format ?? true,
    ...(fromFile.versions ? { versions: fromFile.versions } : {}),
    ...(fromFile.fixtures ? { fixtures: true } : {}),
    ...(fromFile.tests ? { tests: fromFile.tests } : {}),
    ...(fromFile.testPayloads
      ? { testPayloads: Object.fromEntries(Object.entries(fromFile.testPayloads).map(([provider, dirs]) => [provider, dirs.map((dir) => path.resolve(base, dir))])) }
      : {}),
    importExtension: module.importExtension.value,
    moduleFormat: module.moduleFormat.value,
    module,
    cwd,
  };
}
