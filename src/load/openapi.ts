import { joinPointer, type Problems } from "../errors.js";
import { isPlainObject, readTextFile } from "../json.js";
import { schemaArrayKeywords, schemaMapKeywords, singleSchemaKeywords } from "../model/schema-walk.js";

/**
 * An OpenAPI 3.0 or 3.1 document as a version's input (`<version>/*.openapi.json`, or
 * `.openapi.yaml`): read as
 * one schema file. Its Schema Objects (`components/schemas`, and the request bodies of
 * webhooks and callbacks) are converted in place to the JSON Schema dialect the version is
 * read in, so that `#/components/schemas/X` references resolve as in any other file:
 * - 3.0 (draft-04-like) becomes draft-07: `nullable: true` adds null to the type (a `$ref` or
 *   a union beside it becomes `anyOf: [schema, {type: "null"}]`, which is what exporters mean
 *   by it); boolean `exclusiveMaximum`/`exclusiveMinimum` become the numeric keywords;
 * - 3.1 is 2020-12 (or its `jsonSchemaDialect`), as it is;
 * - in both, `discriminator` (an annotation, as in Ajv's default), `example`, `xml`,
 *   `externalDocs` and `x-` extensions are data for other tools, and are removed.
 * The operations found (webhooks, 3.0's `x-webhooks`, callbacks) are listed with where their
 * `application/json` request body schema is; the model names each as an event.
 */
export interface OpenApiOperation {
  /** The operationId, else the webhook's key (callbacks: "<callback>" key). */
  operation: string;
  /** JSON pointer of the request body's schema in the document. */
  pointer: string;
  /** JSON pointer of the operation object (where its parameters and extensions are). */
  at: string;
}

export interface OpenApiConversion {
  /** The document with its schemas converted, and `$schema` naming the dialect at its root. */
  json: Record<string, unknown>;
  operations: OpenApiOperation[];
}

export const openApiSuffixes = [".openapi.json", ".openapi.yaml", ".openapi.yml"] as const;

export function isOpenApiFile(rel: string): boolean {
  return openApiSuffixes.some((suffix) => rel.endsWith(suffix));
}

/** Whether a file is read as YAML (an OpenAPI document may be); every other input is JSON. */
export function isYamlFile(rel: string): boolean {
  return /\.ya?ml$/.test(rel);
}

/** A YAML document (YAML 1.2's core schema: no dates, `__proto__` an own key) parsed, or a `not_json` problem with its line. */
export async function readYamlFile(absolute: string, shown: string, problems: Problems): Promise<{ text: string; json: unknown } | undefined> {
  const text = await readTextFile(absolute, shown, problems);
  if (text === undefined) return undefined;
  try {
    // loaded only for a YAML document: every run loads the catalogue, few have one
    const { load } = await import("js-yaml");
    return { text, json: load(text) };
  } catch (error) {
    problems.add({ code: "not_json", file: shown, message: `not valid YAML: ${(error as Error).message.split("\n")[0]}` });
    return undefined;
  }
}

/** Whether a parsed document is an OpenAPI document (its root names the `openapi` version). */
export function isOpenApiDocument(json: unknown): boolean {
  return isPlainObject(json) && typeof json["openapi"] === "string";
}

const draft07 = "http://json-schema.org/draft-07/schema#";
const draft2020 = "https://json-schema.org/draft/2020-12/schema";
const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/** Fixed fields of OpenAPI's Schema Object that are no JSON Schema keyword: data for other tools. */
const openApiOnly = new Set(["discriminator", "example", "xml", "externalDocs"]);

