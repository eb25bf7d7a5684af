import { writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { validatorModule } from "../src/emit/validators/index.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels } from "../src/model/build.js";
import { catalogueDir, generatedProviders, repoRoot, tempDir } from "./helpers.js";

interface PayloadError {
  path: string;
  keyword: string;
  message: string;
}
type Result = { ok: boolean; kind?: string; errors?: PayloadError[] };
interface Module {
  validateEvent(payload: unknown, name?: string): Result;
  validatorFor(name: string): ((data: unknown) => boolean) & { errors?: { instancePath: string; keyword: string }[] | null };
}

const models = buildModels((await loadCatalogue(catalogueDir, { cwd: repoRoot, providers: generatedProviders })).providers);
const plain = models.filter((m) => m.provider.name === "plain").at(-1)!;
const file = path.join(await tempDir("codegen-lazy-"), "validators.js");
await writeFile(file, validatorModule(plain));
const module = (await import(pathToFileURL(file).href)) as Module;
const sample = () => structuredClone(plain.samples.find((s) => s.file === "thread.email_sent.json")!.json) as Record<string, any>;

describe("validateEvent's errors, made when first read", () => {
  it("runs only the first pass for the verdict and explains on first read, as the validator's errors", () => {
    const payload = sample();
    payload.payload.thread.status = "OPEN";
    delete payload.payload.thread.title;
    const result = module.validateEvent(payload);
    expect(result.ok).toBe(false);
    expect(result.kind).toBe("invalid_payload");
    // not explained yet: a getter until read
    expect(Object.hasOwn(result, "errors")).toBe(false);
    expect("errors" in result).toBe(true);
    const errors = result.errors!;
    // then an ordinary property: the same list on every read
    expect(Object.getOwnPropertyDescriptor(result, "errors")!.value).toBe(errors);
    expect(result.errors).toBe(errors);
    const validate = module.validatorFor("thread.email_sent");
    expect(validate(payload)).toBe(false);
    expect(errors.map((e) => [e.path, e.keyword])).toEqual(validate.errors!.map((e) => [e.instancePath, e.keyword]));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.map((e) => e.message).join("\n")).toContain('got "OPEN"');
  });

  it("lists the errors in JSON, and in spread and structured copies once read, and can be replaced", () => {
    const payload = sample();
    payload.payload.email.subject = 42;
    const result = module.validateEvent(payload);
    expect(JSON.parse(JSON.stringify(result)).errors).toEqual([expect.objectContaining({ path: "/payload/email/subject", keyword: "type" })]);
    const other = module.validateEvent(payload);
    expect(other.errors).toHaveLength(1);
    expect({ ...other }.errors).toHaveLength(1);
    expect(structuredClone(other).errors).toHaveLength(1);
    expect(Object.keys(other)).toEqual(["ok", "kind", "name", "errors"]);
    const replaced = module.validateEvent(payload);
    replaced.errors = [];
    expect(replaced.errors).toEqual([]);
  });

  it("puts the version mismatch first, before the version's own errors, when read", () => {
    const payload = sample();
    payload.webhookMetadata.webhookTargetVersion = "1999-01-01";
    payload.payload.thread.status = "OPEN";
    const result = module.validateEvent(payload);
    expect(result.kind).toBe("version_mismatch");
    expect(Object.hasOwn(result, "errors")).toBe(false);
    expect(JSON.parse(JSON.stringify(result))).toMatchObject({ kind: "version_mismatch", version: "1999-01-01", errors: [{ keyword: "version" }, { keyword: "enum" }] });
    expect(result.errors!.map((e) => [e.path, e.keyword])).toEqual([
      ["/webhookMetadata/webhookTargetVersion", "version"],
      ["/payload/thread/status", "enum"],
    ]);
  });

  it("leaves a valid payload's result without errors", () => {
    const result = module.validateEvent(sample());
    expect(result.ok).toBe(true);
    expect("errors" in result).toBe(false);
  });
});
