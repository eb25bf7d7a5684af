import { pointerSegment } from "../../errors.js";
import { isPlainObject } from "../../json.js";
import { alwaysValid, and, isType, literal, member, not, or, place, readsOnce, refOnly, returningFunction, returns, splitTop, typesOf, unwrapped, VALUE, when, type Schema, type SchemaObject } from "./code.js";
import type { CompileContext, Keyword, PrepareContext } from "./keyword.js";

// The applicators: keywords whose value holds subschemas, applied to the value itself
// (allOf, anyOf, oneOf, not) or to its items and properties.

const both = ["draft-07", "2020-12"] as const;

const list = (keyword: string) => (value: unknown, at: string, c: PrepareContext) =>
  !Array.isArray(value) || value.length === 0 ? c.refuse(`an ${keyword}`, at) : value.map((v, i) => c.schema(v, `${at}/${i}`));

const map = (keyword: string) => (value: unknown, at: string, c: PrepareContext) => {
  if (!isPlainObject(value)) return c.refuse(`${keyword} that is not an object`, at);
  if (keyword === "patternProperties" && !Object.keys(value).every((p) => c.compiles(p))) return c.refuse("a pattern", at);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, c.schema(v, `${at}/${pointerSegment(k)}`)]));
};

/** The statements that return false when `element` fails `schema`: the element is read into a local when the check reads it more than once. */
function each(c: CompileContext, element: string, schema: Schema): string[] {
  const check = c.check(schema);
  if (readsOnce(check)) return [`  ${when(not(place(check, element)), "return false;")}`];
  const v = c.local("v");
  return [`  const ${v} = ${element};`, `  ${when(not(place(check, v)), "return false;")}`];
}

/** The statements that check every item from `from` on against one schema. */
function loop(c: CompileContext, from: string, item: Schema): string[] {
  const i = c.local("i");
  return [`for (let ${i} = ${from}; ${i} < ${VALUE}.length; ${i}++) {`, ...each(c, `${VALUE}[${i}]`, item), "}"];
}

/** The statements that check each item of a tuple that is there against its schema. */
function tuple(c: CompileContext, items: Schema[]): string[] {
  return items.flatMap((item, i) => (alwaysValid(item) ? [] : [`if (${VALUE}.length > ${i}) {`, ...each(c, `${VALUE}[${i}]`, item), "}"]));
}

const pattern = (c: CompileContext, source: string) => c.constant(`new RegExp(${JSON.stringify(source)}, "u")`, "$pattern");

