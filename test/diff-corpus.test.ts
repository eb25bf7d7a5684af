import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDiffModels, type DiffReport } from "../src/diff/index.js";
import { emitValidators } from "../src/emit/validators/index.js";
import type { VersionModel } from "../src/model/build.js";
import { repoRoot, run } from "./helpers.js";

/**
 * Golden tests of `codegen diff` between consecutive revisions of Plain's published schema,
 * read in place from ../shared/corpus (CI has it beside the checkout; a user's clone does
 * not, and then these tests are skipped, saying so). The golden reports under
 * test/fixtures/diff/ are read by a person whenever they change.
 */
const corpus = path.resolve(repoRoot, "..", "shared", "corpus");
const present = existsSync(corpus);
const suite = present ? "diff corpus (../shared/corpus)" : "diff corpus: SKIPPED, ../shared/corpus not found beside this checkout";
if (!present) {
  console.warn(`diff corpus tests skipped: ${corpus} not found (it sits beside the checkout in this project's CI; a user's clone has no ../shared)`);
}
const history = "../shared/corpus/plain/schema-history";
const revisions = present ? readdirSync(path.join(repoRoot, history)).filter((f) => f.endsWith(".json")).sort() : [];
const consecutive = revisions.slice(1).map((to, i) => [revisions[i]!, to] as const);
const revision = (file: string) => `${history}/${file}`;
const golden = (from: string, to: string, ext: string) => `fixtures/diff/${from.replace(/\.json$/, "")}..${to.replace(/\.json$/, "")}.${ext}`;

