import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { CodegenError } from "../src/errors.js";
import { validatorModule } from "../src/emit/validators/index.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels, type VersionModel } from "../src/model/build.js";
import { repoRoot, tempDir } from "./helpers.js";

/** The model of a one-event catalogue version whose event is `schema` (the event name travels in a header). */
export async function modelOf(schema: unknown): Promise<VersionModel> {
  const dir = await tempDir("codegen-compiler-");
  await mkdir(path.join(dir, "one/v1"), { recursive: true });
  await writeFile(
    path.join(dir, "one/provider.json"),
    JSON.stringify({ name: "one", title: "One", event: { in: "header", name: "x-event" }, signing: { scheme: "standard-webhooks" } }),
  );
  await writeFile(path.join(dir, "one/v1/case.schema.json"), JSON.stringify(schema));
  const [model] = buildModels((await loadCatalogue(dir, { cwd: repoRoot })).providers);
  return model!;
}

interface Module {
  eventNames: readonly string[];
  validatorFor(name: string): ((data: unknown) => boolean) | undefined;
}

/** The emitted validators.js of that version, imported. */
export async function moduleOf(schema: unknown): Promise<Module> {
  const model = await modelOf(schema);
  const file = path.join(await tempDir("codegen-compiler-"), "validators.js");
  await writeFile(file, validatorModule(model));
  return (await import(pathToFileURL(file).href)) as Module;
}

describe("the compiler's layout", () => {
  it("wraps a long first oneOf branch into code that parses (a nullable string with limits)", async () => {
    const module = await moduleOf({ oneOf: [{ type: "string", minLength: 1, maxLength: 5000 }, { type: "null" }] });
    const validate = module.validatorFor(module.eventNames[0]!)!;
    expect([validate("abc"), validate(null), validate(""), validate(5)]).toEqual([true, true, false, false]);
  });
});

