import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { stripTypeGeneratorKeywords } from "../src/load/extensions.js";
import { repoRoot, run, snapshot, tempDir } from "./helpers.js";

/**
 * A schema is input, not code: json-schema-to-typescript's own keywords (tsType, tsEnumNames,
 * and draft-03's extends, which it still honours) are removed when the catalogue is loaded,
 * with a warning naming each, and nothing from a schema or a file name reaches generated code
 * other than as a string literal or a registered identifier.
 */
const injected = "export const pwned = 1";
const tsTypeCode = `string; ${injected}; type Z = number`;

const manifest = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" }, ...extra });

const event = (name: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  type: "object",
  properties: { type: { const: name }, ...properties },
  required: ["type"],
  ...extra,
});

async function acme(schemas: Record<string, unknown>, files: Record<string, unknown> = {}, provider = manifest()): Promise<string> {
  const project = await tempDir("codegen-schema-code-");
  const version = path.join(project, "schemas/acme/v1");
  await mkdir(path.join(version, "shared"), { recursive: true });
  await writeFile(path.join(project, "schemas/acme/provider.json"), provider);
  for (const [name, schema] of Object.entries(schemas)) await writeFile(path.join(version, `${name}.schema.json`), JSON.stringify(schema));
  for (const [name, json] of Object.entries(files)) await writeFile(path.join(version, name), JSON.stringify(json));
  return project;
}

/** tsc, strict, over the project's generated/ (and handlers/): "" when it compiles. */
async function typecheck(project: string): Promise<string> {
  await writeFile(path.join(project, "package.json"), JSON.stringify({ type: "module" }));
  const config = JSON.parse(await readFile(path.join(repoRoot, "tsconfig.generated.json"), "utf8"));
  config.include = ["generated/**/*.ts", "handlers/**/*.ts"];
  await writeFile(path.join(project, "tsconfig.json"), JSON.stringify(config));
  const tsc = path.join(repoRoot, "node_modules/typescript/bin/tsc");
  return promisify(execFile)(process.execPath, [tsc, "-p", "."], { cwd: project }).then(
    () => "",
    (e: { stdout: string }) => e.stdout,
  );
}

/** TypeScript without its comments and double-quoted strings. */
function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"/g, "");
}

