import type { Format } from "ajv";
import { fullFormats } from "ajv-formats/dist/formats.js";
import { readPackageFile } from "./paths.js";

/**
 * A template of templates/runtime/ as modules carry it: without its comments. Every module
 * of every version repeats this code; the commentary is read once, in the template.
 */
function template(file: string): string {
  return withoutComments(readPackageFile(`templates/runtime/${file}`));
}

/**
 * JavaScript without its comments: whole-line `//` comments, `/* … *\/` blocks that start a
 * line, and a trailing ` // …` after code (our templates put no " // " inside a string or
 * a regular expression; test/runtime.test.ts checks that each stays the same code).
 */
export function withoutComments(source: string): string {
  const kept: string[] = [];
  let inBlock = false;
  for (const line of source.split("\n")) {
    const text = line.trim();
    if (inBlock || text.startsWith("/*")) inBlock = !text.endsWith("*/");
    else if (!text.startsWith("//")) kept.push(line.replace(/ \/\/ .*$/, ""));
  }
  return kept.join("\n").replace(/\n{3,}/g, "\n\n");
}

/**
 * The code that generated validators carry inline instead of importing it: our own small
 * versions of the helpers and format checks Ajv would `require` (templates/runtime/*.js),
 * the second pass that explains a failure, and the readable errors. Ajv is given the very
 * same format functions when it compiles (the tests' reference), so the verdicts are the
 * same by construction.
 */
export const formatsSource = template("formats.js");

const functionFormats = new Function(`${formatsSource}\nreturn $allFormats;`)() as Record<string, Format>;

/** Every format a validator can check: ajv-formats' regular expressions (Ajv inlines them) and ours. */
export const formatDefinitions: Record<string, Format> = Object.fromEntries(
  Object.entries(fullFormats as Record<string, Format>)
    .filter(([, format]) => format instanceof RegExp || format === true)
    .concat(Object.entries(functionFormats)),
);

export const supportedFormats = new Set(Object.keys(formatDefinitions));

/** The formats ajv-formats has (Ajv asserts them in both dialects); ours beyond them are asserted in draft-07 only. */
export const ajvFormatNames: ReadonlySet<string> = new Set(Object.keys(fullFormats));

/** Turns Ajv's errors into { path, message } a person can act on (used by validateEvent). */
export const errorsSource = template("errors.js");

/**
 * The second pass: walks the schemas and reports Ajv's allErrors errors (see the templates):
 * the walk (explain.js, whole), then of each family's explainers ($x_<keyword>) and planners
 * ($p_<keyword>) those of the keywords given, with the helpers they use, in template order;
 * and `$explainers` and `$planners`, the tables the walk reads.
 */
export function explainRuntime(keywords: Iterable<string>): string {
  const name = (prefix: string, keyword: string) => `${prefix}${keyword.replace(/\$/g, "")}`;
  const used = [...new Set(keywords)].sort();
  const explained = used.filter((keyword) => explainChunks.chunks.has(name("$x_", keyword)));
  const planned = used.filter((keyword) => explainChunks.chunks.has(name("$p_", keyword)));
  const included = new Set<string>();
  const include = (identifier: string): void => {
    if (included.has(identifier)) return;
    included.add(identifier);
    for (const other of explainChunks.uses.get(identifier) ?? []) include(other);
  };
  explainChunks.walk.forEach(include);
  explained.forEach((keyword) => include(name("$x_", keyword)));
  planned.forEach((keyword) => include(name("$p_", keyword)));
  // Ajv's rule lists hold only the keywords the schemas use: an absent one changes nothing
  const rules = (identifier: string, text: string): string => {
    if (identifier !== "$rules" && identifier !== "$groups") return text;
    const lists = new Function(`return ${text.replace(/^const \$\w+ = /, "").replace(/;$/, "")};`)() as Record<string, string[]>;
    const kept = Object.fromEntries(Object.entries(lists).map(([group, keywords]) => [group, keywords.filter((keyword) => used.includes(keyword))]));
    return `const ${identifier} = ${JSON.stringify(kept)};`;
  };
  const code = explainChunks.order.filter((identifier) => included.has(identifier)).map((identifier) => rules(identifier, explainChunks.chunks.get(identifier)!));
  const table = (keys: string[], prefix: string) => keys.map((keyword) => `${/^\w+$/.test(keyword) ? keyword : JSON.stringify(keyword)}: ${name(prefix, keyword)}`).join(", ");
  return [
    ...code,
    `const $explainers = { __proto__: null, ${table(explained, "$x_")} };`,
    `const $planners = { __proto__: null, ${table(planned, "$p_")} };`,
  ].join("\n\n");
}

const explainFiles = ["explain.js", "explain-core.js", "explain-applicator.js", "explain-validation.js", "explain-format.js", "explain-unevaluated.js"];