describe.skipIf(!present)(suite, () => {
  it("has consecutive revisions to compare", () => {
    expect(consecutive.length).toBeGreaterThanOrEqual(3);
  });

  it.each(consecutive)("text report %s → %s matches its golden file", async (from, to) => {
    const result = await run(["diff", revision(from), revision(to)], repoRoot);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    await expect(result.stdout).toMatchFileSnapshot(golden(from, to, "txt"));
  });

  it("text report 2024-09-27 → 2026-03-17 (two revisions apart) matches its golden file", async () => {
    const result = await run(["diff", revision("2024-09-27-a51fc80.json"), revision("2026-03-17-28c8655.json")], repoRoot);
    expect(result.code).toBe(0);
    await expect(result.stdout).toMatchFileSnapshot(golden("2024-09-27-a51fc80.json", "2026-03-17-28c8655.json", "txt"));
  });

  it("markdown report 2024-09-27 → 2026-03-17 matches its golden file", async () => {
    const result = await run(["diff", revision("2024-09-27-a51fc80.json"), revision("2026-03-17-28c8655.json"), "--format", "markdown"], repoRoot);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeLessThan(65_536); // GitHub's limit for a pull request body
    await expect(result.stdout).toMatchFileSnapshot(golden("2024-09-27-a51fc80.json", "2026-03-17-28c8655.json", "md"));
  });

  it("2024-09-27 → 2026-03-17 tells a Plain user what they must know", async () => {
    const result = await run(["diff", revision("2024-09-27-a51fc80.json"), revision("2026-03-17-28c8655.json"), "--json"], repoRoot);
    const report = JSON.parse(result.stdout) as DiffReport;
    expect(report.summary.payloadVersion).toMatchObject({ before: "2024-09-18", after: "2026-02-27", oldAnswer: expect.stringMatching(/^version_mismatch/) });
    expect(report.summary.eventsAdded).toEqual([
      "thread.chat_received",
      "thread.discord_message_received",
      "thread.discord_message_sent",
      "thread.discord_message_updated",
      "thread.slack_message_updated",
    ]);
    expect(report.summary.eventsRemoved).toEqual([]);
    const at = (event: string, where: string) => report.events.find((e) => e.name === event)!.changes.filter((c) => c.path === where);
    // AWAY is new, but the assignee union also admits any object with an id: the old validators accept it too
    expect(at("thread.email_sent", "/payload/thread/assignee[User]/status")).toMatchObject([
      { kind: "enum-value-added", receivers: { classification: "potentially-breaking" }, witness: null, after: expect.arrayContaining(["AWAY"]) },
    ]);
    expect(at("thread.thread_field_created", "/payload/threadField/type")).toMatchObject([{ kind: "enum-value-added" }]);
    expect(at("thread.note_created", "/payload/note/text")).toMatchObject([
      { kind: "constraint-loosened", before: 5000, after: 10000, receivers: { classification: "breaking" }, witness: { path: "/payload/note/text" } },
    ]);
    expect((at("thread.note_created", "/payload/note/text")[0]!.witness!.value as string).length).toBe(5001);
    // refactorings that change no payload (a nullable written as a shared definition) are not reported
    expect(report.events.flatMap((e) => e.changes).filter((c) => c.path.endsWith("/deletedAt"))).toEqual([]);
    // the two message payload definitions whose names Plain swapped are matched by event, not by name
    expect(report.events.find((e) => e.name === "thread.slack_message_sent")!.changes.some((c) => c.kind === "property-removed")).toBe(false);
  });

  it("2024-06-18 → 2024-09-27: payloads start declaring a version, and closed objects open", async () => {
    const result = await run(["diff", revision("2024-06-18-bb3cb38.json"), revision("2024-09-27-a51fc80.json"), "--json"], repoRoot);
    const report = JSON.parse(result.stdout) as DiffReport;
    expect(report.summary.payloadVersion).toMatchObject({ before: null, after: "2024-09-18" });
    const created = report.events.find((e) => e.name === "thread.thread_created")!.changes;
    // the version field is new in a closed object: old validators answer invalid_payload, not version_mismatch
    expect(created.find((c) => c.path === "/webhookMetadata/webhookTargetVersion")).toMatchObject({
      kind: "property-added-closed",
      receivers: { classification: "breaking" },
      code: { classification: "safe" },
      witness: { path: "/webhookMetadata/webhookTargetVersion", value: "2024-09-18", oldAnswer: expect.stringMatching(/^invalid_payload/) },
    });
    expect(report.summary.payloadVersion?.oldAnswer).toMatch(/^invalid_payload/);
    expect(created.find((c) => c.path === "/webhookMetadata")).toMatchObject({ kind: "additional-properties-opened", receivers: { classification: "breaking" } });
    // the swap of two payload definitions' names breaks code importing them by name
    const swapped = report.events.find((e) => e.name === "thread.slack_message_sent")!.changes.find((c) => c.kind === "type-name-changed");
    expect(swapped).toMatchObject({ definition: "ThreadSlackMessageSentEventPayload", after: "thread.ms_teams_message_sent", code: { classification: "breaking" } });
    // the event-name enum every event repeats does not report the events added again
    expect(created.filter((c) => c.path === "/type")).toEqual([]);
  });

  it.each(revisions)("%s against itself: nothing, and exit 0 for every --fail-on", async (file) => {
    for (const failOn of ["breaking", "potentially-breaking", "receivers:potentially-breaking", "code:potentially-breaking"]) {
      const result = await run(["diff", revision(file), revision(file), "--fail-on", failOn, "--json"], repoRoot);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as DiffReport;
      expect(report.events.flatMap((e) => e.changes)).toEqual([]);
    }
  });

  /**
   * The done-when check of issue 16 over every consecutive pair there is: `--fail-on
   * breaking` exits 1 exactly where a witness was found or code breaks, each report carries
   * its witnesses (and each witness really passes the new validators and fails the old), and
   * the paths never name types the model made up.
   */
  it.each(consecutive)("%s → %s: --fail-on breaking exactly where a witness exists or code breaks", async (from, to) => {
    const dir = await mkdtemp(path.join(tmpdir(), "codegen-witness-"));
    try {
      const result = await run(["diff", revision(from), revision(to), "--json", "--fail-on", "breaking", "--witness", dir], repoRoot);
      const report = JSON.parse(result.stdout) as DiffReport;
      const changes = report.events.flatMap((e) => e.changes);
      const witnessed = changes.filter((c) => c.witness);
      const codeBreaks = changes.some((c) => c.code.classification === "breaking");
      expect(result.code).toBe(witnessed.length > 0 || codeBreaks ? 1 : 0);
      for (const c of changes.filter((c) => c.receivers.classification === "breaking")) expect(c.witness).toBeTruthy();
      for (const c of changes) expect(c.path).not.toMatch(/AnyOf\d|OneOf\d|\[variant \d+\]/);
      const index = JSON.parse(await readFile(path.join(dir, "witnesses.json"), "utf8")) as { file: string; event: string }[];
      expect(index.length).toBe(witnessed.length);
      // every witness file really passes the new validators and fails the old
      const models = await loadDiffModels({ old: revision(from), new: revision(to), cwd: repoRoot });
      const [oldValidators, newValidators] = await Promise.all([validatorsOf(models.before), validatorsOf(models.after)]);
      for (const entry of index) {
        const payload = JSON.parse(await readFile(path.join(dir, entry.file), "utf8")) as unknown;
        expect(newValidators.validateEvent(payload, entry.event).ok, entry.file).toBe(true);
        expect(oldValidators.validateEvent(payload, entry.event).ok, entry.file).toBe(false);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function validatorsOf(model: VersionModel): Promise<{ validateEvent(payload: unknown, name?: string): { ok: boolean } }> {
  const [module] = emitValidators(model, "");
  return (await import(`data:text/javascript;base64,${Buffer.from(module!.content).toString("base64")}`)) as {
    validateEvent(payload: unknown, name?: string): { ok: boolean };
  };
}

const catalogueVersions = ["plain/2024-09-18", "plain/2026-02-27", "agentmail/2026-08-03"].filter((v) => existsSync(path.join(repoRoot, "schemas", v)));

describe("diff: every catalogue version against itself", () => {
  it.each(catalogueVersions)("%s: nothing, and exit 0 for every --fail-on", async (version) => {
    for (const failOn of ["breaking", "potentially-breaking"]) {
      const result = await run(["diff", `schemas/${version}`, `schemas/${version}`, "--fail-on", failOn, "--json"], repoRoot);
      expect(result.code).toBe(0);
      expect((JSON.parse(result.stdout) as DiffReport).events.flatMap((e) => e.changes)).toEqual([]);
    }
  });
});
