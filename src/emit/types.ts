import { createRequire } from "node:module";
import path from "node:path";
import { isPlainObject } from "../json.js";
import type { JsonSchema, VersionModel } from "../model/build.js";
import { schemaArrayKeywords, schemaMapKeywords, singleSchemaKeywords } from "../model/schema-walk.js";
import { formatText } from "../format.js";
import type { FileOutput } from "../output.js";
import { layoutDeclarations } from "./layout-types.js";
import { checkPiece, originOf, verifyTypes, type PieceCheck } from "./verify.js";

/**
 * One piece of a types.ts as it is written (laid out when formatting) and what checking it
 * found (emit/verify.ts's checkPiece): made where its declaration is compiled, so that the
 * file is checked as it is made, not parsed once more whole at the end of a run.
 */
export interface Piece {
  text: string;
  check: PieceCheck;
}

/** A piece of types.ts from its unformatted text: pieceOf here, or the same function in a worker thread. */
export type LayOut = (raw: string, format: boolean) => Promise<Piece>;

/**
 * types.ts: one named type per definition of the version (so a shared definition is
 * one type), the union of every event payload, and a map from event name to type.
 * With `format`, each declaration is laid out as prettier prints it: by layoutDeclarations
 * (json-schema-to-typescript's few shapes, without prettier), else by prettier; the file is
 * then as prettier prints it whole. Each piece is checked as it is made, and the file as
 * their sum (verifyTypes): a types.ts that does not parse, or uses a type it does not
 * declare, is an internal error.
 */
export async function emitTypes(
  model: VersionModel,
  header: string,
  format: boolean,
  compiled: CompiledTypes = new Map(),
  declare: Declare = (name, json, anything, nothing) => declarationPiece(name, json, anything, nothing, format),
  layOut: LayOut = pieceOf,
): Promise<FileOutput> {
  // every compile is started before the first is awaited, so that workers take them side by side
  const pieces = await Promise.all([layOut(header, false), layOut(eventTypes(model), format), ...declarationsOf(model, compiled, declare)]);
  const path = `${model.provider.name}/${model.version}/types.ts`;
  verifyTypes(path, originOf(model), pieces.map((piece) => piece.check));
  const texts = pieces.map((piece) => piece.text);
  // a laid out piece ends with a newline, so one more makes the blank line between them
  return format ? { path, content: texts.join("\n"), formatted: true } : { path, content: texts.join("\n\n") };
}

/** The piece of types.ts that is not a definition's: the union of every event payload, the map from event name to type, and its names. */
export function eventTypes(model: VersionModel): string {
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
  return `${union}\n\n${map}\n`;
}

/** Lays out (when `format`: layoutDeclarations, else prettier) and checks one piece of types.ts. */
export async function pieceOf(raw: string, format: boolean): Promise<Piece> {
  const laidOut = format ? layoutDeclarations(raw) : raw;
  if (laidOut !== undefined) return { text: laidOut, check: await checkPiece(laidOut) };
  let text: string;
  try {
    text = await formatText(raw, "babel-ts");
  } catch (error) {
    // prettier fails on a piece that does not parse: that is the internal error, located
    const check = await checkPiece(raw);
    if ("broken" in check) return { text: raw, check };
    throw error;
  }
  return { text, check: await checkPiece(text) };
}

/** declarationOf's declaration as a piece of types.ts (pieceOf). */
export async function declarationPiece(name: string, json: string, anything: boolean, nothing: boolean, format: boolean): Promise<Piece> {
  return pieceOf(await declarationOf(name, json, anything, nothing), format);
}

/**
 * The pieces a run has made, by definition name and schema: the versions of a provider
 * share most of their definitions, and a run compiles each one once.
 */
export type CompiledTypes = Map<string, Promise<Piece>>;

/**
 * One definition's declaration as a piece of types.ts, from its name and schema (as JSON):
 * declarationPiece here, or the same function in a worker thread (compile.ts spreads them
 * over the cores).
 */
export type Declare = (name: string, schema: string, anything: boolean, nothing: boolean) => Promise<Piece>;

/**
 * json-schema-to-typescript's declaration of each definition, unformatted. One compile
 * per definition: references between definitions are by name (see forTypes), so each
 * compile declares exactly one type, a function of the name and the schema alone.
 */
export async function* rawDeclarations(model: VersionModel, compiled: Map<string, Promise<string>> = new Map()): AsyncGenerator<string> {
  for (const declaration of declarationsOf(model, compiled, declarationOf)) yield await declaration;
}

