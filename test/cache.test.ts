import { spawnSync } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readCache, writeCache } from "../src/cache.js";
import type { CodegenConfig } from "../src/config.js";
import { generateWithModels } from "../src/generate.js";
import { projectWithCatalogue, repoRoot, tempDir } from "./helpers.js";

/** The no-op run: same inputs, same generator → the earlier output, without generating again. */
describe("the generation cache", () => {
  it("serves an unchanged run from the cache, and misses when a schema, a setting or the entry changes", async () => {
    const project = await projectWithCatalogue();
    await mkdir(path.join(project, "node_modules"));
    const config = { schemas: path.join(project, "schemas"), out: path.join(project, "generated"), cwd: project };

    const cold = await generateWithModels(config, { cache: true });
    expect(cold.cached).toBe(false);
    const warm = await generateWithModels(config, { cache: true });
    expect(warm.cached).toBe(true);
    expect(warm.files).toEqual(cold.files);

    // a changed schema is a miss, and gives the new output
    const schema = path.join(project, "schemas/agentmail/2026-08-03/message.sent.schema.json");
    await writeFile(schema, (await readFile(schema, "utf8")).replace('"type": "object"', '"description": "Cached?", "type": "object"'));
    const changed = await generateWithModels(config, { cache: true });
    expect(changed.cached).toBe(false);
    expect(changed.files.find((f) => f.path === "agentmail/2026-08-03/types.ts")!.content).toContain("Cached?");

    // a different setting is a miss
    expect((await generateWithModels({ ...config, format: false }, { cache: true })).cached).toBe(false);

    // a damaged entry is a miss, not an error
    const dir = path.join(project, "node_modules/.cache/webhook-codegen");
    for (const entry of await readdir(dir)) await writeFile(path.join(dir, entry), "{ damaged");
    const afterDamage = await generateWithModels(config, { cache: true });
    expect(afterDamage.cached).toBe(false);
    expect(afterDamage.files).toEqual(changed.files);
  });

  it("gives back every character of an entry, and misses on one cut short", async () => {
    const dir = await tempDir("codegen-cache-entry-");
    const files = [
      { path: "runtime.ts", content: "// a — b, é, 😀, \u2028, \u007f\n" },
      { path: "a/types.ts", content: "export type A = 1;\n", formatted: true as const },
      { path: "empty.ts", content: "" },
    ];
    const warnings = [{ code: "unsupported" as const, file: "é.json", message: "…" }];
    await writeCache(dir, "k", files, warnings);
    expect(await readCache(dir, "k")).toEqual({ files, warnings });
    const [entry] = await readdir(dir);
    const bytes = await readFile(path.join(dir, entry!));
    await writeFile(path.join(dir, entry!), bytes.subarray(0, bytes.length - 1));
    expect(await readCache(dir, "k")).toBeUndefined();
    await writeFile(path.join(dir, entry!), Buffer.concat([bytes, Buffer.from("x")]));
    expect(await readCache(dir, "k")).toBeUndefined();
  });

  it("keeps no entry for output that UTF-8 cannot hold (a lone surrogate would come back changed)", async () => {
    const dir = await tempDir("codegen-cache-entry-");
    await writeCache(dir, "k", [{ path: "a.ts", content: "lone \ud800\n" }]);
    expect(await readCache(dir, "k")).toBeUndefined();
    await writeCache(dir, "k", [{ path: "a.ts", content: "paired \ud83d\ude00\n" }]);
    expect(await readCache(dir, "k")).toEqual({ files: [{ path: "a.ts", content: "paired \ud83d\ude00\n" }], warnings: [] });
  });

  it("is not used without node_modules, nor when turned off", async () => {
    const project = await projectWithCatalogue();
    const config = { schemas: path.join(project, "schemas"), out: path.join(project, "generated"), cwd: project };
    await generateWithModels(config, { cache: true });
    expect((await generateWithModels(config, { cache: true })).cached).toBe(false);
    await mkdir(path.join(project, "node_modules"));
    await generateWithModels(config, { cache: false });
    expect((await generateWithModels(config, { cache: false })).cached).toBe(false);
  });
});

/** A one-event provider whose schema refers to a remote (http://localhost:1234/int.json) in `remotes`. */
async function tinyProject(): Promise<{ project: string; config: CodegenConfig }> {
  const project = await tempDir("codegen-cache-inputs-");
  const provider = path.join(project, "schemas/acme");
  await mkdir(path.join(provider, "v1"), { recursive: true });
  await mkdir(path.join(project, "node_modules"));
  await writeFile(
    path.join(provider, "provider.json"),
    JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" }, remotes: { "http://localhost:1234/": "remotes" } }),
  );
  await writeFile(
    path.join(provider, "v1/thing.created.schema.json"),
    JSON.stringify({ type: "object", properties: { type: { const: "thing.created" }, count: { $ref: "http://localhost:1234/int.json" } }, required: ["type"] }),
  );
  const config = { schemas: path.join(project, "schemas"), out: path.join(project, "generated"), cwd: project, format: false };
  return { project, config };
}

const typesOf = (files: { path: string; content: string }[]) => files.find((f) => f.path === "acme/v1/types.ts")!.content;

