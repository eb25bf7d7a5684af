import { alwaysValid, and, canonical, member, not, place, VALUE, when, type Schema, type SchemaObject } from "./code.js";
import type { CompileContext, Keyword } from "./keyword.js";

// unevaluatedProperties and unevaluatedItems (2020-12): what the schema's other keywords and
// its in-place subschemas (allOf, anyOf, oneOf, if/then/else, dependentSchemas, $ref)
// evaluated is collected at run time, as the specification defines it: a subschema's
// annotations count only when it passes (Ajv also counts those of a failing "if", and takes
// "contains" as evaluating every item; the official suite says otherwise). This is the only
// place the first pass allocates (a Set per object or array checked).

/** The in-place subschemas whose annotations count when they pass, with the condition that they apply. */
function inPlace(schema: SchemaObject, c: CompileContext): { always: Schema[]; valid: Schema[]; conditional: [string, Schema][] } {
  const always: Schema[] = [...((schema["allOf"] as Schema[] | undefined) ?? [])];
  // a $ref beside other keywords: its definition's collector (one per definition, recursion included)
  if (typeof schema["$ref"] === "string") always.push({ $ref: schema["$ref"] });
  const valid: Schema[] = [...((schema["anyOf"] as Schema[] | undefined) ?? []), ...((schema["oneOf"] as Schema[] | undefined) ?? [])];
  const conditional: [string, Schema][] = [];
  for (const keyword of ["dependentSchemas", "dependencies"]) {
    for (const [key, sub] of Object.entries((schema[keyword] as Record<string, Schema | string[]> | undefined) ?? {})) {
      if (!Array.isArray(sub)) conditional.push([`${member(VALUE, key)} !== undefined`, sub]);
    }
  }
  return { always, valid, conditional };
}

type Kind = "props" | "items";

/**
 * The name of a function (d, e) that adds to the Set e what a schema evaluates of d: property
 * names (returning true when it evaluates them all), or item indices (returning how many
 * leading items it evaluates, Infinity for all); undefined when it evaluates nothing.
 */
function collector(c: CompileContext, schema: Schema, kind: Kind): string | undefined {
  if (typeof schema !== "object") return undefined;
  const ref = Object.keys(schema).length === 1 && typeof schema["$ref"] === "string" ? (schema["$ref"] as string).slice(14) : undefined;
  const key = ref !== undefined ? `evaluated ${kind} $ref ${ref}` : `evaluated ${kind} ${canonical(schema)}`;
  let known = collectors.get(c.definitions);
  if (known === undefined) collectors.set(c.definitions, (known = new Map()));
  if (known.has(key)) return known.get(key);
  // a definition's collector is named before its body is made, so that a recursive one calls itself
  const lines = ref !== undefined ? undefined : body(c, schema, kind);
  const name =
    lines !== undefined && lines.length === 0
      ? undefined
      : c.hoistFunction(key, (name) => {
          known.set(key, name);
          const inner = lines ?? body(c, c.definitions[ref!]!, kind);
          return [`function ${name}(d, e) {`, ...(kind === "props" ? [] : ["  let n = 0;"]), ...inner.map((l) => `  ${l}`), `  return ${kind === "props" ? "false" : "n"};`, "}"].join("\n");
        });
  known.set(key, name);
  return name;
}

/** The collectors made for one compilation (its definitions), by key. */
const collectors = new WeakMap<object, Map<string, string | undefined>>();