/** Each definition's declaration, in the model's order, all started at once; one already in `compiled` is not compiled again. */
function declarationsOf<T>(
  model: VersionModel,
  compiled: Map<string, Promise<T>>,
  declare: (name: string, schema: string, anything: boolean, nothing: boolean) => Promise<T>,
): Promise<T>[] {
  return Object.entries(model.definitions).map(([name, schema]) => {
    const anything = allowsAnything(schema, model.definitions);
    const nothing = (schema as unknown) === false;
    const json = JSON.stringify(schema);
    const key = `${name}\0${anything}\0${nothing}\0${json}`;
    let declaration = compiled.get(key);
    if (declaration === undefined) compiled.set(key, (declaration = declare(name, json, anything, nothing)));
    return declaration;
  });
}

/**
 * The declaration of one definition (its schema as JSON, so that a "__proto__" key stays a
 * key on the way to a worker): a pure function of its arguments, so the same bytes in
 * whichever thread runs it.
 */
export async function declarationOf(name: string, json: string, anything: boolean, nothing: boolean): Promise<string> {
  const prepare = anything ? opaquely(json, "unknown") : nothing ? opaquely(json, "never") : () => protectKeys(forTypes(JSON.parse(json), true));
  const prepared = prepare();
  const text = await typeOf(prepared, name, prepare);
  if (declares(text, name)) return restoreKeys(text, prepared.placeholders);
  // json-schema-to-typescript declares nothing for a root it types as any value
  const unknown = opaquely(json, "unknown");
  return typeOf(unknown(), name, unknown);
}

const options = {
  bannerComment: "",
  format: false,
  additionalProperties: false,
  strictIndexSignatures: true,
  unknownAny: true,
} as const;

/** json-schema-to-typescript's stages after its `$ref`s are resolved (see typeOf), and compile() itself. */
export interface TypeCompiler {
  /** compile() with our options. */
  compile(schema: JsonSchema, name: string): Promise<string>;
  /** The stages of compile() after the copy and the `$ref`s, on a schema without `$ref`: undefined where compile() would throw. */
  stages(schema: JsonSchema, name: string): string | undefined;
}

let typeCompiler: TypeCompiler | undefined;

/**
 * json-schema-to-typescript, loaded on first use (not on a cache hit; a worker loads it as it
 * starts). Its package has no exports map: its stages are its dist/src modules, beside its main.
 */
export function loadTypeCompiler(): TypeCompiler {
  if (typeCompiler) return typeCompiler;
  const require = createRequire(import.meta.url);
  const main = require.resolve("json-schema-to-typescript");
  const stage = <T>(file: string): Partial<T> => {
    try {
      return require(path.join(path.dirname(main), file)) as T;
    } catch {
      return {};
    }
  };
  type Stage = (...args: unknown[]) => unknown;
  const index = require(main) as { compile: (schema: JsonSchema, name: string, o: object) => Promise<string>; DEFAULT_OPTIONS: Record<string, unknown> };
  const { normalize, normalizeNullableRefs } = stage<Record<string, Stage>>("normalizer.js");
  const { parse, nameAnonymousRecursiveTypes } = stage<Record<string, Stage>>("parser.js");
  const { optimize } = stage<Record<string, Stage>>("optimizer.js");
  const { generate } = stage<Record<string, Stage>>("generator.js");
  const { link } = stage<Record<string, Stage>>("linker.js");
  const { validate } = stage<{ validate: (schema: unknown, name: string) => unknown[] }>("validator.js");
  // compile()'s options: its defaults under ours (no key of ours is an object, so a spread merges as its merge does)
  const all = { ...index.DEFAULT_OPTIONS, ...options };
  // internals, not its API: the version is pinned, and where one is missing (another
  // version's layout) every schema goes through compile(), slower but the same text
  const staged = [normalize, normalizeNullableRefs, parse, nameAnonymousRecursiveTypes, optimize, generate, link, validate].every((f) => typeof f === "function");
  typeCompiler = {
    compile: (schema, name) => index.compile(schema, name, options),
    stages: (schema, name) => {
      if (!staged) return undefined;
      normalizeNullableRefs!(schema);
      const linked = link!(schema);
      if (validate!(linked, name).length > 0) return undefined; // compile() reports what is wrong
      const dereferenced = new WeakMap(); // what dereferencing would have filled: nothing, there was no $ref
      const processed = new Map();
      const usedNames = new Set();
      const parsed = parse!(normalize!(linked, dereferenced, name, all), all, undefined, processed, usedNames);
      nameAnonymousRecursiveTypes!(parsed, processed, dereferenced, usedNames);
      return generate!(optimize!(parsed, all), all) as string;
    },
  };
  return typeCompiler;
}