describe("the cache key, read before anything is loaded", () => {
  it("covers a remotes folder that is a link to a folder outside the catalogue", async () => {
    const { project, config } = await tinyProject();
    const shared = path.join(project, "elsewhere");
    await mkdir(shared);
    await writeFile(path.join(shared, "int.json"), '{"type":"integer"}');
    await symlink(shared, path.join(project, "schemas/acme/remotes"));
    expect((await generateWithModels(config, { cache: true })).cached).toBe(false);
    expect((await generateWithModels(config, { cache: true })).cached).toBe(true);
    await writeFile(path.join(shared, "int.json"), '{"type":"string"}');
    const changed = await generateWithModels(config, { cache: true });
    expect(changed.cached).toBe(false);
    expect(typesOf(changed.files)).toContain("export type Int = string");
  });

  it("a link to a folder above (here to the catalogue itself) neither stops the run nor keeps the cache from answering", async () => {
    const { project, config } = await tinyProject();
    await mkdir(path.join(project, "schemas/acme/remotes"));
    await writeFile(path.join(project, "schemas/acme/remotes/int.json"), '{"type":"integer"}');
    await symlink(path.join(project, "schemas"), path.join(project, "schemas/acme/v1/loop"));
    expect((await generateWithModels(config, { cache: true })).cached).toBe(false);
    expect((await generateWithModels(config, { cache: true })).cached).toBe(true);
  });

  it("covers the document a manifest's sources reads from an installed package, and where it is installed", async () => {
    const { project, config } = await tinyProject();
    const manifestFile = path.join(project, "schemas/acme/provider.json");
    const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as Record<string, unknown>;
    await writeFile(manifestFile, JSON.stringify({ ...manifest, remotes: undefined, sources: { v2: { npm: "@acme/schemas", file: "events.bundle.json" } } }));
    await writeFile(path.join(project, "schemas/acme/v1/thing.created.schema.json"), JSON.stringify({ properties: { type: { const: "thing.created" } } }));
    const installed = path.join(project, "node_modules/@acme/schemas");
    await mkdir(installed, { recursive: true });
    await writeFile(path.join(installed, "package.json"), '{"name":"@acme/schemas"}');
    const bundle = (type: string) => JSON.stringify({ anyOf: [{ properties: { type: { const: "thing.created" }, count: { type } }, required: ["type"] }] });
    await writeFile(path.join(installed, "events.bundle.json"), bundle("integer"));
    expect((await generateWithModels(config, { cache: true })).cached).toBe(false);
    expect((await generateWithModels(config, { cache: true })).cached).toBe(true);
    await writeFile(path.join(installed, "events.bundle.json"), bundle("string"));
    const changed = await generateWithModels(config, { cache: true });
    expect(changed.cached).toBe(false);
    expect(changed.files.find((f) => f.path === "acme/v2/types.ts")!.content).toMatch(/count\?: string/);
    // uninstalled: the run fails as it would without a cache
    await rm(installed, { recursive: true });
    await expect(generateWithModels(config, { cache: true })).rejects.toThrow(/not installed/);
  });

  it("tells a filtered run (--provider) from a full one, and gives the loader's warnings again", async () => {
    const { project, config } = await tinyProject();
    await mkdir(path.join(project, "schemas/acme/remotes"));
    await writeFile(path.join(project, "schemas/acme/remotes/int.json"), '{"type":"integer","tsType":"any"}');
    await cp(path.join(project, "schemas/acme"), path.join(project, "schemas/other"), { recursive: true });
    const otherManifest = path.join(project, "schemas/other/provider.json");
    await writeFile(otherManifest, (await readFile(otherManifest, "utf8")).replace('"name":"acme","title":"Acme"', '"name":"other","title":"Other"'));
    const full = await generateWithModels(config, { cache: true });
    expect(full.warnings.map((w) => w.code)).toEqual(["keyword_stripped", "keyword_stripped"]);
    const filtered = await generateWithModels({ ...config, providers: ["acme"] }, { cache: true });
    expect(filtered.cached).toBe(false);
    expect(filtered.files.some((f) => f.path.startsWith("other/"))).toBe(false);
    const again = await generateWithModels({ ...config, providers: ["acme"] }, { cache: true });
    expect(again.cached).toBe(true);
    expect(again.files).toEqual(filtered.files);
    expect(again.warnings).toEqual(filtered.warnings);
    expect(again.warnings.map((w) => w.file)).toEqual(["schemas/acme/remotes/int.json"]);
  });

  it("a run answered from the cache loads neither the loader nor the worker pool", async () => {
    const { project } = await tinyProject();
    await mkdir(path.join(project, "schemas/acme/remotes"));
    await writeFile(path.join(project, "schemas/acme/remotes/int.json"), '{"type":"integer"}');
    // module hooks that name every module the run loads
    const hooks = `data:text/javascript,export async function load(url, context, next) { process.stderr.write("loaded " + url + "\\n"); return next(url, context); }`;
    const logger = `data:text/javascript,import { register } from "node:module"; register(${JSON.stringify(hooks)});`;
    const codegen = (flags: string[]) =>
      spawnSync(process.execPath, ["--import", logger, path.join(repoRoot, "bin/codegen.js"), "--no-format", "--quiet", ...flags], { cwd: project, encoding: "utf8" });
    const cold = codegen([]);
    expect(cold.status, cold.stderr).toBe(0);
    expect(cold.stderr).toContain("/dist/load/catalogue.js");
    const noop = codegen([]);
    expect(noop.status, noop.stderr).toBe(0);
    const loaded = noop.stderr.split("\n").filter((line) => line.startsWith("loaded file:"));
    expect(loaded.some((line) => line.endsWith("/dist/cache.js"))).toBe(true);
    for (const module of ["load/catalogue.js", "load/payloads.js", "format.js", "compile.js"]) expect(loaded.filter((line) => line.endsWith(`/dist/${module}`))).toEqual([]);
    expect(noop.stderr).not.toContain("node:worker_threads");
  });
});
