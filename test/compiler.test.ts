import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
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
