import { pointerSegment } from "../../errors.js";
import { isPlainObject } from "../../json.js";
import { and, literal, member, VALUE, type SchemaObject } from "./code.js";
import { dependencies, requiredList } from "./applicator.js";
import type { Keyword, PrepareContext } from "./keyword.js";

// The validation keywords that apply to values of one type: limits on numbers, lengths and
// patterns of strings, sizes of arrays and objects, required properties.

const both = ["draft-07", "2020-12"] as const;

const finite = (value: unknown, at: string, c: PrepareContext, keyword: string) =>
  typeof value !== "number" || !Number.isFinite(value) ? c.refuse(`a ${keyword}`, at) : value;
const natural = (value: unknown, at: string, c: PrepareContext, keyword: string) =>
  typeof value !== "number" || !Number.isInteger(value) || value < 0 ? c.refuse(`a ${keyword}`, at) : value;

const limit = (keyword: string, operator: string, order: number): Keyword => ({
  keyword,
  dialects: both,
  phase: "number",
  order,
  prepare: (value, at, c) => finite(value, at, c, keyword),
  compile: (schema) => ({ conditions: [`${VALUE} ${operator} ${literal(schema[keyword])}`] }),
  explain: "explain-validation.js",
});

const size = (keyword: string, phase: "string" | "array" | "object", order: number, condition: (n: number) => string | undefined): Keyword => ({
  keyword,
  dialects: both,
  phase,
  order,
  prepare: (value, at, c) => natural(value, at, c, keyword),
  compile: (schema) => {
    const code = condition(schema[keyword] as number);
    return code === undefined ? undefined : { conditions: [code] };
  },
  explain: "explain-validation.js",
});

export const validationKeywords: Keyword[] = [
  limit("maximum", "<=", 1),
  limit("minimum", ">=", 2),
  limit("exclusiveMaximum", "<", 3),
  limit("exclusiveMinimum", ">", 4),
  // a string has at least half as many code points as UTF-16 units, and at most as many
  {
    keyword: "multipleOf",
    dialects: both,
    phase: "number",
    order: 5,
    prepare: (value, at, c) => (typeof value !== "number" || !Number.isFinite(value) || value <= 0 ? c.refuse("a multipleOf", at) : value),
    // Ajv's test without multipleOfPrecision: the quotient is an integer as parseInt reads it
    compile: (schema) => ({ conditions: [`${VALUE} / ${literal(schema["multipleOf"])} === parseInt(${VALUE} / ${literal(schema["multipleOf"])})`] }),
    explain: "explain-validation.js",
  },
  size("minLength", "string", 1, (min) =>
    min === 0 ? undefined : min === 1 ? `${VALUE}.length >= 1` : `${VALUE}.length >= ${min} && (${VALUE}.length >= ${2 * min} || $ucs2length(${VALUE}) >= ${min})`,
  ),
  size("maxLength", "string", 2, (max) => `${VALUE}.length <= ${max} || $ucs2length(${VALUE}) <= ${max}`),
  {
    keyword: "pattern",
    dialects: both,
    phase: "string",
    order: 3,
    prepare: (value, at, c) => (typeof value !== "string" || !c.compiles(value) ? c.refuse("a pattern", at) : value),
    compile: (schema, c) => ({ conditions: [`${c.constant(`new RegExp(${JSON.stringify(schema["pattern"])}, "u")`, "$pattern")}.test(${VALUE})`] }),
    explain: "explain-validation.js",
  },
  size("minItems", "array", 1, (n) => `${VALUE}.length >= ${n}`),
  size("maxItems", "array", 2, (n) => `${VALUE}.length <= ${n}`),
  {
    keyword: "uniqueItems",
    dialects: both,
    phase: "array",
    order: 6,
    prepare: (value, at, c) => (typeof value !== "boolean" ? c.refuse("a uniqueItems", at) : value),
    compile(schema, c) {
      if (schema["uniqueItems"] !== true) return undefined;
      const source = (name: string) =>
        [`function ${name}(d) {`, "  for (let i = d.length; i-- > 1; ) for (let j = i; j--; ) if ($equal(d[i], d[j])) return false;", "  return true;", "}"].join("\n");
      return { conditions: [`${c.hoistFunction("uniqueItems", source)}(${VALUE})`] };
    },
    explain: "explain-validation.js",
  },
  // read by contains (applicator.ts)
  { keyword: "maxContains", dialects: ["2020-12"], phase: "array", order: 7, prepare: (value, at, c) => natural(value, at, c, "maxContains"), with: "contains", explain: "explain-applicator.js" },
  { keyword: "minContains", dialects: ["2020-12"], phase: "array", order: 7, prepare: (value, at, c) => natural(value, at, c, "minContains"), with: "contains", explain: "explain-applicator.js" },
  size("minProperties", "object", 1, (n) => `Object.keys(${VALUE}).length >= ${n}`),
  size("maxProperties", "object", 2, (n) => `Object.keys(${VALUE}).length <= ${n}`),
  {
    keyword: "required",
    dialects: both,
    phase: "object",
    order: 3,
    prepare(value, at, c) {
      const ok = Array.isArray(value) && value.every((v) => typeof v === "string") && new Set(value).size === value.length;
      return ok ? value : c.refuse("a required list", at);
    },
    compile(schema: SchemaObject, c) {
      const required = schema["required"] as string[];
      const properties = (schema["properties"] as Record<string, boolean | SchemaObject> | undefined) ?? {};
      // a required property whose own check fails on undefined needs no presence check: that
      // check runs whatever the value, and fails when the property is missing
      const checked = (key: string) => Object.prototype.hasOwnProperty.call(properties, key) && c.rejectsUndefined(properties[key]!);
      const present = required.filter((key) => !checked(key)).map((key) => `${member(VALUE, key)} !== undefined`);
      return present.length > 0 ? { conditions: [and(present)] } : undefined;
    },
    explain: "explain-validation.js",
  },
  {
    keyword: "dependentRequired",
    dialects: ["2020-12"],
    phase: "object",
    order: 9,
    prepare(value, at, c) {
      if (!isPlainObject(value)) return c.refuse("dependentRequired that is not an object", at);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, requiredList(v, `${at}/${pointerSegment(k)}`, c)]));
    },
    compile: (schema, c) => ({ conditions: dependencies(c, schema["dependentRequired"] as Record<string, string[]>) }),
    explain: "explain-validation.js",
  },
];