function body(c: CompileContext, schema: Schema, kind: Kind): string[] {
  if (typeof schema !== "object") return [];
  const d = (code: string) => place(code, "d");
  const lines: string[] = [];
  const all = kind === "props" ? "return true;" : "return Infinity;";
  const merge = (sub: Schema): string | undefined => {
    const name = collector(c, sub, kind);
    if (name === undefined) return undefined;
    return kind === "props" ? `if (${name}(d, e)) return true;` : `n = Math.max(n, ${name}(d, e));`;
  };
  if (kind === "props") {
    if (schema["additionalProperties"] !== undefined || schema["unevaluatedProperties"] !== undefined) return [all];
    for (const name of Object.keys((schema["properties"] as Record<string, Schema> | undefined) ?? {})) lines.push(`e.add(${JSON.stringify(name)});`);
    for (const source of Object.keys((schema["patternProperties"] as Record<string, Schema> | undefined) ?? {})) {
      const pattern = c.constant(`new RegExp(${JSON.stringify(source)}, "u")`, "$pattern");
      lines.push(`for (const k in d) if (${pattern}.test(k)) e.add(k);`);
    }
  } else {
    if (schema["unevaluatedItems"] !== undefined || (schema["items"] !== undefined && !Array.isArray(schema["items"]))) return [all];
    const prefix = (schema["prefixItems"] as Schema[] | undefined)?.length;
    if (prefix !== undefined) lines.push(`n = Math.max(n, ${prefix});`);
    if (schema["contains"] !== undefined) lines.push(`for (let i = 0; i < d.length; i++) if (${place(c.check(schema["contains"] as Schema), "d[i]")}) e.add(i);`);
  }
  const { always, valid, conditional } = inPlace(schema, c);
  for (const sub of always) {
    const line = merge(sub);
    if (line !== undefined) lines.push(line);
  }
  for (const sub of valid) {
    const line = merge(sub);
    if (line !== undefined) lines.push(`if (${d(c.check(sub))}) ${line.startsWith("if (") ? `{ ${line} }` : line}`);
  }
  for (const [condition, sub] of conditional) {
    const line = merge(sub);
    if (line !== undefined) lines.push(`if (${and([d(condition), d(c.check(sub))])}) { ${line} }`);
  }
  if (schema["if"] !== undefined) {
    const test = d(c.check(schema["if"] as Schema));
    const clause = (keyword: string) => {
      const sub = schema[keyword] as Schema | undefined;
      const line = sub === undefined ? undefined : merge(sub);
      return line === undefined || sub === undefined ? [] : [`if (${d(c.check(sub))}) { ${line} }`];
    };
    const [own, then, otherwise] = [merge(schema["if"] as Schema), clause("then"), clause("else")];
    if (own !== undefined || then.length > 0 || otherwise.length > 0) {
      lines.push(`if (${test}) {`, ...[...(own === undefined ? [] : [own]), ...then].map((l) => `  ${l}`), ...(otherwise.length > 0 ? ["} else {", ...otherwise.map((l) => `  ${l}`)] : []), "}");
    }
  }
  return lines;
}

export const unevaluatedKeywords: Keyword[] = [
  {
    keyword: "unevaluatedItems",
    dialects: ["2020-12"],
    phase: "array",
    order: 10,
    prepare: (value, at, c) => c.schema(value, at),
    compile(schema, c) {
      const rest = schema["unevaluatedItems"] as Schema;
      if (alwaysValid(rest)) return undefined;
      const { unevaluatedItems: _, ...others } = schema; // what the schema's other keywords evaluate
      const collect = collector(c, others, "items");
      const [e, n, i] = [c.local("e"), c.local("n"), c.local("i")];
      const fails = rest === false ? "return false;" : when(not(place(c.check(rest), `${VALUE}[${i}]`)), "return false;");
      return {
        statements: [
          `const ${e} = new Set();`,
          `const ${n} = ${collect === undefined ? "0" : `${collect}(${VALUE}, ${e})`};`,
          `for (let ${i} = ${n}; ${i} < ${VALUE}.length; ${i}++) if (!${e}.has(${i})) ${fails}`,
        ],
      };
    },
    explain: "explain-unevaluated.js",
  },
  {
    keyword: "unevaluatedProperties",
    dialects: ["2020-12"],
    phase: "object",
    order: 11,
    prepare: (value, at, c) => c.schema(value, at),
    compile(schema, c) {
      const rest = schema["unevaluatedProperties"] as Schema;
      if (alwaysValid(rest)) return undefined;
      const { unevaluatedProperties: _, ...others } = schema; // what the schema's other keywords evaluate
      const collect = collector(c, others, "props");
      const [e, k] = [c.local("e"), c.local("k")];
      const fails = rest === false ? "return false;" : when(not(place(c.check(rest), `${VALUE}[${k}]`)), "return false;");
      const loop = `for (const ${k} in ${VALUE}) if (!${e}.has(${k})) ${fails}`;
      return {
        statements: [`const ${e} = new Set();`, collect === undefined ? loop : `if (!${collect}(${VALUE}, ${e})) ${loop}`],
      };
    },
    explain: "explain-unevaluated.js",
  },
];