export function convertOpenApi(json: unknown, shown: string, problems: Problems): OpenApiConversion | undefined {
  const fail = (pointer: string, message: string, hint?: string): undefined => {
    problems.add({ code: "schema_invalid", file: shown, pointer, message, ...(hint ? { hint } : {}) });
    return undefined;
  };
  if (!isPlainObject(json) || typeof json["openapi"] !== "string") {
    return fail("/openapi", "an *.openapi.json file must be an OpenAPI document (its root names the \"openapi\" version)");
  }
  const version = json["openapi"];
  const v30 = /^3\.0\.\d+/.test(version);
  if (!v30 && !/^3\.1\.\d+/.test(version)) {
    return fail("/openapi", `OpenAPI ${JSON.stringify(version)} is not supported`, "OpenAPI 3.0.x and 3.1.x documents are read");
  }
  let dialect = v30 ? draft07 : draft2020;
  if (!v30 && json["jsonSchemaDialect"] !== undefined) {
    const declared = json["jsonSchemaDialect"];
    if (typeof declared !== "string" || declared.replace(/#$/, "") !== draft2020) {
      return fail("/jsonSchemaDialect", `jsonSchemaDialect ${JSON.stringify(declared)} is not supported`, `OpenAPI 3.1 documents are read as ${draft2020}`);
    }
    dialect = declared;
  }
  const before = problems.size;
  const converter = new SchemaConverter(v30, shown, problems);
  const doc = structuredClone(json) as Record<string, unknown>;
  doc["$schema"] = dialect;

  const components = doc["components"];
  if (isPlainObject(components) && isPlainObject(components["schemas"])) {
    const schemas = components["schemas"];
    for (const key of Object.keys(schemas)) schemas[key] = converter.convert(schemas[key], joinPointer("/components/schemas", key));
  }

  const operations: OpenApiOperation[] = [];
  const converted = new Set<string>();
  /** The request body of one operation: its application/json schema converted where it is, and listed. */
  const takeOperation = (operation: unknown, at: string, fallbackName: string): void => {
    if (!isPlainObject(operation)) return;
    let body = operation["requestBody"];
    let bodyAt = joinPointer(at, "requestBody");
    for (let hops = 0; isPlainObject(body) && typeof body["$ref"] === "string" && hops < 8; hops++) {
      bodyAt = body["$ref"].startsWith("#") ? decodeURIComponent(body["$ref"].slice(1)) : "";
      body = bodyAt ? pointerNode(doc, bodyAt) : undefined;
    }
    if (!isPlainObject(body) || !isPlainObject(body["content"])) return;
    const content = body["content"];
    const media = Object.keys(content).find((type) => type === "application/json") ?? Object.keys(content).find((type) => /^application\/([\w.-]+\+)?json(;|$)/.test(type));
    if (media === undefined || !isPlainObject(content[media]) || content[media]["schema"] === undefined) return;
    const pointer = joinPointer(joinPointer(joinPointer(bodyAt, "content"), media), "schema");
    if (!converted.has(pointer)) {
      converted.add(pointer);
      (content[media] as Record<string, unknown>)["schema"] = converter.convert(content[media]["schema"], pointer);
    }
    const id = operation["operationId"];
    operations.push({ operation: typeof id === "string" && id !== "" ? id : fallbackName, pointer, at });
  };
  const takePathItem = (item: unknown, at: string, name: string): void => {
    let node = item;
    let where = at;
    for (let hops = 0; isPlainObject(node) && typeof node["$ref"] === "string" && hops < 8; hops++) {
      where = node["$ref"].startsWith("#") ? decodeURIComponent(node["$ref"].slice(1)) : "";
      node = where ? pointerNode(doc, where) : undefined;
    }
    if (!isPlainObject(node)) return;
    for (const method of methods) {
      if (node[method] !== undefined) takeOperation(node[method], joinPointer(where, method), name);
    }
  };

  for (const section of v30 ? ["x-webhooks", "webhooks"] : ["webhooks", "x-webhooks"]) {
    const hooks = doc[section];
    if (!isPlainObject(hooks)) continue;
    for (const key of Object.keys(hooks)) takePathItem(hooks[key], joinPointer(`/${section}`, key), key);
  }
  // callbacks: every operation's callbacks, each expression's path item an operation of its own
  const paths = doc["paths"];
  if (isPlainObject(paths)) {
    for (const path of Object.keys(paths)) {
      const item = paths[path];
      if (!isPlainObject(item)) continue;
      for (const method of methods) {
        const operation = item[method];
        if (!isPlainObject(operation) || !isPlainObject(operation["callbacks"])) continue;
        const callbacks = operation["callbacks"];
        for (const callback of Object.keys(callbacks)) {
          const expressions = callbacks[callback];
          if (!isPlainObject(expressions)) continue;
          const at = joinPointer(joinPointer(joinPointer(joinPointer("/paths", path), method), "callbacks"), callback);
          for (const expression of Object.keys(expressions)) takePathItem(expressions[expression], joinPointer(at, expression), callback);
        }
      }
    }
  }
  if (problems.size > before) return undefined;
  return { json: doc, operations };
}

function pointerNode(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isPlainObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

class SchemaConverter {
  constructor(
    private readonly v30: boolean,
    private readonly shown: string,
    private readonly problems: Problems,
  ) {}

  convert(node: unknown, at: string): unknown {
    if (typeof node === "boolean") {
      if (this.v30) this.refuse(at, "a boolean schema is not an OpenAPI 3.0 Schema Object", "write {} (any value) or {\"not\": {}} (none)");
      return node;
    }
    if (!isPlainObject(node)) return node;
    const out: Record<string, unknown> = {};
    const set = (key: string, value: unknown) =>
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    for (const [key, value] of Object.entries(node)) {
      const here = joinPointer(at, key);
      if (key.startsWith("x-") || openApiOnly.has(key)) continue;
      if (this.v30 && key === "nullable") continue;
      if (this.v30 && (key === "exclusiveMaximum" || key === "exclusiveMinimum")) {
        if (typeof value === "number") {
          this.refuse(here, `${key} is a boolean in OpenAPI 3.0`, `write "${key === "exclusiveMaximum" ? "maximum" : "minimum"}" with "${key}": true`);
        } else if (value === true) {
          const bound = node[key === "exclusiveMaximum" ? "maximum" : "minimum"];
          if (typeof bound !== "number") this.refuse(here, `${key}: true without ${key === "exclusiveMaximum" ? "maximum" : "minimum"}`);
          else set(key, bound);
        }
        continue;
      }
      if (this.v30 && (key === "maximum" || key === "minimum") && node[key === "maximum" ? "exclusiveMaximum" : "exclusiveMinimum"] === true) continue;
      if (singleSchemaKeywords.has(key) && (isPlainObject(value) || typeof value === "boolean")) set(key, this.convert(value, here));
      else if (schemaArrayKeywords.has(key) && Array.isArray(value)) set(key, value.map((v, i) => this.convert(v, joinPointer(here, i))));
      else if (schemaMapKeywords.has(key) && isPlainObject(value)) {
        const map: Record<string, unknown> = {};
        for (const [name, schema] of Object.entries(value)) {
          Object.defineProperty(map, name, { value: Array.isArray(schema) ? schema : this.convert(schema, joinPointer(here, name)), enumerable: true, writable: true, configurable: true });
        }
        set(key, map);
      } else if ((key === "$defs" || key === "definitions") && isPlainObject(value)) {
        set(key, Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, this.convert(schema, joinPointer(here, name))])));
      } else set(key, value);
    }
    if (!this.v30) return out;
    if (node["nullable"] !== undefined && typeof node["nullable"] !== "boolean") {
      this.refuse(joinPointer(at, "nullable"), "nullable must be a boolean");
      return out;
    }
    return node["nullable"] === true ? nullable(out) : out;
  }

  private refuse(pointer: string, message: string, hint?: string): void {
    this.problems.add({ code: "schema_invalid", file: this.shown, pointer, message, ...(hint ? { hint } : {}) });
  }
}

const annotationKeys = new Set(["title", "description", "default", "deprecated", "readOnly", "writeOnly", "$comment"]);

/** OpenAPI 3.0's `nullable: true` in draft-07 terms: null is one more value the schema allows. */
function nullable(schema: Record<string, unknown>): Record<string, unknown> {
  const type = schema["type"];
  const withNullEnum = (s: Record<string, unknown>): Record<string, unknown> =>
    Array.isArray(s["enum"]) && !s["enum"].includes(null) ? { ...s, enum: [...s["enum"], null] } : s;
  if (typeof schema["$ref"] !== "string") {
    if (typeof type === "string") return withNullEnum({ ...schema, type: type === "null" ? "null" : [type, "null"] });
    if (Array.isArray(type)) return withNullEnum(type.includes("null") ? schema : { ...schema, type: [...type, "null"] });
  }
  // a $ref (whose siblings draft-07 ignores) or a schema without a type: null or the schema
  const inner: Record<string, unknown> = {};
  const outer: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    Object.defineProperty(annotationKeys.has(key) ? outer : inner, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(inner).length === 0) return schema; // allows anything already
  return { ...outer, anyOf: [inner, { type: "null" }] };
}
