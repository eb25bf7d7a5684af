import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { versionFolder, type DiffReport } from "../src/diff/index.js";
import { repoRoot, run, tempDir } from "./helpers.js";

const v1 = "schemas/plain/2024-09-18";
const v2 = "schemas/plain/2026-02-27";

describe("codegen diff on the shipped catalogue", () => {
  it("compares two version folders: the payload version, events added, shared changes once", async () => {
    const result = await run(["diff", v1, v2], repoRoot);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("codegen diff: plain 2024-09-18 → 2026-02-27");
    expect(result.stdout).toContain("Payload version: 2024-09-18 → 2026-02-27.");
    expect(result.stdout).toMatch(/added \(receivers: potentially breaking, [^)]*\): thread\.chat_received/);
    expect(result.stdout).toContain("Deployed receivers (built from the old schemas): 5 breaking, 1 potentially breaking, 7 safe");
    expect(result.stdout).toContain("Your code (written against the old types, regenerated): 0 breaking, 6 potentially breaking, 7 safe");
    // witnesses start from the version's samples
    expect(result.stdout).toMatch(/witness: \/payload\/threadField\/type = "NUMBER" in thread\.thread_field_created \(from the sample\s+thread\.thread_field_created\.json\); old validators reject it/);
    // the user's new status value, once, with every path that reaches it
    expect(result.stdout.match(/new value: "AWAY"/g)).toHaveLength(1);
    expect(result.stdout).toContain("/payload/thread/assignee[User]/status  in 15 events");
  });

  it("--from/--to read the configured catalogue and give the same report", async () => {
    const byFolder = JSON.parse((await run(["diff", v1, v2, "--json"], repoRoot)).stdout) as DiffReport;
    const byName = await run(["diff", "--provider", "plain", "--from", "2024-09-18", "--to", "2026-02-27", "--format", "json"], repoRoot);
    expect(byName.code).toBe(0);
    const report = JSON.parse(byName.stdout) as DiffReport;
    expect(report.events).toEqual(byFolder.events);
    expect(report.from).toMatchObject({ provider: "plain", version: "2024-09-18", payloadVersion: "2024-09-18", events: 19 });
  });

  it("--from/--to without --provider pick the one provider that has both versions", async () => {
    const result = await run(["diff", "--from", "2024-09-18", "--to", "2026-02-27", "--json"], repoRoot);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as DiffReport).to.provider).toBe("plain");
  });

  it("the JSON report has the documented shape and every change is classified", async () => {
    const report = JSON.parse((await run(["diff", v1, v2, "--json"], repoRoot)).stdout) as DiffReport;
    expect(Object.keys(report)).toEqual(["from", "to", "summary", "events"]);
    expect(report.summary.eventsAdded).toEqual(["thread.chat_received"]);
    const changes = report.events.flatMap((e) => e.changes);
    for (const change of changes) {
      expect(Object.keys(change)).toEqual(expect.arrayContaining(["path", "kind", "classification", "receivers", "code", "message"]));
      if (change.receivers.classification === "breaking") expect(change.witness).toMatchObject({ path: expect.any(String), oldAnswer: expect.any(String) });
    }
    const version = changes.filter((c) => c.kind === "version-changed");
    expect(version).toHaveLength(19);
    expect(version[0]).toMatchObject({ path: "/webhookMetadata/webhookTargetVersion", before: "2024-09-18", after: "2026-02-27", receivers: { classification: "breaking" } });
    const total = changes.length;
    const counted = report.summary.changes.breaking + report.summary.changes["potentially-breaking"] + report.summary.changes.safe;
    expect(counted).toBe(total);
  });

  it("markdown reads as a pull request body", async () => {
    const result = await run(["diff", v1, v2, "--format", "markdown"], repoRoot);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^## Webhook schema changes: plain `2024-09-18` → `2026-02-27`\n/);
    expect(result.stdout).toContain("> **Payload version: 2024-09-18 → 2026-02-27.**");
    expect(result.stdout).toContain("| 🔴 breaking | 5 | 0 | 51 |");
    expect(result.stdout).toContain("  - witness: ");
    expect(result.stdout).toContain("### Needs attention");
    expect(result.stdout.split("<details>").length).toBe(result.stdout.split("</details>").length);
    // given absolute paths, the footer still names them relative to the working folder
    const absolute = await run(["diff", path.join(repoRoot, v1), path.join(repoRoot, v2), "--format", "markdown"], repoRoot);
    expect(absolute.stdout).not.toContain(repoRoot);
    expect(absolute.stdout).toContain("from `schemas/plain/2024-09-18` and `schemas/plain/2026-02-27`");
  });

  it("--fail-on names a level for both questions, or one question's", async () => {
    // nothing breaks code between these versions; deployed receivers reject new payloads (witnessed)
    expect((await run(["diff", v1, v2, "--fail-on", "code:breaking"], repoRoot)).code).toBe(0);
    expect((await run(["diff", v1, v2, "--fail-on", "code:potentially-breaking"], repoRoot)).code).toBe(1);
    expect((await run(["diff", v1, v2, "--fail-on", "receivers:breaking"], repoRoot)).code).toBe(1);
    expect((await run(["diff", v1, v2, "--fail-on", "code:breaking,receivers:breaking"], repoRoot)).code).toBe(1);
    const bad = await run(["diff", v1, v2, "--fail-on", "deploy:breaking"], repoRoot);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("receivers:<level> or code:<level>");
  });

  it("--witness writes each witness payload; each passes the new version and fails the old", async () => {
    const dir = await tempDir();
    const result = await run(["diff", v1, v2, "--witness", dir, "--json"], repoRoot);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DiffReport;
    const index = JSON.parse(await readFile(path.join(dir, "witnesses.json"), "utf8")) as { file: string; kind: string }[];
    expect(index.length).toBe(report.summary.witnesses.found);
    const enumWitness = index.find((w) => w.kind === "enum-value-added")!;
    const file = path.join(dir, enumWitness.file);
    const now = await run(["validate", file, "--version", "2026-02-27"], repoRoot);
    expect(now.code).toBe(0);
    const old = await run(["validate", file, "--version", "2024-09-18"], repoRoot);
    expect(old.code).toBe(1);
  });

  it("--fail-on sets exit 1 only when a change is that severe", async () => {
    expect((await run(["diff", v1, v2, "--fail-on", "breaking"], repoRoot)).code).toBe(1);
    expect((await run(["diff", v1, v2, "--fail-on", "potentially-breaking"], repoRoot)).code).toBe(1);
    const same = await run(["diff", v1, v1, "--fail-on", "potentially-breaking"], repoRoot);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("No changes.");
  });

  it("bad input exits 2 and says what is wrong", async () => {
    const missing = await run(["diff", "schemas/plain/2099-01-01", v2], repoRoot);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("schemas/plain/2099-01-01: not found");

    const notVersion = await run(["diff", "schemas", v2], repoRoot);
    expect(notVersion.code).toBe(2);
    expect(notVersion.stderr).toContain("schemas: not a version folder");

    const providers = await run(["diff", "schemas/agentmail/2026-08-03", v2], repoRoot);
    expect(providers.code).toBe(2);
    expect(providers.stderr).toContain("compares agentmail with plain");

    const half = await run(["diff", "--from", "2024-09-18"], repoRoot);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("--from and --to go together");

    const nothing = await run(["diff"], repoRoot);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("nothing to compare");

    expect((await run(["diff", v1, v2, "--fail-on", "safe"], repoRoot)).code).toBe(2);
    expect((await run(["diff", v1, v2, "--format", "yaml"], repoRoot)).code).toBe(2);
  });

  it("splits a version folder into catalogue, provider and version", () => {
    expect(versionFolder(path.join("work", "schemas", "plain", "2024-09-18"))).toEqual({
      catalogue: path.join("work", "schemas"),
      provider: "plain",
      version: "2024-09-18",
    });
  });
});

