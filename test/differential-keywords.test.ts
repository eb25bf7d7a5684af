import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { ajvKeywords, compiledKeywords } from "../src/emit/validators/index.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels } from "../src/model/build.js";
import { compareWithAjv, perEvent } from "./differential.js";
import { repoRoot, tempDir } from "./helpers.js";

// The catalogue and the corpus use a dozen keywords; the compiler implements more. This
// "kitchen sink" catalogue uses every one of them (and booleans, type lists, $ref beside
// other keywords, recursion, tagged and untagged unions), in both dialects, and goes through
// the same differential comparison with Ajv.
const draft07 = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["type", "id"],
  properties: {
    type: { const: "everything" },
    id: { type: "string", pattern: "^[a-z]+_[0-9A-F]{4,6}$", minLength: 3, maxLength: 12 },
    code: { type: "string", pattern: "^#([a-f0-9]{3}|[a-f0-9]{6})$" },
    count: { type: "integer", minimum: 0, maximum: 100, exclusiveMaximum: 99 },
    ratio: { type: "number", exclusiveMinimum: 0, format: "double" },
    big: { type: "integer", format: "int32" },
    when: { type: ["string", "null"], format: "date-time" },
    day: { type: "string", format: "date" },
    link: { format: "uri" },
    mail: { type: "string", format: "email" },
    uuid: { type: "string", format: "uuid" },
    emoji: { type: "string", minLength: 2, maxLength: 3 },
    tags: { type: "array", items: { type: "string", enum: ["a", "b", "c"] }, minItems: 1, maxItems: 3 },
    pair: { type: "array", items: [{ type: "string" }, { type: "number" }], additionalItems: false },
    triple: { items: [{ const: 1 }, true, { type: "boolean" }], additionalItems: { type: "string" } },
    shape: { oneOf: [{ $ref: "#/definitions/circle" }, { $ref: "#/definitions/square" }, { type: "object", required: ["sides"] }] },
    kind: { anyOf: [{ $ref: "#/definitions/circle" }, { $ref: "#/definitions/square" }, { type: "string" }] },
    notString: { not: { type: "string" } },
    notAnything: { not: {} },
    map: {
      type: "object",
      patternProperties: { "^x-": { type: "integer" }, "^y": { type: "string" } },
      additionalProperties: { type: "boolean" },
      minProperties: 1,
      maxProperties: 4,
    },
    closed: { type: "object", properties: { a: {}, b: true, "c/d~e": { type: "string" } }, additionalProperties: false },
    never: false,
    anything: true,
    constObject: { const: { a: [1, 2] } },
    enumMixed: { enum: [1, "1", null, { x: 1 }, [1]] },
    withRef: { $ref: "#/definitions/circle", required: ["extra"], properties: { extra: { type: "boolean" } } },
    all: { allOf: [{ type: "object" }, { required: ["a"] }, { properties: { a: { type: "integer" } } }] },
    multi: { type: ["integer", "string", "array"], minLength: 2, minimum: 3, minItems: 1 },
    alwaysAny: { anyOf: [{ type: "string" }, {}] },
    typedEnum: { type: "string", minLength: 2, enum: ["ab", "c", 3] },
    nested: { $ref: "#/definitions/node" },
    // names every object inherits: only a payload's own property counts
    constructor: { type: "string" },
    toString: { type: "integer" },
    // the short forms of the schemas the second pass reads: an enum the first pass holds as a
    // Set, a pattern it holds as a RegExp
    // (and one with a "/", which reads back escaped), "required" naming every property in
    // order (and in another order), and repeated subschemas written once
    manyStates: { type: "string", enum: ["q", "r", "s", "t", "u", "v", "w", "x"] },
    apiPath: { type: "string", pattern: "^/api/[a-z]+$" },
    everyField: { type: "object", properties: { a: { type: "integer" }, b: { type: "string", minLength: 3 } }, required: ["a", "b"] },
    everyFieldReordered: { type: "object", properties: { a: { type: "integer" }, b: { type: "string", minLength: 3 } }, required: ["b", "a"] },
    // the keywords the compiler added for issue 12
    cents: { type: "number", multipleOf: 0.01 },
    even: { multipleOf: 2, minimum: 0 },
    conditional: {
      if: { type: "object", required: ["kind"], properties: { kind: { const: "circle" } } },
      then: { required: ["r"], properties: { r: { type: "number" } } },
      else: { required: ["side"] },
    },
    onlyThen: { if: { type: "string" }, then: { minLength: 2 } },
    onlyElse: { if: { type: "string" }, else: { type: "integer", maximum: 5 } },
    hasString: { type: "array", contains: { type: "string", minLength: 1 } },
    hasAnything: { contains: true },
    distinct: { type: "array", uniqueItems: true },
    distinctNumbers: { type: "array", items: { type: ["number", "string"] }, uniqueItems: true },
    distinctObjects: { items: { type: "object" }, uniqueItems: true },
    names: { type: "object", propertyNames: { pattern: "^[a-z]+$", maxLength: 6 } },
    namesRef: { propertyNames: { $ref: "#/definitions/shortName" } },
    maybe: { type: "string", nullable: true, minLength: 2 },
    maybeList: { type: ["integer", "string"], nullable: true },
    deps: { dependencies: { a: ["b", "c"], b: { required: ["x"], properties: { x: { type: "integer" } } }, e: [], "c/d": ["toString"] } },
  },
  definitions: {
    shortName: { type: "string", maxLength: 3 },
    circle: { type: "object", required: ["kind", "r"], properties: { kind: { const: "circle" }, r: { type: "number", minimum: 0 } } },
    square: { type: "object", required: ["kind", "side"], properties: { kind: { enum: ["square", "box"] }, side: { type: "number" } } },
    node: { type: "object", properties: { children: { type: "array", items: { $ref: "#/definitions/node" } }, value: { type: "string", minLength: 1 } } },
  },
};

