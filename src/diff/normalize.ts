import { isPlainObject } from "../json.js";
import { compare } from "../order.js";
import type { JsonSchema } from "../model/build.js";

/**
 * A schema as the diff sees it: the alternatives a value may take (refs followed, `allOf`
 * merged, nested `anyOf`/`oneOf` flattened) and whether it may be null. `anyOf: [X, {type:
 * "null"}]`, `type: ["string", "null"]` and an enum holding null all read as "X or null".
 */
export interface SchemaNode {
  branches: Branch[];
  nullable: boolean;
}

export interface Branch {
  /** Without `$ref`, `allOf`, `anyOf`, `oneOf`; types without "null". */
  schema: JsonSchema;
  /** The definition this branch was reached through (the last `$ref` followed), if any. */
  definition?: string;
  /** The definition this branch is as a whole (a `$ref` to it stood for this alternative), if any. */
  named?: string;
}

export type Definitions = Record<string, JsonSchema>;

export type TypeName = "string" | "number" | "integer" | "boolean" | "object" | "array";

/** Keywords that describe and never constrain: they are not compared. */
const annotations = new Set([
  "title",
  "description",
  "default",
  "examples",
  "example",
  "$comment",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$id",
  "$schema",
  "definitions",
  "$defs",
]);

const maxRefHops = 64;

export function normalize(schema: unknown, definitions: Definitions, via?: string): SchemaNode {
  return normalizeAt(schema, definitions, via, 0);
}

function normalizeAt(schema: unknown, definitions: Definitions, via: string | undefined, depth: number): SchemaNode {
  if (schema === false) return { branches: [], nullable: false };
  if (!isPlainObject(schema) || depth > maxRefHops) return { branches: [withVia({}, via)], nullable: false };

  const ref = schema["$ref"];
  if (typeof ref === "string") {
    const name = ref.replace(/^#\/definitions\//, "");
    const target = named(normalizeAt(definitions[name] ?? {}, definitions, name, depth + 1), name);
    return intersect(target, normalizeAt(withoutKeys(schema, ["$ref"]), definitions, undefined, depth + 1));
  }

  let node: SchemaNode = own(schema, via);
  const allOf = schema["allOf"];
  if (Array.isArray(allOf)) {
    for (const member of allOf) node = intersect(node, normalizeAt(member, definitions, via, depth + 1));
  }
  for (const keyword of ["anyOf", "oneOf"]) {
    const alternatives = schema[keyword];
    if (Array.isArray(alternatives)) node = intersect(node, union(alternatives.map((a) => normalizeAt(a, definitions, via, depth + 1))));
  }
  return node;
}

/** A definition that is not a union is, as a whole, the one alternative it gives. */
function named(node: SchemaNode, name: string): SchemaNode {
  if (node.branches.length !== 1 || node.branches[0]!.named !== undefined) return node;
  return { ...node, branches: [{ ...node.branches[0]!, named: name }] };
}

/** The schema's own keywords (no combinators, no annotations), with null split off. */
function own(schema: JsonSchema, via: string | undefined): SchemaNode {
  const rest = withoutKeys(schema, ["$ref", "allOf", "anyOf", "oneOf", ...annotations]);
  let nullable = false;
  const type = rest["type"];
  if (type === "null") return { branches: [], nullable: true };
  if (Array.isArray(type) && type.includes("null")) {
    nullable = true;
    const others = type.filter((t) => t !== "null");
    if (others.length === 0) return { branches: [], nullable: true };
    rest["type"] = others.length === 1 ? others[0] : others;
  }
  if (rest["const"] === null) return { branches: [], nullable: true };
  if (Array.isArray(rest["enum"]) && rest["enum"].includes(null)) {
    nullable = true;
    const others = rest["enum"].filter((v) => v !== null);
    if (others.length === 0) return { branches: [], nullable: true };
    rest["enum"] = others;
  }
  return { branches: [withVia(rest, via)], nullable };
}

/** A union with an alternative that allows anything (`{}`, `true`) allows anything: it is that alternative. */
function union(nodes: SchemaNode[]): SchemaNode {
  const any = nodes.find((n) => n.branches.some((b) => Object.keys(b.schema).length === 0));
  if (any !== undefined) return { branches: [{ schema: {} }], nullable: false };
  return { branches: nodes.flatMap((n) => n.branches), nullable: nodes.some((n) => n.nullable) };
}

/**
 * Both must hold (allOf, or keywords beside a combinator): each pair of alternatives is
 * merged; a side with no constraint at all ({}) merges away. Null stays possible only if
 * both sides allow it, or the one side says nothing about types.
 */
function intersect(a: SchemaNode, b: SchemaNode): SchemaNode {
  const trivial = (n: SchemaNode) => n.branches.length === 1 && Object.keys(n.branches[0]!.schema).length === 0 && !n.nullable;
  if (trivial(b)) return mergeVia(a, b);
  if (trivial(a)) return mergeVia(b, a);
  const branches = a.branches.flatMap((x) => b.branches.map((y) => mergeBranches(x, y)));
  const nullable = (a.nullable || untyped(a)) && (b.nullable || untyped(b));
  return { branches, nullable };
}

function untyped(node: SchemaNode): boolean {
  return node.branches.length > 0 && node.branches.every((b) => typesOf(b.schema) === "any");
}

function mergeVia(kept: SchemaNode, dropped: SchemaNode): SchemaNode {
  const { definition, named } = dropped.branches[0] ?? {};
  if (kept.branches.length !== 1) return kept;
  const branch = kept.branches[0]!;
  return {
    ...kept,
    branches: [
      {
        ...branch,
        ...(branch.definition === undefined && definition !== undefined ? { definition } : {}),
        ...(branch.named === undefined && named !== undefined ? { named } : {}),
      },
    ],
  };
}

function mergeBranches(a: Branch, b: Branch): Branch {
  const schema: JsonSchema = { ...a.schema };
  for (const [key, value] of Object.entries(b.schema)) {
    const mine = schema[key];
    if (mine === undefined) schema[key] = value;
    else if (key === "properties" && isPlainObject(mine) && isPlainObject(value)) schema[key] = mergeProperties(mine, value);
    else if (key === "required" && Array.isArray(mine) && Array.isArray(value)) schema[key] = [...new Set([...mine, ...value])];
    else if (key === "type") schema[key] = intersectTypes(mine, value);
  }
  // a composition is none of its members as a whole: the definition holding the allOf names it
  const definition = b.definition ?? a.definition;
  return definition === undefined ? { schema } : { schema, definition };
}

function mergeProperties(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [name, schema] of Object.entries(b)) out[name] = name in out ? { allOf: [out[name], schema] } : schema;
  return out;
}

