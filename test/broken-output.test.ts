import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { pieceOf } from "../src/emit/types.js";
import { checkPiece, verifyOutput, verifyTypes } from "../src/emit/verify.js";
import { CodegenError } from "../src/errors.js";
import { repoRoot, run, snapshot, tempDir } from "./helpers.js";

/** A project whose catalogue holds one provider, "acme" (event name in a header), version v1, with these event schemas. */
async function project(schemas: Record<string, unknown>): Promise<string> {
  const dir = await tempDir("codegen-broken-");
  await mkdir(path.join(dir, "schemas/acme/v1"), { recursive: true });
  const manifest = { name: "acme", title: "Acme", event: { in: "header", name: "x-event" }, signing: { scheme: "standard-webhooks" } };
  await writeFile(path.join(dir, "schemas/acme/provider.json"), JSON.stringify(manifest));
  for (const [name, schema] of Object.entries(schemas)) await writeFile(path.join(dir, `schemas/acme/v1/${name}.schema.json`), JSON.stringify(schema));
  return dir;
}

/** Strict tsc over the files: its diagnostics, as text. */
function strictTsc(files: string[]): string[] {
  const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [] });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

async function generated(dir: string, file: string): Promise<string> {
  return readFile(path.join(dir, "generated/acme/v1", file), "utf8");
}

async function validator(dir: string, event = "ping"): Promise<(data: unknown) => boolean> {
  const module = (await import(pathToFileURL(path.join(dir, "generated/acme/v1/validators.js")).href)) as { validatorFor(name: string): (data: unknown) => boolean };
  return module.validatorFor(event);
}

const origin = { provider: "acme", version: "v1", source: "schemas/acme/v1" };

describe("nothing broken is written: every emitted file is checked first", () => {
  it("a validators.js that does not parse is an internal error naming the provider, version, file and function", async () => {
    const content = "function $v_Ping(d) {\n  return $f1(d);\n}\n\nfunction $f1(d) {\n  if (\n    typeof d === 'string') passed++\n) return false;\n}\n";
    const error = await verifyOutput([{ path: "acme/v1/validators.js", content }], [origin]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodegenError);
    const [problem] = (error as CodegenError).problems;
    expect(problem).toMatchObject({ code: "internal_error", file: "schemas/acme/v1" });
    expect(problem!.message).toMatch(/^internal error: the generated acme\/v1\/validators\.js \(provider acme, version v1\) does not parse: .*, in \$f1, part of the check of definition Ping$/);
    expect(problem!.hint).toMatch(/report it/);
  });

  it("a validators.js that throws when it loads is an internal error", async () => {
    const error = await verifyOutput([{ path: "acme/v1/validators.js", content: "export const a = new RegExp('(');\n" }], [origin]).catch((e: unknown) => e);
    expect((error as CodegenError).problems[0]!.message).toMatch(/validators\.js \(provider acme, version v1\) does not load: Invalid regular expression/);
  });

  it("a types.ts that refers to a type it does not declare is an internal error naming the type and the declaration using it", async () => {
    const content = "export type AcmeEvent = Ping;\n\nexport interface Ping {\n  at?: PingTimestamp;\n  tags?: Record<string, Tag>;\n}\n\nexport type Tag = string;\n";
    const error = await verifyOutput([{ path: "acme/v1/types.ts", content }], [origin]).catch((e: unknown) => e);
    expect((error as CodegenError).problems.map((p) => p.message)).toEqual([
      "internal error: the generated acme/v1/types.ts (provider acme, version v1) refers to the type PingTimestamp, which it never declares, in Ping",
    ]);
  });

  it("a .ts file that does not parse is an internal error", async () => {
    const error = await verifyOutput([{ path: "acme/index.ts", content: "export const a = {;\n" }], [origin]).catch((e: unknown) => e);
    expect((error as CodegenError).problems[0]!.message).toMatch(/^internal error: the generated acme\/index\.ts \(provider acme\) does not parse/);
  });

  it("good files pass, JSON files are not its business", async () => {
    await expect(
      verifyOutput(
        [
          { path: "acme/v1/types.ts", content: "import type { X } from './x.js';\nexport type A = X | B[];\nexport interface B { c: Record<string, A> }\n" },
          { path: "acme/v1/validators.js", content: "export function validate(data) { return typeof data === 'string'; }\n" },
          { path: "acme/v1/data.json", content: "{" },
        ],
        [origin],
      ),
    ).resolves.toBeUndefined();
  });

  it("from the command line: exit 2 with the internal error and the output folder as it was, or a module that loads (a long nullable string)", async () => {
    // the case of issue 12: the validators' long-line wrapping broke this module; whichever way it ends,
    // it never ends in a written module that does not load
    const dir = await project({ ping: { type: "object", properties: { name: { oneOf: [{ type: "string", minLength: 1, maxLength: 5000 }, { type: "null" }] } } } });
    await mkdir(path.join(dir, "generated"), { recursive: true });
    await writeFile(path.join(dir, "generated/keep.txt"), "mine\n");
    const before = await snapshot(path.join(dir, "generated"));
    const result = await run([], dir);
    if (result.code === 0) {
      const validate = await validator(dir);
      expect([validate({ name: "x" }), validate({ name: null }), validate({ name: "" }), validate({ name: 1 })]).toEqual([true, true, false, false]);
    } else {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^codegen: internal error \(please report it\); nothing was written\.\n/);
      expect(result.stderr).toMatch(/schemas\/acme\/v1: internal error: the generated acme\/v1\/validators\.js \(provider acme, version v1\) does not parse/);
      expect(await snapshot(path.join(dir, "generated"))).toEqual(before);
    }
  });
});

