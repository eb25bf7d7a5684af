import type { VersionModel } from "../model/build.js";
import type { FileOutput } from "../output.js";
import type { ImportExtension } from "../project.js";
import { tsModule } from "./specifiers.js";

/**
 * fixtures.ts of a version: every sample payload of the catalogue as a constant that
 * `satisfies` its event's type, so a type that rejects a real payload fails the consumer's
 * tsc. `satisfies` types the literal in context, so string literals stay literal where
 * the type expects one (an event name, an enum value). Samples the catalogue lists as
 * known-bad (examples/known-bad.json) are exported apart, as unknown: they must fail.
 */
export function emitFixtures(model: VersionModel, header: string, extension: ImportExtension = ".js"): FileOutput {
  const good = model.samples.filter((s) => s.expect === undefined);
  const bad = model.samples.filter((s) => s.expect !== undefined);
  const typeOf = new Map(model.events.map((e) => [e.name, e.typeName]));
  const used = [...new Set(good.map((s) => typeOf.get(s.event)!))].sort();
  const key = (file: string) => JSON.stringify(file.replace(/\.json$/, ""));
  const lines = [
    header,
    ...(used.length > 0 ? [`import type { ${used.join(", ")} } from ${JSON.stringify(tsModule("./types", extension))};`, ""] : []),
    `/** The sample payloads of ${model.provider.title} ${model.version} (${model.source}/examples), each typed as its event. */`,
    "export const samples = {",
    ...good.map((s) => `  ${key(s.file)}: ${literal(s.json, "  ")} satisfies ${typeOf.get(s.event)!},`),
    "};",
    "",
    "/** Samples that must fail their schema (examples/known-bad.json says why): not typed as their event. */",
    ...(bad.length === 0
      ? ["export const knownBadSamples: { readonly [file: string]: unknown } = {};"]
      : ["export const knownBadSamples: { readonly [file: string]: unknown } = {", ...bad.map((s) => `  ${key(s.file)}: ${literal(s.json, "  ")},`), "};"]),
    "",
  ];
  return { path: `${model.provider.name}/${model.version}/fixtures.ts`, content: lines.join("\n"), formatted: true };
}

/**
 * A JSON value as a TypeScript literal, laid out as JSON.stringify(value, null, 2) would,
 * except that a key "__proto__" is written computed (["__proto__"]): in an object literal
 * the plain key would set the object's prototype instead of a property.
 */
export function literal(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${indent}  ${literal(v, `${indent}  `)}`).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return "{}";
    const name = (k: string) => (k === "__proto__" ? `[${JSON.stringify(k)}]` : JSON.stringify(k));
    return `{\n${entries.map(([k, v]) => `${indent}  ${name(k)}: ${literal(v, `${indent}  `)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