/**
 * json-schema-to-typescript's declaration of a schema prepared by forTypes. Its compile()
 * first deep-copies the schema and has @apidevtools/json-schema-ref-parser crawl all of it
 * for `$ref`s; a prepared schema is a copy of its own with every `$ref` made a type name, so
 * the stages after those two run on it directly: the same modules in the same order, the
 * same text. A schema with a "$ref" key left (a property so named) goes through compile(),
 * and so does one the stages refuse, prepared again (`again`: the stages change what they run on).
 */
async function typeOf({ schema, hasRef }: Prepared, name: string, again: () => Prepared): Promise<string> {
  const compiler = loadTypeCompiler();
  return (!hasRef && compiler.stages(schema, name)) || compiler.compile(hasRef ? schema : again().schema, name);
}

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
 * - a schema's data never reaches json-schema-to-typescript, which would read it as schema:
 *   it dereferences a `"$ref"` key anywhere (an enum value `{"$ref": "…"}` made it look for a
 *   definition), and takes `tsType` & co. as its own instructions. Its keywords are removed,
 *   a `const` or `enum` holding an object or an array becomes a literal type written here,
 *   and other data (`default`, `examples`, extensions) is left out: no type depends on it.
 */
function forTypes(schema: unknown, isDefinition = false): JsonSchema {
  if (!isPlainObject(schema)) return {};
  const freeForm = isFreeFormObject(schema);
  if (freeForm) schema["additionalProperties"] = true;
  for (const [key, value] of Object.entries(schema)) {
    if (freeForm && key === "additionalProperties") continue;
    if (generatorKeywords.has(key)) {
      delete schema[key];
    } else if (key === "title" && !isDefinition) {
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
    } else if ((key === "const" || key === "enum") && (holdsStructures(key === "const" ? [value] : value) || (Array.isArray(value) && value.length === 0))) {
      // (an empty enum, which nothing matches, is never: json-schema-to-typescript fails on it)
      delete schema[key];
      const values = key === "const" ? [value] : (value as unknown[]);
      schema["tsType"] = values.length === 0 ? "never" : values.map(literalType).join(" | ");
    } else if (value !== null && typeof value === "object" && !structuralKeywords.has(key) && !schemaMapKeywords.has(key)) {
      delete schema[key];
    }
  }
  return schema;
}

/**
 * An object that says nothing of its fields (`{"type": "object"}`, with `additionalProperties`
 * absent, true or {}, and `properties` and `required` absent or empty; GitHub's
 * `client_payload`): every field is the sender's, so its type is an index signature of unknown
 * values that a handler narrows, not the closed `{}`, which TypeScript reads as any value but
 * null and undefined.
 */
function isFreeFormObject(schema: Record<string, unknown>): boolean {
  const type = schema["type"];
  const isObject = type === "object" || (Array.isArray(type) && type.includes("object"));
  const additional = schema["additionalProperties"];
  const open = additional === undefined || additional === true || (isPlainObject(additional) && Object.keys(additional).length === 0);
  const empty = (value: unknown): boolean => (Array.isArray(value) ? value.length === 0 : isPlainObject(value) && Object.keys(value).length === 0);
  return (
    isObject &&
    open &&
    Object.entries(schema).every(([key, value]) => !typingKeywords.has(key) || key === "type" || key === "additionalProperties" || ((key === "properties" || key === "required") && empty(value)))
  );
}

/** json-schema-to-typescript's own keywords: instructions to it, never taken from a schema. */
const generatorKeywords = new Set(["tsType", "tsEnumNames", "tsExtends", "extends", "id"]);

/** Keywords whose object or array value json-schema-to-typescript reads, besides the schema keywords. */
const structuralKeywords = new Set(["type", "required", "enum", "const", ...singleSchemaKeywords, ...schemaArrayKeywords]);

const holdsStructures = (values: unknown): boolean => Array.isArray(values) && values.some((v) => v !== null && typeof v === "object");

