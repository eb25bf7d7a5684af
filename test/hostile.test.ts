import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CodegenError } from "../src/errors.js";
import { generate } from "../src/generate.js";
import { writeDurably, writeOutput } from "../src/write.js";
import { projectWithCatalogue, repoRoot, run, snapshot, tempDir } from "./helpers.js";

/** A catalogue of one provider, "acme", whose events are the schemas given. */
async function acme(schemas: Record<string, unknown>, extra: Record<string, string> = {}): Promise<string> {
  const project = await tempDir("codegen-hostile-");
  const version = path.join(project, "schemas/acme/v1");
  await mkdir(version, { recursive: true });
  await writeFile(
    path.join(project, "schemas/acme/provider.json"),
    JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" } }),
  );
  for (const [name, schema] of Object.entries(schemas)) await writeFile(path.join(version, `${name}.schema.json`), JSON.stringify(schema));
  for (const [name, text] of Object.entries(extra)) await writeFile(path.join(version, name), text);
  return project;
}

const event = (name: string, properties: Record<string, unknown> = {}) => ({
  type: "object",
  properties: { type: { const: name }, ...properties },
  required: ["type"],
});

describe("broken schemas: a clear message, exit 2, the output folder as it was", () => {
  it.each([
    ["an array instead of a schema", { ping: [1, 2] }, /ping\.schema\.json: a schema must be an object or a boolean, not object|does not pin the event name/],
    ["an unknown draft", { ping: { ...event("ping"), $schema: "http://json-schema.org/draft-04/schema#" } }, /ping\.schema\.json#\/\$schema: unsupported JSON Schema dialect "http:\/\/json-schema\.org\/draft-04\/schema#"/],
    [
      "a $ref cycle with nothing in between",
      { ping: { ...event("ping", { a: { $ref: "#/definitions/a" } }), definitions: { a: { $ref: "#/definitions/b" }, b: { $ref: "#/definitions/a" } } } },
      // each file named once, as it is shown: no version folder repeated in front of it
      /\$ref cycle with no schema in between: (?!\S*\/schemas\/)\S*ping\.schema\.json#\/definitions\/a → (?!\S*\/schemas\/)\S*#\/definitions\/b → (?!\S*\/schemas\/)\S*#\/definitions\/a/,
    ],
    ["a pattern that is not a regular expression", { ping: event("ping", { s: { type: "string", pattern: "([a-z" } }) }, /ping\.schema\.json#\/properties\/s\/pattern: pattern "\(\[a-z" is not a valid Unicode regular expression/],
    ["two schemas claiming one event", { ping: event("ping"), pong: { ...event("pong"), properties: { type: { enum: ["pong", "ping"] } } } }, /event name "ping" is also claimed/],
  ])("%s", async (_, schemas, message) => {
    const project = await acme(schemas as Record<string, unknown>);
    await mkdir(path.join(project, "generated"), { recursive: true });
    await writeFile(path.join(project, "generated/keep.txt"), "mine\n");
    const before = await snapshot(path.join(project, "generated"));
    const result = await run([], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await snapshot(path.join(project, "generated"))).toEqual(before);
  });
});

describe("odd but valid input generates safe, working code", () => {
  it("an unknown format is a warning naming the file and pointer, and is not checked (as Ajv with strict: false)", async () => {
    const project = await acme({ ping: event("ping", { handle: { type: "string", format: "x-handle" }, mail: { type: "string", format: "email" } }) });
    const result = await run([], project);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^codegen: 1 warning:\n.*ping\.schema\.json#\/properties\/handle\/format: format "x-handle" is unknown: it is not checked/);
    const { validateEvent } = await import(pathToFileURL(path.join(project, "generated/acme/v1/validators.js")).href);
    expect(validateEvent({ type: "ping", handle: "anything at all" }).ok).toBe(true);
    expect(validateEvent({ type: "ping", mail: "not an email" }).ok).toBe(false);
  });

  it("a recursive type", async () => {
    const project = await acme({
      tree: { ...event("tree", { root: { $ref: "#/definitions/node" } }), definitions: { node: { type: "object", properties: { children: { type: "array", items: { $ref: "#/definitions/node" } } } } } },
    });
    expect((await run([], project)).code).toBe(0);
    const { validateEvent } = await import(pathToFileURL(path.join(project, "generated/acme/v1/validators.js")).href);
    expect(validateEvent({ type: "tree", root: { children: [{ children: [] }] } }).ok).toBe(true);
    expect(validateEvent({ type: "tree", root: { children: [{ children: 3 }] } }).errors[0].path).toBe("/root/children/0/children");
    expect(await readFile(path.join(project, "generated/acme/v1/types.ts"), "utf8")).toContain("children?: Node[];");
  });

  it("hostile event and property names become string literals and safe identifiers, and every file stays in the output folder", async () => {
    const names = ['a"; process.exit(1); "', "../x", "__proto__", "constructor", "with space", "ünïcödé.événement"];
    const schemas = Object.fromEntries(
      names.map((name, i) => [
        `e${i}`,
        { type: "object", properties: { type: { enum: [`e${i}`, name] }, [name]: { type: "string" }, __proto__x: { type: "integer" } }, required: ["type"] },
      ]),
    );
    const project = await acme(schemas);
    const result = await run(["--handlers", "handlers"], project);
    expect(result.code).toBe(0);
    const everything = [...(await snapshot(project)).keys()];
    expect(everything.every((f) => !f.includes(".."+"/") && !path.isAbsolute(f))).toBe(true);
    expect(everything.filter((f) => f.startsWith("handlers/")).every((f) => /^handlers\/acme\/[^/]+\.ts$/.test(f))).toBe(true);

    // the validators load and dispatch every name, including the hostile ones, to the right schema
    const module = await import(pathToFileURL(path.join(project, "generated/acme/v1/validators.js")).href);
    for (const [i, name] of names.entries()) {
      expect(module.validateEvent({ type: name }), name).toMatchObject({ ok: true, name });
      // Ajv, and so the generated validators, never validate a property named __proto__
      // (the receiver drops such keys when it parses JSON); every other name is checked
      if (name !== "__proto__") {
        expect(module.validateEvent({ type: name, [name]: 7 }).errors[0].path, name).toBe(`/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`);
      }
      expect(module.validatorFor(`e${i}`)).toBe(module.validatorFor(name));
    }
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();

    // and the whole output, stubs included, compiles under strict settings
    await writeFile(path.join(project, "package.json"), JSON.stringify({ type: "module" }));
    const config = JSON.parse(await readFile(path.join(repoRoot, "tsconfig.generated.json"), "utf8"));
    config.include = ["generated/**/*.ts", "handlers/**/*.ts"];
    await writeFile(path.join(project, "tsconfig.json"), JSON.stringify(config));
    const tsc = path.join(repoRoot, "node_modules/typescript/bin/tsc");
    const output = await promisify(execFile)(process.execPath, [tsc, "-p", "."], { cwd: project }).then(
      () => "",
      (e: { stdout: string }) => e.stdout,
    );
    expect(output).toBe("");
  });
});

describe("faults while writing", () => {
  it("a full disk: the run fails with a clear error and the tree is exactly as it was", async () => {
    const project = await projectWithCatalogue();
    const out = path.join(project, "generated");
    expect((await run([], project)).code).toBe(0);
    const before = await snapshot(out);
    const schema = path.join(project, "schemas/plain/2026-02-27/thread.chat_sent.schema.json");
    await writeFile(schema, (await readFile(schema, "utf8")).replace('"A chat', '"Changed: a chat'));
    const files = await generate({ schemas: path.join(project, "schemas"), out, cwd: project });

    let writes = 0;
    const fullDisk = async (file: string, content: string) => {
      if (++writes > 1) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: "ENOSPC", path: file });
      await writeDurably(file, content);
    };
    const failure = await writeOutput(out, files, {}, { writeFile: fullDisk }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CodegenError);
    expect((failure as CodegenError).problems[0]).toMatchObject({ code: "write_failed", hint: "the disk is full: free some space and run again" });
    expect(await snapshot(out)).toEqual(before);

    // and the next run, with space again, writes the new tree
    await writeOutput(out, files);
    expect((await snapshot(out)).get("plain/2026-02-27/types.ts")).toContain("Changed: a chat");
  });
});