export const applicatorKeywords: Keyword[] = [
  {
    keyword: "allOf",
    dialects: both,
    phase: "last",
    order: 2,
    prepare: list("allOf"),
    compile: (schema, c) => ({ conditions: (schema["allOf"] as Schema[]).filter((member) => !alwaysValid(member)).map((member) => c.check(member)) }),
    explain: "explain-applicator.js",
  },
  {
    keyword: "anyOf",
    dialects: both,
    phase: "last",
    order: 3,
    prepare: list("anyOf"),
    compile: (schema, c) => ({ conditions: [anyOf(c, schema["anyOf"] as Schema[])] }),
    explain: "explain-applicator.js",
  },
  {
    keyword: "oneOf",
    dialects: both,
    phase: "last",
    order: 4,
    prepare: list("oneOf"),
    compile: (schema, c) => ({ conditions: [oneOf(c, schema["oneOf"] as Schema[])] }),
    explain: "explain-applicator.js",
  },
  {
    keyword: "not",
    dialects: both,
    phase: "last",
    order: 5,
    prepare: (value, at, c) => c.schema(value, at),
    compile: (schema, c) => ({ conditions: [not(c.check(schema["not"] as Schema))] }),
    explain: "explain-applicator.js",
  },
  {
    keyword: "prefixItems",
    dialects: ["2020-12"],
    phase: "array",
    order: 3,
    prepare: list("prefixItems"),
    compile: (schema, c) => ({ statements: tuple(c, schema["prefixItems"] as Schema[]) }),
    explain: "explain-applicator.js",
  },
  {
    keyword: "items",
    dialects: both,
    phase: "array",
    order: 4,
    prepare(value, at, c) {
      if (Array.isArray(value) && c.dialect === "draft-07" && value.length > 0) return value.map((v, i) => c.schema(v, `${at}/${i}`));
      return Array.isArray(value) ? c.refuse("items", at) : c.schema(value, at);
    },
    compile(schema, c) {
      const statements: string[] = [];
      const conditions: string[] = [];
      const items = schema["items"] as Schema | Schema[];
      // draft-07: items as a list is a tuple, additionalItems the rest; 2020-12: items is the rest after prefixItems
      const [from, rest] = Array.isArray(items)
        ? [items.length, schema["additionalItems"] as Schema | undefined]
        : [(schema["prefixItems"] as Schema[] | undefined)?.length ?? 0, items];
      if (Array.isArray(items)) statements.push(...tuple(c, items));
      if (rest === false && (Array.isArray(items) || schema["prefixItems"] !== undefined)) conditions.push(`${VALUE}.length <= ${from}`);
      else if (rest !== undefined && !alwaysValid(rest)) statements.push(...loop(c, `${from}`, rest));
      return { conditions, statements };
    },
    explain: "explain-applicator.js",
  },
  {
    keyword: "additionalItems",
    dialects: ["draft-07"],
    phase: "array",
    order: 4,
    prepare: (value, at, c) => c.schema(value, at),
    with: "items",
    explain: "explain-applicator.js",
  },
  {
    keyword: "additionalProperties",
    dialects: both,
    phase: "object",
    order: 4,
    prepare: (value, at, c) => c.schema(value, at),
    compile(schema, c) {
      const extra = schema["additionalProperties"] as Schema;
      if (alwaysValid(extra)) return undefined;
      const properties = (schema["properties"] as Record<string, Schema> | undefined) ?? {};
      const patterns = (schema["patternProperties"] as Record<string, Schema> | undefined) ?? {};
      const k = c.local("k");
      const names = Object.keys(properties);
      const known = [
        ...(names.length <= 8 ? names.map((name) => `${k} === ${JSON.stringify(name)}`) : [`${c.constant(`new Set(${JSON.stringify(names)})`, "$keys")}.has(${k})`]),
        ...Object.keys(patterns).map((p) => `${pattern(c, p)}.test(${k})`),
      ];
      const additional = known.length === 0 ? "true" : not(or(known));
      if (extra === false) return { statements: [`for (const ${k} in ${VALUE}) if (${additional}) return false;`] };
      return {
        statements: [
          `for (const ${k} in ${VALUE}) {`,
          ...(additional === "true" ? [] : [`  if (${not(additional)}) continue;`]),
          ...each(c, `${VALUE}[${k}]`, extra),
          "}",
        ],
      };
    },
    explain: "explain-applicator.js",
  },
  {
    keyword: "properties",
    dialects: both,
    phase: "object",
    order: 5,
    prepare: map("properties"),
    compile(schema, c) {
      const required = (schema["required"] as string[] | undefined) ?? [];
      const conditions: string[] = [];
      for (const [key, sub] of Object.entries(schema["properties"] as Record<string, Schema>)) {
        if (alwaysValid(sub)) continue;
        const check = c.single(sub);
        const access = member(VALUE, key);
        conditions.push(required.includes(key) ? place(check, access) : or([`${access} === undefined`, place(check, access)]));
      }
      return { conditions };
    },
    explain: "explain-applicator.js",
  },
  {
    keyword: "patternProperties",
    dialects: both,
    phase: "object",
    order: 6,
    prepare: map("patternProperties"),
    compile(schema, c) {
      const statements: string[] = [];
      for (const [source, sub] of Object.entries(schema["patternProperties"] as Record<string, Schema>)) {
        if (alwaysValid(sub)) continue;
        const k = c.local("k");
        statements.push(`for (const ${k} in ${VALUE}) {`, `  if (!${pattern(c, source)}.test(${k})) continue;`, ...each(c, `${VALUE}[${k}]`, sub), "}");
      }
      return { statements };
    },
    explain: "explain-applicator.js",
  },
  {
    keyword: "if",
    dialects: both,
    phase: "last",
    order: 6,
    prepare: (value, at, c) => c.schema(value, at),
    compile(schema, c) {
      const [then, otherwise] = [schema["then"] as Schema | undefined, schema["else"] as Schema | undefined];
      const hasThen = then !== undefined && !alwaysValid(then);
      const hasElse = otherwise !== undefined && !alwaysValid(otherwise);
      if (!hasThen && !hasElse) return undefined;
      const test = c.single(schema["if"] as Schema);
      if (!hasElse) return { conditions: [or([not(test), c.check(then!)])] };
      if (!hasThen) return { conditions: [or([test, c.check(otherwise!)])] };
      const source = (name: string) => returningFunction(name, `${place(test, "d")} ? ${place(c.check(then), "d")} : ${place(c.check(otherwise), "d")}`);
      return { conditions: [`${c.hoistFunction(`if ${test} then ${c.check(then)} else ${c.check(otherwise)}`, source)}(${VALUE})`] };
    },
    explain: "explain-applicator.js",
  },
  { keyword: "then", dialects: both, phase: "last", order: 6, prepare: (value, at, c) => c.schema(value, at), with: "if", explain: "explain-applicator.js" },
  { keyword: "else", dialects: both, phase: "last", order: 6, prepare: (value, at, c) => c.schema(value, at), with: "if", explain: "explain-applicator.js" },
  {
    keyword: "contains",
    dialects: both,
    phase: "array",
    order: 5,
    prepare: (value, at, c) => c.schema(value, at),
    compile(schema, c) {
      // Ajv2020 reads minContains and maxContains; draft-07 has neither (prepare drops them)
      const min = (schema["minContains"] as number | undefined) ?? 1;
      const max = schema["maxContains"] as number | undefined;
      if (max === undefined && min === 0) return undefined;
      if (max !== undefined && min > max) return { conditions: ["false"] };
      const item = schema["contains"] as Schema;
      if (alwaysValid(item)) return { conditions: [`${VALUE}.length >= ${min}`, ...(max === undefined ? [] : [`${VALUE}.length <= ${max}`])] };
      const check = c.check(item);
      const source = (name: string) =>
        [
          `function ${name}(d) {`,
          "  let count = 0;",
          "  for (let i = 0; i < d.length; i++) {",
          "    const v = d[i];",
          max === undefined
            ? `    ${when(place(check, "v"), `if (++count >= ${min}) return true;`)}`
            : `    ${when(place(check, "v"), `if (++count > ${max}) return false;`)}`,
          "  }",
          `  return count >= ${min};`,
          "}",
        ].join("\n");
      return { conditions: [`${c.hoistFunction(`contains ${min} ${max} ${check}`, source)}(${VALUE})`] };
    },
    explain: "explain-applicator.js",
  },
  {
    keyword: "propertyNames",
    dialects: both,
    phase: "object",
    order: 4,
    prepare: (value, at, c) => c.schema(value, at),
    compile(schema, c) {
      const names = schema["propertyNames"] as Schema;
      if (alwaysValid(names)) return undefined;
      const k = c.local("k");
      return { statements: [`for (const ${k} in ${VALUE}) ${when(not(place(c.check(names), k)), "return false;")}`] };
    },
    explain: "explain-applicator.js",
  },
  {
    keyword: "dependencies",
    dialects: both,
    phase: "object",
    order: 7,
    prepare(value, at, c) {
      if (!isPlainObject(value)) return c.refuse("dependencies that are not an object", at);
      // Ajv skips a dependency of "__proto__"
      return Object.fromEntries(
        Object.entries(value).filter(([k]) => k !== "__proto__").map(([k, v]) => [k, Array.isArray(v) ? requiredList(v, `${at}/${pointerSegment(k)}`, c) : c.schema(v, `${at}/${pointerSegment(k)}`)]),
      );
    },
    compile: (schema, c) => ({ conditions: dependencies(c, schema["dependencies"] as Record<string, Schema | string[]>) }),
    explain: "explain-applicator.js",
  },
  {
    keyword: "dependentSchemas",
    dialects: ["2020-12"],
    phase: "object",
    order: 10,
    prepare: map("dependentSchemas"),
    compile: (schema, c) => ({ conditions: dependencies(c, schema["dependentSchemas"] as Record<string, Schema>) }),
    explain: "explain-applicator.js",
  },
];

