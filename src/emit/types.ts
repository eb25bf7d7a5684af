import { isPlainObject } from "../json.js";
import type { JsonSchema, VersionModel } from "../model/build.js";
import { schemaArrayKeywords, schemaMapKeywords, singleSchemaKeywords } from "../model/schema-walk.js";
import type { FileOutput } from "../output.js";
import { layoutDeclarations } from "./layout-types.js";

/** Formats one piece of TypeScript (prettier, here or in the worker). */
export type FormatTs = (content: string) => Promise<string>;

/**
 * types.ts: one named type per definition of the version (so a shared definition is
 * one type), the union of every event payload, and a map from event name to type.
 * With `format`, each declaration is laid out as prettier prints it: by layoutDeclarations
 * (json-schema-to-typescript's few shapes, without prettier), else by `format`; the file is
 * then as prettier prints it whole.
 */
export async function emitTypes(model: VersionModel, header: string, format?: FormatTs, compiled: CompiledTypes = new Map()): Promise<FileOutput> {
  const title = model.provider.title;
  const union = `/** Every ${title} webhook payload of version ${model.version}. */
export type ${title}Event = ${model.events.map((e) => e.typeName).join(" | ")};`;
  const map = [
    `/** The payload type of each ${title} event, by the name it is sent under. */`,
    `export interface ${title}EventMap {`,
    ...model.events.flatMap((e) => e.names.map((name) => `  ${JSON.stringify(name)}: ${e.typeName};`)),
    "}",
    "",
    `export type ${title}EventName = keyof ${title}EventMap;`,
  ].join("\n");
  const laidOut = (text: string) => (format ? (layoutDeclarations(text) ?? format(text)) : text);
  const pieces = [laidOut(`${union}\n\n${map}\n`)];
  for await (const declaration of rawDeclarations(model, compiled)) pieces.push(laidOut(declaration));
  const path = `${model.provider.name}/${model.version}/types.ts`;
  const declarations = await Promise.all(pieces);
  // a laid out piece ends with a newline, so one more makes the blank line between them
  return format ? { path, content: [header, ...declarations].join("\n"), formatted: true } : { path, content: [header, ...declarations].join("\n\n") };
}

/**
 * The declarations a run has compiled, by definition name and schema: the versions of a
 * provider share most of their definitions, and a run compiles each one once.
 */
export type CompiledTypes = Map<string, Promise<string>>;

/**
 * json-schema-to-typescript's declaration of each definition, unformatted. One compile
 * per definition: references between definitions are by name (see forTypes), so each
 * compile declares exactly one type, a function of the name and the schema alone.
 */
export async function* rawDeclarations(model: VersionModel, compiled: CompiledTypes = new Map()): AsyncGenerator<string> {
  const { compile } = await import("json-schema-to-typescript"); // loaded only when types are made (not on a cache hit)
  for (const [name, schema] of Object.entries(model.definitions)) {
    const key = `${name}\0${JSON.stringify(schema)}`;
    let declaration = compiled.get(key);
    if (declaration === undefined) {
      declaration = compile(forTypes(structuredClone(schema), true) as Parameters<typeof compile>[0], name, options);
      compiled.set(key, declaration);
    }
    yield await declaration;
  }
}

const options = {
  bannerComment: "",
  format: false,
  additionalProperties: false,
  strictIndexSignatures: true,
  unknownAny: true,
} as const;

/**
 * Prepares the model's schemas for json-schema-to-typescript:
 * - a `$ref` becomes a reference to the definition's type by name. Left as a `$ref`, one
 *   that carries a sibling (a description, say) would be declared again as Thread1,
 *   Thread2, …; by name, each definition is one type and the description stays as a doc
 *   comment on the property.
 * - only definitions carry a title, so only they become named types.
 * - `additionalProperties: true` lets unknown fields through at run time, but as an index
 *   signature it would also let a misspelt field through `tsc`. Types describe the fields
 *   a handler may read, so they leave it out; the validators keep it.
 */
function forTypes(schema: unknown, isDefinition = false): JsonSchema {
  if (!isPlainObject(schema)) return {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "title" && !isDefinition) {
      // Only definitions are named types; a titled inline schema stays inline.
      delete schema[key];
    } else if (key === "$ref" && typeof value === "string") {
      delete schema[key];
      schema["tsType"] = value.slice("#/definitions/".length);
    } else if (key === "additionalProperties" && (value === true || (isPlainObject(value) && Object.keys(value).length === 0))) {
      delete schema[key];
    } else if (schemaMapKeywords.has(key) && isPlainObject(value)) {
      for (const sub of Object.values(value)) forTypes(sub);
    } else if (singleSchemaKeywords.has(key) && isPlainObject(value)) {
      forTypes(value);
    } else if (schemaArrayKeywords.has(key) && Array.isArray(value)) {
      for (const item of value) forTypes(item);
    }
  }
  return schema;
}