/** A tiny published document in Plain's shape: a root whose payload is a union of events. */
function plainDocument(events: Record<string, Record<string, unknown>>): string {
  const branch = ([name, properties]: [string, Record<string, unknown>]) => ({
    type: "object",
    properties: { eventType: { type: "string", const: name }, ...properties },
    required: ["eventType", ...Object.keys(properties)],
  });
  return JSON.stringify({
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { id: { type: "string" }, payload: { anyOf: Object.entries(events).map(branch) } },
    required: ["id", "payload"],
  });
}

describe("codegen diff on schema documents", () => {
  it("finds the provider whose manifest reads the document, and reports per event", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "old.json"), plainDocument({ "thread.a": { title: { type: "string" } }, "thread.b": {} }));
    await writeFile(path.join(dir, "new.json"), plainDocument({ "thread.a": { title: { type: ["string", "null"] } }, "thread.c": {} }));
    const result = await run(["diff", "old.json", "new.json", "--json"], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DiffReport;
    expect(report.from).toMatchObject({ provider: "plain", version: "old", source: "old.json" });
    expect(report.events.map((e) => [e.name, e.status, e.changes.map((c) => `${c.path} ${c.kind}`)])).toEqual([
      ["thread.a", "changed", ["/payload/title null-added"]],
      ["thread.b", "removed", [" event-removed"]],
      ["thread.c", "added", [" event-added"]],
    ]);
  });

  it("says so when no provider's manifest finds events in a document", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "other.json"), JSON.stringify({ type: "object", properties: { kind: { type: "string" } } }));
    const result = await run(["diff", "other.json", "other.json"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("other.json: no provider's manifest finds events in this document");
    expect(result.stderr).toContain("--provider <name>");
  });
});