/** A list of property names, as required and the dependencies take it. */
export function requiredList(value: unknown, at: string, c: PrepareContext): unknown {
  const ok = Array.isArray(value) && value.every((v) => typeof v === "string") && new Set(value).size === value.length;
  return ok ? value : c.refuse("a list of property names", at);
}

/** For each property: when it is there, the properties it needs are there too, or the object passes its schema. */
export function dependencies(c: CompileContext, deps: Record<string, Schema | string[]>): string[] {
  const conditions: string[] = [];
  for (const [key, dep] of Object.entries(deps)) {
    const absent = `${member(VALUE, key)} === undefined`;
    if (Array.isArray(dep)) {
      if (dep.length > 0) conditions.push(or([absent, and(dep.map((name) => `${member(VALUE, name)} !== undefined`))]));
    } else if (!alwaysValid(dep)) conditions.push(or([absent, c.check(dep)]));
  }
  return conditions;
}

/** anyOf: a switch on the tag when the branches are tagged by a constant, else each branch, cheapest first. */
function anyOf(c: CompileContext, branches: Schema[]): string {
  if (branches.some(alwaysValid)) return "true";
  const checks = branches.map((b) => c.check(b));
  const tagged = dispatch(c, branches, checks);
  if (tagged !== undefined) return tagged;
  const cost = (check: string) => (check.includes("(") ? 1 : 0);
  return or([...checks].sort((a, b) => cost(a) - cost(b)));
}

