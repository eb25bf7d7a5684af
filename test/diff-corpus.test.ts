import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { DiffReport } from "../src/diff/index.js";
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
    expect(report.summary.payloadVersion).toEqual({ before: "2024-09-18", after: "2026-02-27" });
    expect(report.summary.eventsAdded).toEqual([
      "thread.chat_received",
      "thread.discord_message_received",
      "thread.discord_message_sent",
      "thread.discord_message_updated",
      "thread.slack_message_updated",
    ]);
    expect(report.summary.eventsRemoved).toEqual([]);
    const at = (event: string, where: string) => report.events.find((e) => e.name === event)!.changes.filter((c) => c.path === where);
    expect(at("thread.email_sent", "/payload/thread/assignee[User]/status")).toMatchObject([
      { kind: "enum-value-added", classification: "potentially-breaking", after: expect.arrayContaining(["AWAY"]) },
    ]);
    expect(at("thread.thread_field_created", "/payload/threadField/type")).toMatchObject([{ kind: "enum-value-added" }]);
    expect(at("thread.note_created", "/payload/note/text")).toMatchObject([{ kind: "constraint-loosened", before: 5000, after: 10000 }]);
    // refactorings that change no payload (a nullable written as a shared definition) are not reported
    expect(report.events.flatMap((e) => e.changes).filter((c) => c.path.endsWith("/deletedAt"))).toEqual([]);
    // the two message payload definitions whose names Plain swapped are matched by event, not by name
    expect(report.events.find((e) => e.name === "thread.slack_message_sent")!.changes.some((c) => c.kind === "property-removed")).toBe(false);
  });

  it("2024-06-18 → 2024-09-27: payloads start declaring a version, and closed objects open", async () => {
    const result = await run(["diff", revision("2024-06-18-bb3cb38.json"), revision("2024-09-27-a51fc80.json"), "--json"], repoRoot);
    const report = JSON.parse(result.stdout) as DiffReport;
    expect(report.summary.payloadVersion).toEqual({ before: null, after: "2024-09-18" });
    const created = report.events.find((e) => e.name === "thread.thread_created")!.changes;
    expect(created.find((c) => c.path === "/webhookMetadata/webhookTargetVersion")).toMatchObject({ kind: "property-added", classification: "safe" });
    expect(created.find((c) => c.path === "/webhookMetadata")).toMatchObject({ kind: "additional-properties-opened" });
  });
});
