import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readCache, writeCache } from "../src/cache.js";
import { generateWithModels } from "../src/generate.js";
import { projectWithCatalogue, tempDir } from "./helpers.js";

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

  it("writes an entry as ASCII (read back as one-byte text, which decodes fast) that gives back every character", async () => {
    const dir = await tempDir("codegen-cache-ascii-");
    const files = [{ path: "runtime.ts", content: "// a — b, é, 😀, \u2028, lone \ud800, \u007f\n" }];
    await writeCache(dir, "k", files, [{ code: "unsupported", file: "é.json", message: "…" }]);
    const bytes = await readFile(path.join(dir, "k.json"));
    expect(bytes.every((byte) => byte < 0x7f)).toBe(true);
    expect(await readCache(dir, "k")).toEqual({ files, warnings: [{ code: "unsupported", file: "é.json", message: "…" }] });
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