function intersectTypes(a: unknown, b: unknown): unknown {
  const list = (t: unknown) => (Array.isArray(t) ? t : [t]);
  const right = list(b);
  const both = list(a).filter((t) => right.includes(t) || (t === "integer" && right.includes("number")));
  const extra = right.filter((t) => t === "integer" && list(a).includes("number") && !both.includes(t));
  const all = [...both, ...extra];
  return all.length === 1 ? all[0] : all;
}

function withVia(schema: JsonSchema, via: string | undefined): Branch {
  return via === undefined ? { schema } : { schema, definition: via };
}

function withoutKeys(schema: JsonSchema, keys: Iterable<string>): JsonSchema {
  const drop = new Set(keys);
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !drop.has(key)));
}

const typeOrder: TypeName[] = ["array", "boolean", "integer", "number", "object", "string"];

/**
 * The JSON types a branch allows, sorted ("integer" folded into "number" when both are
 * there), or "any" when nothing restricts them. Without `type`, the keywords tell:
 * `properties` means an object, `items` an array, a `const` its own type.
 */
export function typesOf(schema: JsonSchema): TypeName[] | "any" {
  const declared = schema["type"];
  if (typeof declared === "string") return declared === "null" ? [] : foldIntegers([declared as TypeName]);
  if (Array.isArray(declared)) return foldIntegers(declared.filter((t): t is TypeName => typeOrder.includes(t as TypeName)));
  const values = valuesOf(schema);
  if (values !== undefined) return foldIntegers([...new Set(values.map(jsonType))]);
  if (["properties", "required", "additionalProperties", "propertyNames", "minProperties", "maxProperties"].some((k) => k in schema)) return ["object"];
  if (["items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains"].some((k) => k in schema)) return ["array"];
  if (["pattern", "format", "minLength", "maxLength"].some((k) => k in schema)) return ["string"];
  if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"].some((k) => k in schema)) return ["number"];
  return "any";
}

function foldIntegers(types: TypeName[]): TypeName[] {
  const set = new Set(types);
  if (set.has("number")) set.delete("integer");
  return typeOrder.filter((t) => set.has(t));
}

function jsonType(value: unknown): TypeName {
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "object") return "object";
  return typeof value as TypeName;
}

/** The values a branch is limited to (`const`, or `enum`), or undefined when not limited. */
export function valuesOf(schema: JsonSchema): unknown[] | undefined {
  if ("const" in schema) return [schema["const"]];
  const values = schema["enum"];
  return Array.isArray(values) ? values : undefined;
}

/** The single value a property of an object branch is pinned to (a union's tag), if it is. */
export function tagValue(branch: Branch, property: string, definitions: Definitions): string | undefined {
  const properties = branch.schema["properties"];
  if (!isPlainObject(properties) || !(property in properties)) return undefined;
  const node = normalize(properties[property], definitions);
  if (node.branches.length !== 1 || node.nullable) return undefined;
  const values = valuesOf(node.branches[0]!.schema);
  return values?.length === 1 && typeof values[0] === "string" ? values[0] : undefined;
}

/** Property names of an object branch, sorted. */
export function propertyNames(schema: JsonSchema): string[] {
  const properties = schema["properties"];
  return isPlainObject(properties) ? Object.keys(properties).sort(compare) : [];
}

/** A short readable name for a type list. */
export function describeTypes(types: TypeName[] | "any"): string {
  if (types === "any") return "any type";
  return types.length === 0 ? "nothing" : types.join(" | ");
}
