import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cp, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { generate } from "../src/generate.js";
import { writeOutput } from "../src/write.js";
import { repoRoot, run, tempDir } from "./helpers.js";

/**
 * The providers' own published definitions and examples, read in place from
 * ../shared/corpus (CI has it beside the checkout; a user's clone does not, and then
 * these tests are skipped, saying so).
 */
const corpus = path.resolve(repoRoot, "..", "shared", "corpus");
const present = existsSync(corpus);
const suite = present ? "corpus (../shared/corpus)" : "corpus: SKIPPED, ../shared/corpus not found beside this checkout";
const revisionsDir = path.join(corpus, "plain", "schema-history");
const plainExamplesDir = path.join(corpus, "plain", "examples");
const agentmailExamplesDir = path.join(corpus, "agentmail", "examples");
if (!present) {
  console.warn(`corpus tests skipped: ${corpus} not found (it sits beside the checkout in this project's CI; a user's clone has no ../shared)`);
}
const jsonFiles = (dir: string) => (present ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : []);

interface Outcome {
  kind: "ok" | "version_mismatch" | "invalid_payload" | "unknown_event";
  /** For failures other than a bare version mismatch: "<path> <keyword>" of every error. */
  errors?: string[];
  reason?: string;
}

const predatesVersioning: Outcome = {
  kind: "invalid_payload",
  errors: ["/webhookMetadata required"],
  reason: "the docs example predates webhook versioning: it has no webhookTargetVersion",
};

/** What each Plain example gives against each published revision, and why. */
function expectedOutcome(revision: string, example: string): Outcome {
  const event = example.replace(/\.json$/, "");
  if (revision === "2024-06-18-bb3cb38") {
    if (event === "thread.chat_received" || event === "thread.note_created") {
      return { kind: "unknown_event", reason: "the event was added to Plain's schema after this revision" };
    }
    if (event === "thread.thread_priority_changed") return { kind: "ok", reason: "unversioned, like the revision" };
    const fields = { "thread.thread_field_created": ["/payload/threadField"], "thread.thread_field_updated": ["/payload/previousThreadField", "/payload/threadField"], "thread.thread_field_deleted": ["/payload/previousThreadField"] }[event] ?? [];
    return {
      kind: "invalid_payload",
      errors: [...fields.map((p) => `${p} additionalProperties`), "/webhookMetadata additionalProperties"].sort(),
      reason:
        "this revision predates versioning and closes webhookMetadata (additionalProperties: false), so the example's webhookTargetVersion is unknown to it" +
        (fields.length ? "; its thread fields also lack the later numberValue" : ""),
    };
  }
  if (event === "thread.thread_priority_changed") return predatesVersioning;
  if (revision === "2024-09-27-a51fc80" && event === "thread.chat_received") {
    return { kind: "unknown_event", reason: "thread.chat_received was added to Plain's schema after this revision" };
  }
  return { kind: "version_mismatch", reason: "the docs examples carry webhookTargetVersion 2026-02-11, which no published revision declares" };
}

interface Module {
  validateEvent(payload: unknown): { ok: boolean; kind?: string; errors?: { path: string; keyword: string }[] };
}

function outcomeOf(module: Module, file: string): Outcome {
  const result = module.validateEvent(JSON.parse(readFileSync(file, "utf8")));
  if (result.ok) return { kind: "ok" };
  const errors = result.errors ?? [];
  if (result.kind === "version_mismatch") {
    // a bare version mismatch: the version error and nothing structural
    return errors.length === 1 ? { kind: "version_mismatch" } : { kind: "version_mismatch", errors: errors.slice(1).map((e) => `${e.path} ${e.keyword}`) };
  }
  if (result.kind === "unknown_event") return { kind: "unknown_event" };
  return { kind: result.kind as Outcome["kind"], errors: errors.map((e) => `${e.path} ${e.keyword}`).sort() };
}