/** What a schema says about one property of an object, for dispatching a union on it. */
interface Pins {
  required: Set<string>;
  values: Map<string, unknown[]>;
  objectOnly: boolean;
}

/**
 * A union of object schemas that each require a property and pin it to constants (Plain's
 * actors: "actorType": "user" | "system" | …) becomes a switch on that property: a branch
 * whose constant differs from the value cannot pass, so only the matching branches (and
 * any that pin nothing) are tried. Values that are not objects try every branch.
 */
function dispatch(c: CompileContext, branches: Schema[], checks: string[]): string | undefined {
  const pins = branches.map((b) => pinsOf(c.definitions, b, 0));
  const counts = new Map<string, number>();
  for (const pin of pins) {
    for (const key of pin.values.keys()) if (pin.required.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let tag: string | undefined;
  for (const [key, n] of counts) if (n >= 2 && (tag === undefined || n > counts.get(tag)!)) tag = key;
  if (tag === undefined) return undefined;
  const pinned = pins.map((p) => (p.required.has(tag!) ? p.values.get(tag!) : undefined));
  const loose = checks.filter((_, i) => pinned[i] === undefined);
  const cases = new Map<string, string[]>();
  pinned.forEach((values, i) => {
    for (const value of values ?? []) {
      const label = literal(value);
      if (!cases.has(label)) cases.set(label, []);
      if (!cases.get(label)!.includes(checks[i]!)) cases.get(label)!.push(checks[i]!);
    }
  });
  const objectsOnly = pins.every((p) => p.objectOnly);
  const d = (check: string) => place(check, "d");
  const object = isType("object", "d");
  // inside a case, a branch's own tests that the value is an object and has this tag hold
  const known = (label: string) => (check: string) =>
    and(splitTop(d(check), " && ").filter((c) => c !== object && c !== `${member("d", tag!)} === ${label}`).map(unwrapped));
  // the cases that return the same, together (in the order of their first)
  const bodies = new Map<string, string[]>();
  for (const [label, matching] of cases) {
    const body = either([...matching, ...loose].map(known(label)));
    bodies.set(body, [...(bodies.get(body) ?? []), label]);
  }
  const source = (name: string) =>
    [
      `function ${name}(d) {`,
      `  if (${object}) {`,
      `    switch (${member("d", tag!)}) {`,
      ...[...bodies].flatMap(([body, labels]) => [...labels.map((label) => `      case ${label}:`), `        ${returns(body)}`]),
      "      default:",
      `        ${returns(or(loose.map(d)))}`,
      "    }",
      "  }",
      `  ${returns(objectsOnly ? "false" : or(checks.map(d)))}`,
      "}",
    ].join("\n");
  return `${c.hoistFunction(`anyOf ${tag} ${checks.join(" | ")}`, source)}(${VALUE})`;
}

/** or(), but "true" when a branch always passes. */
const either = (checks: string[]): string => (checks.includes("true") ? "true" : or(checks));

/** The properties a schema requires and pins to constants, through $ref and allOf (all of which must hold). */
function pinsOf(definitions: Record<string, Schema>, schema: Schema, depth: number): Pins {
  const pins: Pins = { required: new Set(), values: new Map(), objectOnly: false };
  if (typeof schema !== "object" || depth > 32) return pins;
  const merge = (other: Pins) => {
    other.required.forEach((key) => pins.required.add(key));
    for (const [key, values] of other.values) {
      const mine = pins.values.get(key);
      pins.values.set(key, mine === undefined ? values : mine.filter((v) => values.includes(v)));
    }
    pins.objectOnly ||= other.objectOnly;
  };
  const types = typesOf(schema);
  pins.objectOnly = types.length === 1 && types[0] === "object";
  for (const key of (schema["required"] as string[] | undefined) ?? []) pins.required.add(key);
  for (const [key, sub] of Object.entries((schema["properties"] as Record<string, Schema> | undefined) ?? {})) {
    const values = pinnedValues(definitions, sub, depth + 1);
    if (values !== undefined) merge({ required: new Set(), values: new Map([[key, values]]), objectOnly: false });
  }
  if (typeof schema["$ref"] === "string") merge(pinsOf(definitions, definitions[(schema["$ref"] as string).slice(14)]!, depth + 1));
  for (const member of (schema["allOf"] as Schema[] | undefined) ?? []) merge(pinsOf(definitions, member, depth + 1));
  return pins;
}

/** The primitive values a schema allows, when it pins them with const or enum. */
function pinnedValues(definitions: Record<string, Schema>, schema: Schema, depth: number): unknown[] | undefined {
  if (typeof schema !== "object" || depth > 32) return undefined;
  const primitive = (v: unknown) => v === null || typeof v !== "object";
  if (schema["const"] !== undefined) return primitive(schema["const"]) ? [schema["const"]] : undefined;
  const values = schema["enum"];
  if (Array.isArray(values)) return values.every(primitive) ? values : undefined;
  const ref = refOnly(schema as SchemaObject);
  return ref === undefined ? undefined : pinnedValues(definitions, definitions[ref]!, depth + 1);
}

/** oneOf: exactly one branch passes (Ajv stops at the second). */
function oneOf(c: CompileContext, branches: Schema[]): string {
  const checks = branches.map((b) => c.check(b));
  const source = (name: string) =>
    [
      `function ${name}(d) {`,
      "  let passed = 0;",
      ...checks.map((check, i) => (i === 0 ? `  ${when(place(check, "d"), "passed++;")}` : `  ${when(and([place(check, "d"), "++passed > 1"]), "return false;")}`)),
      "  return passed === 1;",
      "}",
    ].join("\n");
  return `${c.hoistFunction(`oneOf ${checks.join(" | ")}`, source)}(${VALUE})`;
}