describe("what the compiler cannot take", () => {
  it("is a problem naming the file and the pointer, never a fallback to other code", async () => {
    const model = await modelOf({ type: "object", properties: { a: { nullable: true }, b: { id: "x", type: "string" } } });
    let error: unknown;
    try {
      validatorModule(model);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CodegenError);
    const problems = (error as CodegenError).problems.map((p) => ({ file: path.basename(p.file), pointer: p.pointer, code: p.code }));
    // (draft-04's "id", which Ajv refuses, never reaches the compiler: loading removes it with a
    // warning, as it is a keyword json-schema-to-typescript would obey; see load/extensions.ts)
    expect(problems).toEqual([{ file: "case.schema.json", pointer: "/properties/a/nullable", code: "unsupported" }]);
    expect((error as CodegenError).message).toMatch(/case\.schema\.json#\/properties\/a\/nullable: the validators cannot check nullable without a type/);
  });

  it("takes OpenAPI's nullable beside a type as Ajv does", async () => {
    const module = await moduleOf({ type: "object", properties: { a: { type: "string", nullable: true }, b: { type: ["integer", "boolean"], nullable: true } } });
    const validate = module.validatorFor(module.eventNames[0]!)!;
    expect([validate({ a: null, b: null }), validate({ a: "x", b: 1 }), validate({ a: 1 }), validate({ b: "x" })]).toEqual([true, true, false, false]);
  });
});

describe("formats beyond ajv-formats'", () => {
  it("are asserted in draft-07, and in 2020-12 left as annotations (as Ajv, which does not have them)", async () => {
    const schema = { type: "object", properties: { mail: { type: "string", format: "idn-email" } } };
    const draft07 = await moduleOf({ $schema: "http://json-schema.org/draft-07/schema#", ...schema });
    const draft2020 = await moduleOf({ $schema: "https://json-schema.org/draft/2020-12/schema", ...schema });
    const [old, modern] = [draft07.validatorFor(draft07.eventNames[0]!)!, draft2020.validatorFor(draft2020.eventNames[0]!)!];
    expect([old({ mail: "실례@실례.테스트" }), old({ mail: "2962" })]).toEqual([true, false]);
    expect([modern({ mail: "실례@실례.테스트" }), modern({ mail: "2962" })]).toEqual([true, true]);
  });
});

describe("unevaluatedProperties and unevaluatedItems as the specification defines them (past Ajv)", () => {
  const draft = "https://json-schema.org/draft/2020-12/schema";
  it("counts the properties of an if only when it passes", async () => {
    const module = await moduleOf({
      $schema: draft,
      if: { properties: { foo: { const: "then" } }, required: ["foo"] },
      then: { properties: { bar: { type: "string" } }, required: ["bar"] },
      else: { properties: { baz: { type: "string" } }, required: ["baz"] },
      unevaluatedProperties: false,
    });
    const validate = module.validatorFor(module.eventNames[0]!)!;
    // "foo" is evaluated by the if that passes; when it fails, nothing else evaluates it
    expect([validate({ foo: "then", bar: "bar" }), validate({ foo: "else", baz: "baz" }), validate({ baz: "baz" })]).toEqual([true, false, true]);
  });

  it("counts the items contains matched, not every item", async () => {
    const module = await moduleOf({ $schema: draft, prefixItems: [true], contains: { type: "string" }, unevaluatedItems: false });
    const validate = module.validatorFor(module.eventNames[0]!)!;
    expect([validate([1, "foo"]), validate([1, "foo", "bar"]), validate([1, "foo", 2])]).toEqual([true, true, false]);
  });

  it("sees through $ref, allOf, the anyOf branches that pass, and dependentSchemas", async () => {
    const module = await moduleOf({
      $schema: draft,
      $defs: { base: { properties: { id: { type: "string" } } } },
      $ref: "#/$defs/base",
      allOf: [{ properties: { a: true } }],
      anyOf: [{ properties: { b: { const: 1 } }, required: ["b"] }, { properties: { c: true }, required: ["c"] }],
      dependentSchemas: { d: { properties: { d: true, e: true } } },
      unevaluatedProperties: false,
    });
    const validate = module.validatorFor(module.eventNames[0]!)!;
    expect([
      validate({ id: "x", a: 1, b: 1 }),
      validate({ b: 1, c: 2 }),
      validate({ b: 2, c: 2 }), // b's branch fails: b is not evaluated
      validate({ c: 1, d: 1, e: 1 }),
      validate({ c: 1, e: 1 }), // e only with d
    ]).toEqual([true, true, false, true, false]);
  });
});

describe("the emitted code, written short", () => {
  /** The text of the function that starts where `pattern` first matches in a module's source. */
  const functionText = (source: string, pattern: RegExp): string => {
    const start = source.search(pattern);
    return source.slice(start, source.indexOf("\n}\n", start) + 2);
  };

  it("tests in each case of a tagged union only what the tag leaves open, cases that return the same together", async () => {
    const branch = (kind: string, properties: Record<string, unknown> = {}) => ({
      type: "object",
      properties: { kind: { const: kind }, ...properties },
      required: ["kind", ...Object.keys(properties)],
    });
    const schema = { anyOf: [branch("a"), branch("b", { at: { type: "string" } }), branch("c"), branch("d", { n: { type: "integer" } })] };
    const source = validatorModule(await modelOf(schema));
    const union = functionText(source, /function \$f\d+\(d\) \{\n {2}if \(\$isObject\(d\)\) \{\n {4}switch \(d\.kind\)/);
    expect(union).toContain(['      case "a":', '      case "c":', "        return true;"].join("\n"));
    expect(union).toContain(['      case "b":', '        return typeof d.at == "string";'].join("\n"));
    expect(union).not.toMatch(/case [^\n]*\n\s+return [^\n]*(\$isObject\(d\)|d\.kind ===)/);
    const module = await moduleOf(schema);
    const validate = module.validatorFor(module.eventNames[0]!)!;
    expect([validate({ kind: "a" }), validate({ kind: "c" }), validate({ kind: "b", at: "x" }), validate({ kind: "b" }), validate({ kind: "d", n: 1.5 }), validate({ kind: "e" }), validate([])]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it("reads an item or a property value into a local only when its check reads it more than once", async () => {
    const schema = {
      type: "object",
      properties: { list: { type: "array", items: { type: "string" } }, pairs: { type: "array", items: { type: "integer", minimum: 1 } } },
      additionalProperties: { type: "array", items: { type: "boolean" } },
    };
    const source = validatorModule(await modelOf(schema));
    expect(source).toContain('if (!(typeof d[i1] == "string")) return false;');
    expect(source).toMatch(/const v\d+ = d\[i\d+\];\n\s+if \(!\(typeof v\d+ == "number" && !\(v\d+ % 1\)/);
    const module = await moduleOf(schema);
    const validate = module.validatorFor(module.eventNames[0]!)!;
    expect([validate({ list: ["x"], pairs: [1, 2] }), validate({ list: [1] }), validate({ pairs: [0] }), validate({ other: [true] }), validate({ other: ["x"] })]).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
  });

  it("carries the second pass's explainers of the keywords its schemas are written with, not of one left out (additionalProperties: true)", async () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, additionalProperties: true, required: ["a"] };
    const source = validatorModule(await modelOf(schema));
    expect(source).toContain("function $x_properties(");
    expect(source).not.toContain("$x_additionalProperties");
    expect(source).not.toMatch(/const \$groups = [^\n]*additionalProperties/); // nor in Ajv's rule lists
    const strict = validatorModule(await modelOf({ ...schema, additionalProperties: false }));
    expect(strict).toContain("function $x_additionalProperties(");
  });

  it("writes a required list of all the properties but a few, in order, as those few; the errors stay Ajv's", async () => {
    const names = ["alpha", "bravo", "charlie", "delta", "echo"];
    const schema = { type: "object", properties: Object.fromEntries(names.map((n) => [n, { type: "string" }])), required: ["alpha", "bravo", "charlie", "echo"] };
    const source = validatorModule(await modelOf(schema));
    expect(source).toContain('"required":{"allBut":["delta"]}');
    const module = await moduleOf(schema);
    const validate = module.validatorFor(module.eventNames[0]!)! as ((data: unknown) => boolean) & { errors?: { params: { missingProperty?: string } }[] | null };
    expect(validate({ bravo: "x" })).toBe(false);
    expect(validate.errors!.map((e) => e.params.missingProperty)).toEqual(["alpha", "charlie", "echo"]);
    // out of the properties' order: written as it is
    expect(validatorModule(await modelOf({ ...schema, required: ["bravo", "alpha", "charlie", "echo"] }))).toContain('"required":["bravo","alpha","charlie","echo"]');
  });

  it("tests what two parts of a schema both test once (allOf of two string schemas: the type once)", async () => {
    const schema = { allOf: [{ type: "string" }, { type: "string", pattern: "^a" }] };
    const source = validatorModule(await modelOf(schema));
    expect(source).toMatch(/return typeof d == "string" && \$pattern\d+\.test\(d\);/);
    const module = await moduleOf(schema);
    const validate = module.validatorFor(module.eventNames[0]!)!;
    expect([validate("ab"), validate("b"), validate(1)]).toEqual([true, false, false]);
  });

  it("writes each subschema that occurs twice once in $shared, inner ones first; one check for schemas equal but for key order, each written as it is", async () => {
    const properties = { p: { type: "string" }, q: { type: "integer" }, r: { type: "boolean" }, s: { type: "number" }, t: { type: "null" } };
    const inner = { type: "object", properties, required: ["p"] };
    const reordered = { required: ["p"], properties, type: "object" };
    const outer = { type: "object", properties: { x: inner, y: inner } };
    // (a property named __proto__ is a property like any other)
    const schema = JSON.parse(
      `{"type":"object","properties":{"a":${JSON.stringify(outer)},"b":${JSON.stringify(outer)},"c":${JSON.stringify(reordered)},"__proto__":${JSON.stringify(reordered)}},"dependencies":{"a":["b"],"c":{"required":["d"]}}}`,
    ) as unknown;
    const source = validatorModule(await modelOf(schema));
    const written = (json: string) => `'${json}'`;
    expect(source).toContain(
      `Case: [$v_Case, ${written('{"type":"object","properties":{"a":2,"b":2,"c":3,"__proto__":3},"dependencies":{"a":["b"],"c":{"required":["d"]}}}')}],`,
    );
    const rest = '"properties":{"p":{"type":"string"},"q":0,"r":{"type":"boolean"},"s":{"type":"number"},"t":{"type":"null"}}';
    const shared = [
      '{"$check":"$f1","type":"integer"}',
      `{"$check":"$f2","type":"object",${rest},"required":["p"]}`,
      '{"$check":"$f3","type":"object","properties":{"x":1,"y":1}}',
      `{"$check":"$f2","required":["p"],${rest},"type":"object"}`,
    ];
    expect(source).toContain(`const $shared = [\n${shared.map((json) => `  ${written(json)},\n`).join("")}];`);
    const module = await moduleOf(schema);
    const validate = module.validatorFor(module.eventNames[0]!)! as ((data: unknown) => boolean) & { errors?: { instancePath: string }[] | null };
    const good = { p: "x", q: 1 };
    expect(validate(JSON.parse(`{"a":{"x":${JSON.stringify(good)}},"b":{},"__proto__":${JSON.stringify(good)}}`))).toBe(true);
    expect(validate(JSON.parse(`{"a":{"y":{"q":1.5}},"b":{},"c":{"p":"x"},"d":1,"__proto__":{"p":1}}`))).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(["/a/y", "/a/y/q", "/__proto__/p"]);
  });
});