describe.skipIf(!present)(suite, () => {
  describe.each(jsonFiles(revisionsDir))("Plain's published document %s as input", (revisionFile) => {
    const revision = revisionFile.replace(/\.json$/, "");
    let out: string;
    let module: Module;

    it("generates, split into one schema per event", async () => {
      out = await tempDir();
      const files = await generate({ schemas: path.join(revisionsDir, revisionFile), providers: ["plain"], out, cwd: repoRoot });
      await writeOutput(out, files);
      expect(files.map((f) => f.path)).toEqual([
        `plain/${revision}/types.ts`,
        `plain/${revision}/validators.d.ts`,
        `plain/${revision}/validators.js`,
        "plain/index.ts",
        "runtime.ts",
      ]);
      module = (await import(pathToFileURL(path.join(out, "plain", revision, "validators.js")).href)) as Module;
      const document = JSON.parse(readFileSync(path.join(revisionsDir, revisionFile), "utf8"));
      // every payload definition of the document's union is one event
      expect((module as unknown as { eventNames: string[] }).eventNames.length).toBe(document.properties.payload.anyOf.length);
    });

    it("passes tsc under strict settings", async () => {
      await cp(path.join(repoRoot, "tsconfig.generated.json"), path.join(out, "tsconfig.json"));
      const config = JSON.parse(readFileSync(path.join(out, "tsconfig.json"), "utf8"));
      config.include = ["**/*.ts"];
      await writeFile(path.join(out, "tsconfig.json"), JSON.stringify(config));
      await writeFile(path.join(out, "package.json"), JSON.stringify({ type: "module" }));
      const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
      const result = await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: out }).then(
        () => "",
        (error: { stdout: string }) => error.stdout,
      );
      expect(result).toBe("");
    }, 120_000);

    it.each(jsonFiles(plainExamplesDir))("official example %s gives the expected outcome", (example) => {
      const want = expectedOutcome(revision, example);
      const { reason: _, ...wanted } = want;
      expect(outcomeOf(module, path.join(plainExamplesDir, example))).toEqual(wanted);
    });
  });

  describe("official examples against the embedded catalogue", () => {
    it("codegen validate tells each Plain example's outcome truthfully", async () => {
      const files = jsonFiles(plainExamplesDir).map((f) => path.join(plainExamplesDir, f));
      const result = await run(["validate", "--json", ...files], repoRoot);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { files: { file: string; ok: boolean; kind?: string; version?: string; errors: unknown[] }[] };
      for (const entry of report.files) {
        const example = path.basename(entry.file);
        const want = expectedOutcome("2026-03-17-28c8655", example);
        expect(entry.version, example).toBe("2026-02-27");
        expect(entry.kind, example).toBe(want.kind);
        if (want.kind === "version_mismatch") expect(entry.errors, example).toHaveLength(1);
      }
    });

    it.each(jsonFiles(agentmailExamplesDir))("AgentMail's example %s", async (example) => {
      const result = await run(["validate", "--json", path.join(agentmailExamplesDir, example)], repoRoot);
      const [entry] = (JSON.parse(result.stdout) as { files: { ok: boolean; kind?: string; errors: { path: string; message: string }[] }[] }).files;
      if (example === "domain.verified.json") {
        // known bad: the docs example has a lowercase status and lacks two required fields
        expect(entry).toMatchObject({ ok: false, kind: "invalid_payload" });
        expect(entry!.errors.map((e) => e.path + ": " + e.message)).toEqual([
          '/domain: missing required property "domain"',
          '/domain: missing required property "subdomains_enabled"',
          '/domain/status: must be one of NOT_STARTED, PENDING, INVALID, FAILED, VERIFYING, VERIFIED; got "verified"',
        ]);
        expect(result.code).toBe(1);
      } else {
        expect(entry).toMatchObject({ ok: true });
        expect(result.code).toBe(0);
      }
    });
  });
});
