import { execFile } from "node:child_process";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { projectWithCatalogue, run, tempDir } from "./helpers.js";

describe("a regeneration says what changed", () => {
  it("a version new next to an older one is compared with it", async () => {
    const project = await projectWithCatalogue();
    const newer = path.join(project, "schemas/plain/2026-02-27");
    const aside = path.join(await tempDir(), "2026-02-27");
    await cp(newer, aside, { recursive: true });
    await rm(newer, { recursive: true });
    expect((await run(["--provider", "plain"], project)).code).toBe(0);

    await cp(aside, newer, { recursive: true });
    const result = await run(["--provider", "plain"], project);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/changes \(new version, against 2024-09-18\): plain 2024-09-18 → 2026-02-27: deployed receivers 5 breaking, 1 potentially breaking; your code 6 potentially breaking; 1 event added/);
  });

  it("a version whose schemas changed since the commit is compared with HEAD", async () => {
    const project = await projectWithCatalogue();
    const git = (...args: string[]) => promisify(execFile)("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: project });
    await git("init", "-q");
    expect((await run([], project)).code).toBe(0);
    await git("add", "-A");
    await git("commit", "-qm", "initial");

    // output made stale with the schemas as committed (as a new webhook-codegen would): nothing to report
    const validators = path.join(project, "generated/agentmail/2026-08-03/validators.js");
    await writeFile(validators, `${await readFile(validators, "utf8")}\n// edited\n`);
    const regenerated = await run(["--json"], project);
    expect(JSON.parse(regenerated.stdout).written).toEqual(["agentmail/2026-08-03/validators.js"]);
    expect(JSON.parse(regenerated.stdout).changes).toEqual([]);

    const schema = path.join(project, "schemas/agentmail/2026-08-03/shared/definitions.json");
    const definitions = JSON.parse(await readFile(schema, "utf8"));
    definitions.definitions.send.required = definitions.definitions.send.required.filter((p: string) => p !== "timestamp");
    await writeFile(schema, JSON.stringify(definitions, null, 2));
    const result = await run(["--json"], project);
    const report = JSON.parse(result.stdout);
    expect(report.changes).toEqual([
      expect.objectContaining({ provider: "agentmail", version: "2026-08-03", reason: "schemas changed since HEAD", breaking: 1 }),
    ]);
    expect(report.changes[0].summary).toMatch(/^agentmail 2026-08-03 → 2026-08-03: deployed receivers .*; your code 1 breaking/);
  });

  it("outside git, or with nothing committed, it says nothing and still generates", async () => {
    const project = await projectWithCatalogue();
    expect((await run([], project)).code).toBe(0);
    const schema = path.join(project, "schemas/agentmail/2026-08-03/message.sent.schema.json");
    await writeFile(schema, (await readFile(schema, "utf8")).replace('"type": "object"', '"description": "x", "type": "object"'));
    const result = await run([], project);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("changes (");
  });
});