/** The explain templates (without comments) cut into their top-level declarations, and what each uses. */
const explainChunks = (() => {
  const chunks = new Map<string, string>();
  const order: string[] = [];
  const walk: string[] = [];
  for (const file of explainFiles) {
    for (const [identifier, text] of topLevel(template(file))) {
      chunks.set(identifier, text);
      order.push(identifier);
      if (file === "explain.js") walk.push(identifier);
    }
  }
  const uses = new Map<string, string[]>();
  for (const [identifier, text] of chunks) {
    const found = new Set(text.match(/\$\w+/g) ?? []);
    uses.set(identifier, order.filter((other) => other !== identifier && found.has(other)));
  }
  return { chunks, order, walk, uses };
})();

/** Code without comments cut at each line that starts a top-level declaration. */
function topLevel(source: string): [string, string][] {
  const out: [string, string[]][] = [];
  for (const line of source.split("\n")) {
    const declaration = /^(?:const|function|let) (\$\w+)/.exec(line);
    if (declaration) out.push([declaration[1]!, [line]]);
    else if (out.length > 0) out.at(-1)![1].push(line);
    else if (line.trim() !== "") throw new Error(`templates/runtime: code before the first declaration: ${line}`);
  }
  return out.map(([identifier, lines]) => [identifier, lines.join("\n").trim()]);
}

/** Length in code points, as Ajv counts minLength and maxLength (its runtime ucs2length). */
export const ucs2lengthSource = template("ucs2length.js");

/** Deep equality of JSON values, as Ajv compares const, enum and uniqueItems (its runtime equal). */
export const equalSource = template("equal.js");

/** How compiled code calls one format check. */
export interface FormatCheck {
  /** The identifier the module declares for it. */
  identifier: string;
  /** "test": a regular expression; "call": a function of a string; "number": { validate } of a number. */
  kind: "test" | "call" | "number";
}

/**
 * The declarations a module needs for these formats (regular expressions as literals built
 * with `new RegExp`, our function formats with the helpers they use, in template order), and
 * how to call each. Formats that check nothing (ajv-formats' `true`) are left out.
 */
export function formatRuntime(names: Iterable<string>): { source: string; checks: Map<string, FormatCheck> } {
  const checks = new Map<string, FormatCheck>();
  const declarations: string[] = [];
  const wanted = new Set<string>();
  for (const name of [...new Set(names)].sort()) {
    const format = formatDefinitions[name];
    if (format === undefined || format === true) continue;
    if (format instanceof RegExp) {
      const identifier = `$format_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
      declarations.push(`const ${identifier} = new RegExp(${JSON.stringify(format.source)}, ${JSON.stringify(format.flags)});`);
      checks.set(name, { identifier, kind: "test" });
      continue;
    }
    const identifier = templateFormats.names.get(name);
    if (identifier === undefined) throw new Error(`format ${name} has no declaration in templates/runtime/formats.js`);
    wanted.add(identifier);
    checks.set(name, { identifier, kind: typeof format === "object" && "validate" in format ? "number" : "call" });
  }
  // the template's declarations the wanted ones use, transitively, in the template's order
  const included = new Set<string>();
  const include = (identifier: string): void => {
    if (included.has(identifier)) return;
    included.add(identifier);
    for (const used of templateFormats.uses.get(identifier) ?? []) include(used);
  };
  wanted.forEach(include);
  const template = templateFormats.order.filter((identifier) => included.has(identifier)).map((identifier) => templateFormats.chunks.get(identifier)!);
  return { source: [...template, ...declarations].join("\n\n"), checks };
}

/** formats.js cut into its top-level declarations (each with the comment above it). */
const templateFormats = (() => {
  const chunks = new Map<string, string>();
  const order: string[] = [];
  let current: string[] = [];
  let comment: string[] = [];
  let name: string | undefined;
  const close = () => {
    if (name !== undefined) chunks.set(name, current.join("\n").trimEnd());
  };
  for (const line of formatsSource.split("\n")) {
    const declaration = /^(?:const|function|let) (\$\w+)/.exec(line);
    if (declaration) {
      close();
      name = declaration[1]!;
      order.push(name);
      current = [...comment, line];
      comment = [];
    } else if (line.startsWith("//")) {
      comment.push(line); // a top-level comment: it belongs to the declaration right below it
    } else if (line === "" && comment.length > 0) {
      comment = []; // a comment followed by a blank line (the file's header) belongs to none
    } else {
      current.push(line);
    }
  }
  close();
  const uses = new Map<string, string[]>();
  for (const [identifier, text] of chunks) {
    const found = new Set(text.match(/\$\w+/g) ?? []);
    uses.set(identifier, order.filter((other) => other !== identifier && found.has(other)));
  }
  const table = chunks.get("$allFormats") ?? "";
  const names = new Map([...table.matchAll(/^\s*"?([\w-]+)"?: (\$\w+),?$/gm)].map((m) => [m[1]!, m[2]!] as const));
  return { chunks, order, uses, names };
})();
