import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, it, vi } from "vitest";
import { generateWithModels } from "../src/generate.js";
import { tempDir } from "./helpers.js";

/** Runs just before the loader reads the catalogue (after the cache key was read), once. */
const edit = vi.hoisted(() => ({ beforeLoading: undefined as undefined | (() => Promise<void>) }));

vi.mock("../src/load/catalogue.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/load/catalogue.js")>();
  return {
    ...original,
    loadCatalogue: async (...args: Parameters<typeof original.loadCatalogue>) => {
      const before = edit.beforeLoading;
      edit.beforeLoading = undefined;
      await before?.();
      return original.loadCatalogue(...args);
    },
  };
});

it("an input edited between reading the cache key and loading is not cached under the key read before the edit", async () => {
  const project = await tempDir("codegen-cache-race-");
  const provider = path.join(project, "schemas/acme");
  await mkdir(path.join(provider, "v1"), { recursive: true });
  await mkdir(path.join(project, "node_modules"));
  await writeFile(path.join(provider, "provider.json"), JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" } }));
  const schema = path.join(provider, "v1/thing.created.schema.json");
  const thing = (type: string) => JSON.stringify({ type: "object", properties: { type: { const: "thing.created" }, count: { type } }, required: ["type"] });
  await writeFile(schema, thing("integer"));
  const config = { schemas: path.join(project, "schemas"), out: path.join(project, "generated"), cwd: project, format: false };
  const types = (files: { path: string; content: string }[]) => files.find((f) => f.path === "acme/v1/types.ts")!.content;

  edit.beforeLoading = () => writeFile(schema, thing("string"));
  const edited = await generateWithModels(config, { cache: true });
  expect(types(edited.files)).toContain("count?: string");

  // the schema as it was when the key was read: the output of the edited one must not answer for it
  await writeFile(schema, thing("integer"));
  const restored = await generateWithModels(config, { cache: true });
  expect(restored.cached).toBe(false);
  expect(types(restored.files)).toContain("count?: number");
  expect((await generateWithModels(config, { cache: true })).cached).toBe(true);
});