const sample = {
  type: "everything",
  id: "abc_12AB",
  code: "#a0f",
  count: 98,
  ratio: 0.5,
  big: 2147483647,
  when: "2024-02-29T23:59:59.5+01:00",
  day: "2024-02-29",
  link: "https://example.com/a?b#c",
  mail: "a@example.com",
  uuid: "123e4567-e89b-12d3-a456-426614174000",
  emoji: "😀😀",
  tags: ["a", "c"],
  pair: ["x", 1],
  triple: [1, null, true, "more"],
  shape: { kind: "circle", r: 1 },
  kind: { kind: "box", side: 2 },
  notString: 5,
  map: { "x-a": 1, yes: "y", other: true },
  closed: { a: 1, "c/d~e": "x" },
  anything: [1, { a: 2 }],
  constObject: { a: [1, 2] },
  enumMixed: { x: 1 },
  withRef: { kind: "circle", r: 2, extra: false },
  all: { a: 3 },
  multi: "ab",
  alwaysAny: 4,
  typedEnum: "ab",
  nested: { value: "root", children: [{ value: "leaf", children: [] }, {}] },
  toString: 3,
  manyStates: "t",
  apiPath: "/api/users",
  everyField: { a: 1, b: "abc" },
  everyFieldReordered: { a: 1, b: "abc" },
  cents: 10.25,
  even: 4,
  conditional: { kind: "circle", r: 2 },
  onlyThen: "ab",
  onlyElse: 3,
  hasString: [1, "a", null],
  hasAnything: [1],
  distinct: [1, "1", [1], { a: 1 }, true],
  distinctNumbers: [1, "1", 2, "x"],
  distinctObjects: [{ a: 1 }, { a: 2 }],
  names: { abc: 1, de: [2, 2] },
  namesRef: { ab: 1 },
  maybe: null,
  maybeList: "x",
  deps: { a: 1, b: { x: 1 }, c: 2, x: 3, "c/d": 1, toString: 2 },
};

const draft2020 = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["type"],
  properties: {
    type: { const: "modern" },
    list: { type: "array", items: { $ref: "#/$defs/item" }, maxItems: 2 },
    name: { type: "string", minLength: 1 },
  },
  additionalProperties: false,
  $defs: { item: { type: "object", required: ["n"], properties: { n: { type: "integer" } }, additionalProperties: false } },
};
Object.assign(draft2020.properties, {
  tuple: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false },
  head: { prefixItems: [{ const: "h" }], items: { type: "number" } },
  someStrings: { contains: { type: "string" }, minContains: 2, maxContains: 3 },
  atMostOne: { contains: { type: "string" }, maxContains: 1 },
  optional: { contains: { type: "string" }, minContains: 0, maxContains: 1 },
  impossible: { contains: { type: "string" }, minContains: 3, maxContains: 2 },
  counted: { contains: true, minContains: 2 },
  requires: { dependentRequired: { a: ["b"], c: ["a", "b"] }, dependentSchemas: { a: { properties: { b: { type: "string" } } }, d: false } },
  unique: { type: "array", prefixItems: [{ type: "integer" }], uniqueItems: true },
  steps: { type: "number", multipleOf: 0.5 },
  // unevaluated*: where Ajv follows the specification (a failing "if" whose properties Ajv
  // counts as evaluated, and "contains" that Ajv takes as evaluating every item, are left out:
  // there the compiler follows the official suite and Ajv does not)
  closedAllOf: { allOf: [{ properties: { a: { type: "string" } } }], properties: { b: { type: "integer" } }, unevaluatedProperties: false },
  union: {
    anyOf: [{ properties: { x: { const: 1 } }, required: ["x"] }, { properties: { y: { type: "string" } }, required: ["y"] }],
    unevaluatedProperties: { type: "boolean" },
  },
  extended: { $ref: "#/$defs/base", properties: { name: { type: "string" } }, unevaluatedProperties: false },
  prefixed: { type: "object", patternProperties: { "^x-": true }, dependentSchemas: { a: { properties: { a: true, b: true } } }, unevaluatedProperties: false },
  branching: {
    if: { properties: { k: { const: "a" } }, required: ["k"] },
    then: { properties: { a: { type: "number" } } },
    else: { properties: { k: true, b: {} } },
    unevaluatedProperties: false,
  },
  nestedClosed: { allOf: [{ properties: { a: true }, unevaluatedProperties: { type: "integer" } }], unevaluatedProperties: false },
  pairThenInts: { prefixItems: [{ type: "string" }, true], unevaluatedItems: { type: "integer" } },
  allOfItems: { allOf: [{ prefixItems: [true, true] }], anyOf: [{ prefixItems: [true, true, { const: 3 }] }, true], unevaluatedItems: false },
});
(draft2020.$defs as Record<string, unknown>)["base"] = { type: "object", properties: { id: { type: "string" } } };
delete (draft2020 as { additionalProperties?: unknown }).additionalProperties;