it("codegen validate: a module that would not load is the same internal error, or the payload is checked", async () => {
  const dir = await tempDir("codegen-broken-");
  await mkdir(path.join(dir, "schemas/acme/v1"), { recursive: true });
  const manifest = { name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" } };
  await writeFile(path.join(dir, "schemas/acme/provider.json"), JSON.stringify(manifest));
  const schema = { type: "object", properties: { type: { const: "ping" }, name: { oneOf: [{ type: "string", minLength: 1, maxLength: 5000 }, { type: "null" }] } }, required: ["type"] };
  await writeFile(path.join(dir, "schemas/acme/v1/ping.schema.json"), JSON.stringify(schema));
  await writeFile(path.join(dir, "payload.json"), JSON.stringify({ type: "ping", name: 3 }));
  const result = await run(["validate", "payload.json"], dir);
  if (result.code === 2) expect(result.stderr).toMatch(/internal error: the generated acme\/v1\/validators\.js \(provider acme, version v1\) does not parse/);
  else expect(result.code).toBe(1); // invalid: name is neither a string nor null
});

describe("the check in the generation worker (built)", () => {
  it("reports broken files as an internal error, checks good ones, and stays usable", async () => {
    const { startWorker } = (await import(pathToFileURL(path.join(repoRoot, "dist", "format.js")).href)) as typeof import("../src/format.js");
    const { CodegenError: BuiltError } = (await import(pathToFileURL(path.join(repoRoot, "dist", "errors.js")).href)) as typeof import("../src/errors.js");
    const worker = startWorker()!;
    try {
      const broken = worker.verify([{ path: "acme/v1/types.ts", content: "export type A = B;\n" }], [origin]);
      await expect(broken).rejects.toBeInstanceOf(BuiltError);
      await expect(broken).rejects.toThrow(/internal error: the generated acme\/v1\/types\.ts \(provider acme, version v1\) refers to the type B, which it never declares, in A/);
      await expect(worker.verify([{ path: "acme/v1/types.ts", content: "export type A = string;\n" }], [origin])).resolves.toBeUndefined();
      // the pieces of a types.ts: laid out and checked where they are made
      expect(await worker.piece("export type A = B", true)).toEqual({ text: "export type A = B;\n", check: { declared: ["A"], top: ["A"], used: [{ name: "B", in: "A" }], opensWithExport: true } });
      expect((await worker.piece("export type A = ;", false)).check).toMatchObject({ broken: expect.stringMatching(/^does not parse: /), in: "A" });
      const piece = await worker.declare("Ping", JSON.stringify({ type: "object", properties: { at: { type: "string" } } }), false, false, true);
      expect(piece.check).toEqual({ declared: ["Ping"], top: ["Ping"], used: [], opensWithExport: true });
    } finally {
      await worker.close();
    }
  });
});

describe("a types.ts is checked piece by piece, where each declaration is made (no whole-file parse at the end of a run)", () => {
  const banner = "// banner: generated\n";
  const check = (pieces: string[]) => Promise.all(pieces.map((piece) => checkPiece(piece)));
  const failures = async (pieces: string[]) => {
    const error = await check(pieces).then((checked) => verifyTypes("acme/v1/types.ts", origin, checked)).catch((e: unknown) => e);
    return error instanceof CodegenError ? error.problems.map((p) => p.message) : error;
  };
  const prefix = "internal error: the generated acme/v1/types.ts (provider acme, version v1)";

  it("pieces that parse, and declare every type another piece uses, pass", async () => {
    expect(await failures([banner, "export type AcmeEvent = Ping;\n", "export interface Ping {\n  tag?: Tag;\n  at: Date;\n}\n", "export type Tag = string;\n"])).toBeUndefined();
  });

  it("a piece that does not parse is an internal error naming the declaration", async () => {
    const messages = await failures([banner, "export type AcmeEvent = Ping;\n", "export interface Ping {\n  tag?: ;\n}\n"]);
    expect(messages).toEqual([expect.stringMatching(/^internal error: the generated acme\/v1\/types\.ts \(provider acme, version v1\) does not parse: .*, in Ping$/)]);
  });

  it("a type that no piece declares is an internal error naming the declaration using it", async () => {
    expect(await failures([banner, "export type AcmeEvent = Ping;\n", "export interface Ping {\n  tag?: Tag;\n}\n"])).toEqual([
      `${prefix} refers to the type Tag, which it never declares, in Ping`,
    ]);
  });

  it("a type two pieces declare is an internal error (babel-ts parses such a file whole without a word)", async () => {
    const pieces = [banner, "export type Ping = string;\n", "export type Ping = number;\n"];
    expect(await failures(pieces)).toEqual([`${prefix} declares the type Ping twice`]);
    await expect(verifyOutput([{ path: "acme/v1/types.ts", content: pieces.join("\n") }], [origin])).rejects.toThrow(/declares the type Ping twice/);
  });

  it("a piece after another that does not begin with an export is an internal error: it could continue the one before", async () => {
    // each parses alone; joined, `b` would tag the template
    expect(await failures([banner, "export const a = b\n", "`c`;\n"])).toEqual([`${prefix} holds a piece that does not begin with an export`]);
  });

  it("emitTypes checks the pieces it is given: a declaration that does not parse ends in the internal error, not in a file", async () => {
    const dir = await project({ ping: { type: "object", properties: { tag: { type: "string" } } } });
    const { loadCatalogue } = await import("../src/load/catalogue.js");
    const { buildModels } = await import("../src/model/build.js");
    const { emitTypes } = await import("../src/emit/types.js");
    const [model] = buildModels((await loadCatalogue(path.join(dir, "schemas"), { cwd: dir })).providers);
    const broken = () => pieceOf("export interface Ping {\n  tag?: ;\n}\n", true);
    const error = await emitTypes(model!, banner, true, new Map(), broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodegenError);
    expect((error as CodegenError).problems[0]).toMatchObject({ code: "internal_error", file: model!.source });
    expect((error as CodegenError).problems[0]!.message).toMatch(/acme\/v1\/types\.ts \(provider acme, version v1\) does not parse: .*, in Ping$/);
    // the same model with its own declarations passes
    expect((await emitTypes(model!, banner, true)).content).toContain("export interface Ping {");
  });
});

describe("a definition that allows any value is typed unknown", () => {
  it.each([
    ["true", true],
    ["{}", {}],
    ["a description only", { description: "Anything at all." }],
    ["allOf: [{}]", { allOf: [{}] }],
    ["anyOf with a {} branch", { anyOf: [{ type: "string", format: "date-time" }, { type: "string" }, {}] }],
    ["oneOf with a true branch", { oneOf: [true, { type: "null" }] }],
    ["a $ref to true", { $ref: "#/definitions/anything" }],
    ["allOf: [true] beside keywords no type expresses", { allOf: [true], not: { type: "null" }, minimum: 0 }],
  ])("%s", async (_, value) => {
    const dir = await project({
      ping: { type: "object", properties: { value: { $ref: "#/definitions/value" } }, required: ["value"], definitions: { value, anything: true } },
    });
    const result = await run([], dir);
    expect(result.stderr).toBe("");
    const types = await generated(dir, "types.ts");
    expect(types).toMatch(/export type Value = unknown;/);
    expect(strictTsc([path.join(dir, "generated/acme/v1/types.ts")])).toEqual([]);
    const validate = await validator(dir);
    expect([validate({ value: 1 }), validate({ value: "x" }), validate({})]).toEqual([true, true, false]);
  });

  it("false is never", async () => {
    const dir = await project({ ping: { type: "object", properties: { gone: { $ref: "#/definitions/gone" } }, definitions: { gone: false } } });
    expect((await run([], dir)).stderr).toBe("");
    expect(await generated(dir, "types.ts")).toMatch(/export type Gone = never;/);
  });

  it("Plain's threadMessageInfo.timestamp of 2024-03-12 and 2024-04-18 (anyOf: date-time string, string, {}): types.ts passes strict tsc", async () => {
    // the shape of the two published revisions (not in ../shared/corpus), as a bundle of Plain's kind
    const dir = await project({
      ping: {
        type: "object",
        properties: { threadMessageInfo: { $ref: "#/definitions/threadMessageInfo" } },
        definitions: {
          threadMessageInfo: {
            type: "object",
            properties: { timestamp: { anyOf: [{ type: "string", format: "date-time" }, { type: "string" }, {}] }, messageSource: { type: "string" } },
            required: ["timestamp", "messageSource"],
            additionalProperties: false,
          },
        },
      },
    });
    expect((await run([], dir)).stderr).toBe("");
    expect(strictTsc([path.join(dir, "generated/acme/v1/types.ts")])).toEqual([]);
  });
});

describe("schemas that crashed the generator end in a correct module or a problem", () => {
  it("enum: [] is a schema nothing matches: the property is never in the types, and the validator rejects any value with Ajv's enum error", async () => {
    const dir = await project({ ping: { type: "object", properties: { kind: { enum: [] } } } });
    const result = await run([], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(await generated(dir, "types.ts")).toContain("kind?: never;");
    expect(strictTsc([path.join(dir, "generated/acme/v1/types.ts")])).toEqual([]);
    const validate = await validator(dir);
    expect([validate({}), validate({ kind: "a" }), validate({ kind: null })]).toEqual([true, false, false]);
    const { validateEvent } = await import(pathToFileURL(path.join(dir, "generated/acme/v1/validators.js")).href);
    expect(validateEvent({ kind: 1 }, "ping").errors).toMatchObject([{ path: "/kind", keyword: "enum" }]);
  });

  it.each([
    ["an enum", { enum: [{ $ref: "#/definitions/missing" }, "plain", 2] }, '{ $ref: "#/definitions/missing" } | "plain" | 2'],
    ["a const", { const: { $ref: "#/definitions/missing", n: [1, null] } }, '{ $ref: "#/definitions/missing"; n: [1, null] }'],
  ])("%s value that is an object with a \"$ref\" key is data: a literal type, and the validator compares it", async (_, schema, type) => {
    const dir = await project({ ping: { type: "object", properties: { value: schema }, default: { $ref: "#/nowhere" }, examples: [{ $ref: "#/nowhere" }] } });
    const result = await run([], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(await generated(dir, "types.ts")).toContain(`value?: ${type};`);
    expect(strictTsc([path.join(dir, "generated/acme/v1/types.ts")])).toEqual([]);
    const validate = await validator(dir);
    const value = "const" in schema ? schema.const : schema.enum[0];
    expect([validate({ value }), validate({ value: { $ref: "#/other" } })]).toEqual([true, false]);
  });

  it("a property named hasOwnProperty (and one in an enum's object) is typed and validated", async () => {
    const dir = await project({
      ping: { type: "object", properties: { hasOwnProperty: { type: "string" }, other: { const: { hasOwnProperty: 1 } } }, required: ["hasOwnProperty"] },
    });
    const result = await run([], dir);
    expect(result.stderr).toBe("");
    const types = await generated(dir, "types.ts");
    expect(types).toContain("hasOwnProperty: string;");
    expect(types).toContain("other?: { hasOwnProperty: 1 };");
    expect(types).not.toContain("codegenKey");
    expect(strictTsc([path.join(dir, "generated/acme/v1/types.ts")])).toEqual([]);
    const validate = await validator(dir);
    expect([validate({ hasOwnProperty: "x" }), validate({}), validate({ hasOwnProperty: 1 })]).toEqual([true, false, false]);
  });

  it("json-schema-to-typescript's own keywords in a schema are not obeyed", async () => {
    const dir = await project({ ping: { type: "object", properties: { a: { type: "string", tsType: "any" }, b: { type: "integer", tsEnumNames: ["X"] } } } });
    // removed when the catalogue is loaded, a warning each (load/extensions.ts); types.ts never sees them
    expect((await run([], dir)).stderr).toMatch(/tsType" removed[^]*tsEnumNames" removed/);
    const types = await generated(dir, "types.ts");
    expect(types).toContain("a?: string;");
    expect(types).toContain("b?: number;");
  });
});