/** The TypeScript type of exactly one JSON value: strings and keys through JSON.stringify. */
function literalType(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "number";
  if (typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return `[${value.map(literalType).join(", ")}]`;
  if (isPlainObject(value)) {
    const fields = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${literalType(v)}`);
    return fields.length === 0 ? "{}" : `{ ${fields.join("; ")} }`;
  }
  return "unknown";
}

/** Whether the text declares the type `name` (an identifier of letters and digits) at the start of a line. */
function declares(text: string, name: string): boolean {
  return ["type", "interface"].some((keyword) => {
    const head = `export ${keyword} ${name}`;
    for (let at = text.indexOf(head); at !== -1; at = text.indexOf(head, at + 1)) {
      if ((at === 0 || text[at - 1] === "\n") && !/\w/.test(text.charAt(at + head.length))) return true;
    }
    return false;
  });
}

/**
 * Whether a definition's type is any value: `true`, `{}` (no keyword that shapes a type), a
 * `$ref` to such a definition, an `allOf` of such schemas, an `anyOf`/`oneOf` with such a
 * branch. json-schema-to-typescript declares nothing at all for most of these, or an object
 * type for `{}`; they are `unknown`. Keywords a type cannot express (`not`, `minimum`,
 * `unevaluatedItems`, …) do not count.
 */
export function allowsAnything(schema: unknown, definitions: Record<string, JsonSchema>, seen: ReadonlySet<string> = new Set()): boolean {
  if (schema === true) return true;
  if (!isPlainObject(schema)) return false;
  return Object.entries(schema).every(([key, value]) => {
    if (!typingKeywords.has(key)) return true;
    if (key === "$ref" && typeof value === "string") {
      const name = value.slice("#/definitions/".length);
      return !seen.has(name) && Object.hasOwn(definitions, name) && allowsAnything(definitions[name], definitions, new Set([...seen, name]));
    }
    if (key === "allOf") return Array.isArray(value) && value.every((s) => allowsAnything(s, definitions, seen));
    if (key === "anyOf" || key === "oneOf") return Array.isArray(value) && value.some((s) => allowsAnything(s, definitions, seen));
    return false;
  });
}

/** The keywords json-schema-to-typescript shapes a type by. */
const typingKeywords = new Set([
  "$ref", "allOf", "anyOf", "oneOf", "type", "properties", "patternProperties", "additionalProperties", "required",
  "items", "additionalItems", "prefixItems", "minItems", "maxItems", "enum", "const", "tsType",
]);

/** A definition declared as `type` (unknown, never), keeping its doc comment. */
function opaque(schema: unknown, type: string): JsonSchema {
  const description = isPlainObject(schema) && typeof schema["description"] === "string" ? { description: schema["description"] } : {};
  return { ...description, tsType: type };
}

/** Prepares (protectKeys) the opaque schema of a definition given as JSON. */
const opaquely = (json: string, type: string) => (): Prepared => protectKeys(opaque(JSON.parse(json), type));

/** A schema ready for json-schema-to-typescript: whether a "$ref" key is left in it, and the keys protectKeys renamed. */
interface Prepared {
  schema: JsonSchema;
  hasRef: boolean;
  placeholders: Map<string, string>;
}

/**
 * json-schema-to-typescript calls `hasOwnProperty` on every object of the schema, so one with
 * an own key of that name (a property called "hasOwnProperty") throws. Such keys are renamed
 * to a placeholder before the compile and renamed back in its output. The same walk notes
 * whether a "$ref" key is left (see typeOf).
 */
function protectKeys(schema: JsonSchema): Prepared {
  const placeholders = new Map<string, string>();
  let hasRef = false;
  let text: string | undefined; // the schema as JSON, once a placeholder is needed
  const placeholderFor = (key: string) => {
    let placeholder = placeholders.get(key);
    if (placeholder === undefined) {
      text ??= JSON.stringify(schema);
      let n = placeholders.size;
      while (text.includes(`codegenKey${n}`)) n++;
      placeholder = `codegenKey${n}`;
      placeholders.set(key, placeholder);
    }
    return placeholder;
  };
  (function walk(node: unknown): void {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isPlainObject(node)) return;
    hasRef ||= Object.hasOwn(node, "$ref");
    if (Object.hasOwn(node, "hasOwnProperty")) {
      const placeholder = placeholderFor("hasOwnProperty");
      const renamed = Object.entries(node).map(([k, v]): [string, unknown] => [k === "hasOwnProperty" ? placeholder : k, v]);
      for (const key of Object.keys(node)) delete node[key];
      for (const [k, v] of renamed) Object.defineProperty(node, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    const required = node["required"];
    if (Array.isArray(required) && isPlainObject(node["properties"]) && Object.hasOwn(node["properties"], "hasOwnProperty")) {
      node["required"] = required.map((r: unknown) => (r === "hasOwnProperty" ? placeholderFor("hasOwnProperty") : r));
    }
    for (const value of Object.values(node)) walk(value);
  })(schema);
  return { schema, hasRef, placeholders };
}

function restoreKeys(text: string, placeholders: Map<string, string>): string {
  let restored = text;
  for (const [key, placeholder] of placeholders) restored = restored.replaceAll(placeholder, key);
  return restored;
}
