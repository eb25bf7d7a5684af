import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { generate } from "../../src/generate.js";
import { writeOutput } from "../../src/write.js";
import { tempDir } from "../helpers.js";

/** Very large inputs finish and work (their times are for `npm run bench` to report, not asserted here). */
async function acme(schemas: Record<string, unknown>): Promise<string> {
  const project = await tempDir("codegen-large-");
  await mkdir(path.join(project, "schemas/acme/v1"), { recursive: true });
  await writeFile(
    path.join(project, "schemas/acme/provider.json"),
    JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" } }),
  );
  for (const [name, schema] of Object.entries(schemas)) {
    await writeFile(path.join(project, "schemas/acme/v1", `${name}.schema.json`), JSON.stringify(schema));
  }
  return project;
}

describe("very large inputs", () => {
  it("1 000 events in one version", async () => {
    const schemas = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [
        `evt.n${i}`,
        { type: "object", properties: { type: { const: `evt.n${i}` }, at: { type: "string", format: "date-time" } }, required: ["type"] },
      ]),
    );
    const project = await acme(schemas);
    const out = path.join(project, "generated");
    await writeOutput(out, await generate({ schemas: path.join(project, "schemas"), out, cwd: project }));
    const module = await import(pathToFileURL(path.join(out, "acme/v1/validators.js")).href);
    expect(module.eventNames).toHaveLength(1000);
    expect(module.validateEvent({ type: "evt.n999", at: "2026-01-01T00:00:00Z" }).ok).toBe(true);
    expect(module.validateEvent({ type: "evt.n999", at: "soon" }).errors[0].path).toBe("/at");
  }, 600_000);

  it("a 5 MB schema", async () => {
    const properties = Object.fromEntries(
      Array.from({ length: 20_000 }, (_, i) => [`field_${i}`, { type: ["string", "null"], description: "Lorem ipsum dolor sit amet ".repeat(9) }]),
    );
    const schema = { type: "object", properties: { type: { const: "big" }, ...properties }, required: ["type"] };
    expect(JSON.stringify(schema).length).toBeGreaterThan(5_000_000);
    const project = await acme({ big: schema });
    const out = path.join(project, "generated");
    await writeOutput(out, await generate({ schemas: path.join(project, "schemas"), out, cwd: project }));
    const module = await import(pathToFileURL(path.join(out, "acme/v1/validators.js")).href);
    expect(module.validateEvent({ type: "big", field_19999: null }).ok).toBe(true);
    expect(module.validateEvent({ type: "big", field_19999: 1 }).errors[0].path).toBe("/field_19999");
  }, 600_000);
});
