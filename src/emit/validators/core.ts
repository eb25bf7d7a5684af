import { hasType, isType, jsonTypes, jsonValue, literal, or, typesOf, VALUE } from "./code.js";
import type { CompileContext, Keyword } from "./keyword.js";

// The core keywords: $ref, and the ones that apply to a value of any type (Ajv's core and
// the any-type part of its validation vocabulary): type, const, enum.

const both = ["draft-07", "2020-12"] as const;

/** A constant compared with the value: === for a primitive, deep equality for the rest. */
export function equals(c: CompileContext, value: unknown): string {
  if (value === null || typeof value !== "object") return `${VALUE} === ${literal(value)}`;
  return `$equal(${VALUE}, ${c.constant(jsonValue(value), "$const")})`;
}

function oneOfValues(c: CompileContext, values: unknown[]): string {
  const primitives = values.filter((v) => v === null || typeof v !== "object");
  const objects = values.filter((v) => v !== null && typeof v === "object");
  const tests =
    primitives.length > 6 ? [`${c.constant(`new Set(${JSON.stringify(primitives)})`, "$enum")}.has(${VALUE})`] : primitives.map((v) => `${VALUE} === ${literal(v)}`);
  return or([...tests, ...objects.map((v) => `$equal(${VALUE}, ${c.constant(jsonValue(v), "$const")})`)]);
}

export const coreKeywords: Keyword[] = [
  {
    keyword: "$ref",
    dialects: both,
    phase: "last",
    order: 1,
    // the model rewrote every $ref to a definition of the document
    prepare(value, at, c) {
      const name = typeof value === "string" ? /^#\/definitions\/(\w+)$/.exec(value)?.[1] : undefined;
      return name === undefined || !c.hasDefinition(name) ? c.refuse("a $ref", at) : value;
    },
    compile: (schema, c) => ({ conditions: [`${c.definition((schema["$ref"] as string).slice(14))}(${VALUE})`] }),
    explain: "explain-core.js",
  },
  {
    keyword: "type",
    dialects: both,
    phase: "first",
    order: 1,
    prepare(value, at, c) {
      const types = Array.isArray(value) ? value : [value];
      const ok = types.length > 0 && new Set(types).size === types.length && types.every((t) => jsonTypes.has(t as string));
      return ok ? value : c.refuse("a type", at);
    },
    compile(schema) {
      const types = typesOf(schema);
      // the type goes without saying when every constant the schema allows is of that type
      const allowed = schema["const"] !== undefined ? [schema["const"]] : (schema["enum"] as unknown[] | undefined);
      const implied = allowed !== undefined && allowed.every((v) => (v === null || typeof v !== "object") && types.some((t) => hasType(t, v)));
      return implied ? undefined : { conditions: [or(types.map((t) => isType(t, VALUE)))] };
    },
    explain: "explain-core.js",
  },
  {
    keyword: "const",
    dialects: both,
    phase: "first",
    order: 2,
    prepare: (value) => value,
    compile: (schema, c) => ({ conditions: [equals(c, schema["const"])] }),
    explain: "explain-core.js",
  },
  {
    keyword: "enum",
    dialects: both,
    phase: "first",
    order: 3,
    // an empty enum (2020-12's meta-schema allows it; Ajv refuses it) is a schema nothing matches
    prepare: (value, at, c) => (!Array.isArray(value) ? c.refuse("an enum", at) : value),
    compile: (schema, c) => ({ conditions: [oneOfValues(c, schema["enum"] as unknown[])] }),
    explain: "explain-core.js",
  },
  {
    // OpenAPI's nullable, as Ajv reads it: with a type, null is one more type allowed
    // (prepare.ts adds it to a list of types, as Ajv does; typesOf() to a single type)
    keyword: "nullable",
    dialects: both,
    phase: "first",
    order: 1,
    prepare: (value, at, c) => (typeof value !== "boolean" ? c.refuse("a nullable that is not a boolean", at) : value),
    with: "type",
    explain: "explain-core.js",
  },
  {
    // draft-04's id: Ajv refuses the schema
    keyword: "id",
    dialects: both,
    phase: "first",
    order: 0,
    prepare: (_value, at, c) => c.refuse('keyword "id" (draft-04; write "$id")', at),
    explain: "explain-core.js",
  },
];