/**
 * Ajv's own miss, left out of the comparison: where it tracks evaluated properties at run
 * time (through anyOf, if/then/else, dependentSchemas), it looks names up in a plain object,
 * so an unevaluated property named like one every object inherits ("constructor",
 * "toString") counts as evaluated. The compiler reports it, as the specification says.
 */
function ajvInheritedNames(payload: unknown): boolean {
  const dynamic = ["union", "prefixed", "branching", "closedAllOf", "nestedClosed", "extended"];
  const root = payload as Record<string, unknown> | null;
  if (root === null || typeof root !== "object") return false;
  return dynamic.some((name) => {
    const value = Object.prototype.hasOwnProperty.call(root, name) ? root[name] : undefined;
    return value !== null && typeof value === "object" && Object.keys(value).some((key) => key in Object.prototype);
  });
}

async function sink(): Promise<string> {
  const dir = await tempDir("codegen-sink-");
  const write = async (file: string, value: unknown) => {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), JSON.stringify(value, null, 2));
  };
  await write("sink/provider.json", { name: "sink", title: "Sink", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" } });
  await write("sink/v07/everything.schema.json", draft07);
  await write("sink/v07/examples/everything.json", sample);
  await write("sink/v07/examples/everything.small.json", { type: "everything", id: "ab_FFFF" });
  await write("sink/v2020/modern.schema.json", draft2020);
  await write("sink/v2020/examples/modern.json", {
    type: "modern",
    list: [{ n: 1 }],
    name: "x",
    tuple: ["a", 1],
    head: ["h", 1, 2.5],
    someStrings: ["a", 1, "b"],
    atMostOne: [1, "a"],
    optional: [],
    counted: [1, 2],
    requires: { a: 1, b: "x" },
    unique: [1, 2, "1"],
    steps: 2.5,
    closedAllOf: { a: "x", b: 1 },
    union: { x: 1, y: "y", z: true },
    extended: { id: "i", name: "n" },
    prefixed: { "x-a": 1, a: 1, b: 2 },
    branching: { k: "b", b: 1 },
    nestedClosed: { a: 1, c: 2 },
    pairThenInts: ["a", null, 1, 2],
    allOfItems: [1, 2, 3],
  });
  return dir;
}

const models = buildModels((await loadCatalogue(await sink(), { cwd: repoRoot })).providers);

describe("differential: every keyword the compiler implements", () => {
  it.each(models.map((model) => [model.version, model] as const))(`%s is compiled by us and agrees with Ajv on ${perEvent} payloads`, async (_, model) => {
    const { report, disagreements } = await compareWithAjv(model, [], { exclude: ajvInheritedNames });
    expect(disagreements).toEqual([]);
    expect(report).toHaveLength(1);
  });
});

describe("the compiler's view of Ajv", () => {
  it.each([
    ["draft-07", new Ajv({ strict: false })],
    ["2020-12", new Ajv2020({ strict: false })],
  ] as const)("knows every keyword Ajv %s evaluates, and evaluates them in Ajv's order", (dialect, ajv) => {
    expect([...ajvKeywords[dialect]].sort()).toEqual(Object.keys(ajv.RULES.all).sort());
    // the order the second pass reports errors in (templates/runtime/explain.js)
    const order = ajv.RULES.rules.map((group) => group.rules.map((rule) => rule.keyword).filter((k) => compiledKeywords.has(k) && !["$comment", "$dynamicAnchor", "$recursiveAnchor"].includes(k)));
    expect(order).toEqual([
      ["id", "$ref", "type", "nullable", "const", "enum", "not", "anyOf", "oneOf", "allOf", "if", "then", "else"],
      ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf", "format"],
      ["maxLength", "minLength", "pattern", "format"],
      dialect === "draft-07"
        ? ["maxItems", "minItems", "additionalItems", "items", "contains", "uniqueItems"]
        : ["maxItems", "minItems", "prefixItems", "items", "contains", "uniqueItems", "maxContains", "minContains", "unevaluatedItems"],
      [
        "maxProperties", "minProperties", "required", "propertyNames", "additionalProperties", "dependencies", "properties", "patternProperties",
        ...(dialect === "draft-07" ? [] : ["dependentRequired", "dependentSchemas", "unevaluatedProperties"]),
      ],
    ]);
  });
});
