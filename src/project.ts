import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Problem } from "./errors.js";

/**
 * How the generated files import each other, so that they fit the consumer's project:
 * ".js" (Node's ESM resolution: moduleResolution node16/nodenext), ".ts" (Deno, or
 * allowImportingTsExtensions: Bun), "none" (bundlers: Next.js, Vite, wrangler).
 */
export type ImportExtension = ".js" | ".ts" | "none";

/** The module system the consumer's TypeScript compiles to. codegen writes ES modules only. */
export type ModuleFormat = "esm" | "cjs";

export const importExtensions: readonly ImportExtension[] = [".js", ".ts", "none"];
export const moduleFormats: readonly ModuleFormat[] = ["esm", "cjs"];

/** A setting and where it came from, for --json and the verbose report. */
export interface Setting<T> {
  value: T;
  /** "config", "flag", or what in the project decided it ("tsconfig.json: moduleResolution nodenext"). */
  from: string;
}

export interface ModuleSettings {
  importExtension: Setting<ImportExtension>;
  moduleFormat: Setting<ModuleFormat>;
}

/**
 * Reads the consumer's project in `dir` (the config file's folder) for what the settings
 * the config leaves unset should be: deno.json(c) → ".ts"; tsconfig.json's
 * allowImportingTsExtensions → ".ts", moduleResolution (or module) bundler/preserve → none,
 * node16/nodenext → ".js"; the nearest package.json without "type": "module", in a project
 * that Node's module rules apply to (not a bundler's, not Deno's), → "cjs".
 */
export function detectModuleSettings(
  dir: string,
  explicit: { importExtension?: Setting<ImportExtension>; moduleFormat?: Setting<ModuleFormat> } = {},
): ModuleSettings {
  const deno = ["deno.json", "deno.jsonc"].find((name) => existsSync(path.join(dir, name)));
  const options = readTsconfig(path.join(dir, "tsconfig.json"));
  const lower = (key: string) => (typeof options?.[key] === "string" ? (options[key] as string).toLowerCase() : undefined);
  const resolution = lower("moduleResolution") ?? ({ node16: "node16", nodenext: "nodenext", preserve: "bundler" } as Record<string, string>)[lower("module") ?? ""];

  let importExtension: Setting<ImportExtension> = { value: ".js", from: "default (no tsconfig.json setting says otherwise)" };
  if (deno) importExtension = { value: ".ts", from: `${deno} (Deno resolves imports as written)` };
  else if (options?.["allowImportingTsExtensions"] === true) importExtension = { value: ".ts", from: "tsconfig.json: allowImportingTsExtensions" };
  else if (resolution === "bundler") importExtension = { value: "none", from: "tsconfig.json: moduleResolution bundler" };
  else if (resolution === "node16" || resolution === "nodenext") importExtension = { value: ".js", from: `tsconfig.json: moduleResolution ${resolution}` };

  let moduleFormat: Setting<ModuleFormat> = { value: "esm", from: "default" };
  const pkg = nearestPackageJson(dir);
  if (deno) moduleFormat = { value: "esm", from: `${deno}` };
  else if (resolution === "bundler") moduleFormat = { value: "esm", from: "tsconfig.json: moduleResolution bundler (the bundler reads ES modules)" };
  else if (pkg) {
    const shown = path.relative(dir, pkg.file).split(path.sep).join("/") || "package.json";
    moduleFormat =
      pkg.json["type"] === "module"
        ? { value: "esm", from: `${shown}: "type": "module"` }
        : { value: "cjs", from: `${shown}: no "type": "module"` };
  }
  return {
    importExtension: explicit.importExtension ?? importExtension,
    moduleFormat: explicit.moduleFormat ?? moduleFormat,
  };
}

/**
 * codegen writes ES modules (import/export, validators.js as an ES module). In a CommonJS
 * project they do not compile (tsc with verbatimModuleSyntax refuses import syntax in a
 * CommonJS file) nor load (Node reads validators.js as CommonJS): say so before writing,
 * with the ways out.
 */
export function moduleFormatProblem(settings: ModuleSettings): Problem | undefined {
  if (settings.moduleFormat.value !== "cjs") return undefined;
  return {
    code: "module_format",
    file: "codegen.config.json",
    pointer: "/moduleFormat",
    message: `this project is CommonJS (${settings.moduleFormat.from}); codegen writes ES modules, which a CommonJS project can neither type-check (tsc refuses import syntax in a CommonJS file under verbatimModuleSyntax) nor load (Node reads validators.js as CommonJS)`,
    hint: 'add "type": "module" to package.json (Node 20+ loads ES modules; a CommonJS file can still require() them on Node 20.19+/22.12+), or, when a bundler compiles your code, set "moduleFormat": "esm" in codegen.config.json (or pass --module-format esm)',
  };
}

function nearestPackageJson(dir: string): { file: string; json: Record<string, unknown> } | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const file = path.join(at, "package.json");
    if (existsSync(file)) {
      try {
        const json = JSON.parse(readFileSync(file, "utf8")) as unknown;
        return json !== null && typeof json === "object" && !Array.isArray(json) ? { file, json: json as Record<string, unknown> } : undefined;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(at) === at) return undefined;
  }
}

/** compilerOptions of a tsconfig.json (JSON with comments and trailing commas), following relative `extends`. */
function readTsconfig(file: string, depth = 0): Record<string, unknown> | undefined {
  if (depth > 8 || !existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(stripJsonComments(readFileSync(file, "utf8")));
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== "object") return undefined;
  const { extends: base, compilerOptions } = json as { extends?: unknown; compilerOptions?: unknown };
  const own = compilerOptions !== null && typeof compilerOptions === "object" ? (compilerOptions as Record<string, unknown>) : {};
  const bases = (Array.isArray(base) ? base : [base]).filter((b): b is string => typeof b === "string" && b.startsWith("."));
  const inherited = bases.map((b) => readTsconfig(path.resolve(path.dirname(file), b.endsWith(".json") ? b : `${b}.json`), depth + 1) ?? {});
  return Object.assign({}, ...inherited, own) as Record<string, unknown>;
}

/** Removes // and /* *\/ comments outside strings, and trailing commas, as tsconfig.json allows them. */
export function stripJsonComments(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 1;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}