describe("json-schema-to-typescript's keywords in a catalogue", () => {
  it("are removed on loading, each reported with its file and pointer; types.ts holds no injected code and compiles", async () => {
    const project = await acme(
      {
        ping: event(
          "ping",
          {
            // the injection the review found: tsType is pasted into types.ts
            name: { type: "string", tsType: tsTypeCode },
            // a TypeScript enum whose member names the schema picks
            status: { type: "string", enum: ["a", "b"], tsEnumNames: ["A = 1; export const pwned2 = 2; enum Z { Q", "B"] },
            // in a definition reached by $ref, and in array items
            thing: { $ref: "shared/defs.json#/definitions/thing" },
            list: { type: "array", items: { type: "integer", tsType: tsTypeCode } },
            // draft-04's id: a type of that name (merged with the definition of the same name)
            other: { id: "Thing", type: "object", properties: { extra: { type: "string" } } },
            // a property named like the keyword is a name, not a keyword: it stays
            tsType: { type: "string" },
            // and so is data: a const whose value has such a key is left as it is
            marker: { const: { tsType: "kept" } },
          },
          // draft-03 inheritance, which json-schema-to-typescript still follows
          { extends: { type: "object", properties: { smuggled: { type: "string" } }, required: ["smuggled"] } },
        ),
      },
      { "shared/defs.json": { definitions: { thing: { type: "object", properties: { id: { type: "string" } }, tsType: tsTypeCode } } } },
    );
    const result = await run(["--handlers", "handlers"], project);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("codegen: 6 warnings:");
    for (const pointer of ["/properties/name/tsType", "/properties/status/tsEnumNames", "/properties/list/items/tsType", "/properties/other/id", "/extends"]) {
      expect(result.stderr).toContain(`schemas/acme/v1/ping.schema.json#${pointer}: "${pointer.split("/").pop()}" removed`);
    }
    expect(result.stderr).toContain('schemas/acme/v1/shared/defs.json#/definitions/thing/tsType: "tsType" removed');

    const output = await snapshot(path.join(project, "generated"));
    for (const [file, content] of output) {
      expect(content.match(/.{0,80}(pwned|enum Z|smuggled).{0,40}/)?.[0], file).toBeUndefined();
    }
    const types = output.get("acme/v1/types.ts")!;
    expect(types).toContain("name?: string;");
    expect(types).toContain('status?: "a" | "b";');
    expect(types).toContain("list?: number[];");
    expect(types).toContain("tsType?: string;");
    expect(types).not.toContain("extends");
    expect(types.match(/export interface Thing\b/g)).toHaveLength(1);
    expect(types).toMatch(/other\?: \{\n\s+extra\?: string;\n\s+\};/);

    // the validators still hold the data as it was
    const { validateEvent } = await import(pathToFileURL(path.join(project, "generated/acme/v1/validators.js")).href);
    expect(validateEvent({ type: "ping", marker: { tsType: "kept" } }).ok).toBe(true);
    expect(validateEvent({ type: "ping", marker: {} }).ok).toBe(false);

    expect(await typecheck(project)).toBe("");

    // --json carries the warnings too
    const json = JSON.parse((await run(["--json"], project)).stdout);
    expect(json.warnings.map((w: { pointer: string }) => w.pointer)).toContain("/properties/name/tsType");
  }, 60_000);

  it("a $ref into data (an enum value holding tsType) is a problem, not a way around the removal", async () => {
    const project = await acme({
      ping: event("ping", { a: { enum: [{ tsType: tsTypeCode }] }, b: { $ref: "#/properties/a/enum/0" } }),
    });
    const result = await run([], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/holds "tsType", a keyword of json-schema-to-typescript that a schema cannot set/);
    expect((await snapshot(path.join(project, "generated"))).size).toBe(0);
  });

  it("stripTypeGeneratorKeywords leaves names and data alone, and walks every other object", () => {
    const schema = {
      properties: { tsEnumNames: { type: "string", tsType: "x" }, extends: { enum: [{ extends: 1 }] } },
      default: { tsType: "data" },
      examples: [{ tsType: "data", id: "x" }],
      example: { id: "data" },
      "x-components": { thing: { tsType: "x", id: 1 } },
      anyOf: [{ tsEnumNames: ["A"] }],
    };
    const warnings = stripTypeGeneratorKeywords(schema, "f.json");
    expect(warnings.map((w) => w.pointer)).toEqual(["/properties/tsEnumNames/tsType", "/x-components/thing/tsType", "/anyOf/0/tsEnumNames"]);
    expect(schema).toEqual({
      properties: { tsEnumNames: { type: "string" }, extends: { enum: [{ extends: 1 }] } },
      default: { tsType: "data" },
      examples: [{ tsType: "data", id: "x" }],
      example: { id: "data" },
      "x-components": { thing: { id: 1 } },
      anyOf: [{}],
    });
  });
});

describe("names that reach code", () => {
  it("a hostile document file name and a hostile pinned version: no code from them in index.ts, and the output compiles", async () => {
    const project = await tempDir("codegen-schema-code-");
    await mkdir(path.join(project, "schemas/acme"), { recursive: true });
    await writeFile(path.join(project, "schemas/acme/provider.json"), manifest({ version: { in: "body", pointer: "/v" } }));
    const version = `1 */ ${injected}; /*`;
    const pinned = (name: string) => event(name, { v: { const: version } }, { required: ["type", "v"] });
    const file = path.join(project, `x"; ${injected}; import "y\u2028${injected}\n.json`);
    await writeFile(file, JSON.stringify({ anyOf: [pinned("ping"), pinned("pong")] }));

    const result = await run(["--schemas", file, "--provider", "acme", "--handlers", "handlers"], project);
    expect(result.code, result.stderr).toBe(0);
    const output = await snapshot(path.join(project, "generated"));
    const index = output.get("acme/index.ts")!;
    // in comments (the banner names the file) and string literals it is text, never code
    for (const [name, content] of output) if (name.endsWith(".ts")) expect(codeOf(content), name).not.toMatch(/export const pwned|pwned = 1/);
    // the version folder is the file's name, reduced to what a folder name may hold, and imports are string literals
    expect([...output.keys()]).toContain("acme/x___export_const_pwned___1__import__y_export_const_pwned___1_/types.ts");
    expect(index).toContain('from "./x___export_const_pwned___1__import__y_export_const_pwned___1_/validators.js";');
    expect(index).toContain('(1 *\\/ export const pwned = 1; /*)');
    expect(await typecheck(project)).toBe("");
  }, 60_000);
});
