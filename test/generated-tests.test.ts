import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { catalogueDir, repoRoot, run } from "./helpers.js";

/**
 * The loop the generated tests exist for: a project generates its tests, its first test run
 * writes the snapshots, a schema changes so that a sample is rejected, and the next run
 * fails naming that sample. The project sits under this repository's node_modules, so
 * that the generated test finds vitest as a consumer's would.
 */
const exec = promisify(execFile);
const vitest = path.join(repoRoot, "node_modules", "vitest", "vitest.mjs");
const work = path.join(repoRoot, "node_modules", ".cache", "webhook-codegen-tests");
const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

async function project(): Promise<string> {
  await mkdir(work, { recursive: true });
  const dir = await mkdtemp(path.join(work, "project-"));
  made.push(dir);
  await cp(path.join(catalogueDir, "agentmail"), path.join(dir, "schemas/agentmail"), { recursive: true });
  // captured deliveries the config names: a real body, and one that is not JSON
  await mkdir(path.join(dir, "captured"));
  await writeFile(path.join(dir, "captured/2026-11-02-sent.json"), JSON.stringify({ type: "event", event_type: "message.sent", event_id: "evt_9", send: { inbox_id: "i", thread_id: "t", message_id: "m", timestamp: "2026-11-02T00:00:00Z", recipients: ["a@example.com"] } }));
  await writeFile(path.join(dir, "captured/truncated.json"), '{"type": "event", "event_ty');
  await writeFile(
    path.join(dir, "codegen.config.json"),
    JSON.stringify({ schemas: "schemas", out: "generated", fixtures: true, tests: "vitest", testPayloads: { agentmail: ["captured"] } }),
  );
  return dir;
}

/** The project's tests, as its CI runs them (CI=true: a missing or changed snapshot fails), or locally (writes new ones). */
async function test(dir: string, ci: boolean): Promise<{ code: number; output: string }> {
  const env = { ...process.env, CI: ci ? "true" : "", GITHUB_ACTIONS: "", FORCE_COLOR: "0", NO_COLOR: "1" };
  return exec(process.execPath, [vitest, "run", "--root", dir, "--dir", dir], { cwd: dir, env }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
  );
}

describe("the generated snapshot tests, in a project that turns them on", () => {
  it("pass on the samples once the first run has written the snapshots, and fail naming a sample a schema change rejects", async () => {
    const dir = await project();
    expect((await run(["--quiet"], dir)).code).toBe(0);

    // CI with no snapshot yet: the run fails rather than pass on nothing
    expect((await test(dir, true)).code).not.toBe(0);
    const first = await test(dir, false);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/14 written/);
    const snapshot = await readFile(path.join(dir, "generated/agentmail/__snapshots__/webhooks.test.ts.snap"), "utf8");
    expect(snapshot).toContain("schemas/agentmail/2026-08-03/examples/domain.verified.json");
    expect(snapshot).toMatch(/captured\/2026-11-02-sent\.json 1`\] = `\n\{\n  "event": "message\.sent",\n  "ok": true,/);
    expect(snapshot).toMatch(/captured\/truncated\.json 1`\] = `\n\{\n  "errors": \[\n    "\(root\): not valid JSON/);
    const second = await test(dir, true);
    expect(second.code, second.output).toBe(0);

    // the provider narrows an enum: its own docs example no longer passes
    const definitions = path.join(dir, "schemas/agentmail/2026-08-03/shared/definitions.json");
    const text = await readFile(definitions, "utf8");
    await writeFile(definitions, text.replace('"VERIFYING", "VERIFIED"]', '"VERIFYING"]'));
    const regenerated = await run(["--quiet"], dir);
    expect(regenerated.code).toBe(0);
    const third = await test(dir, true);
    expect(third.code).not.toBe(0);
    expect(third.output).toMatch(/FAIL .*schemas\/agentmail\/2026-08-03\/examples\/domain\.verified\.json/);
    expect(third.output).toContain("/domain/status: must be one of");
    // codegen never wrote or removed the snapshot: it is the project's
    expect(await readFile(path.join(dir, "generated/agentmail/__snapshots__/webhooks.test.ts.snap"), "utf8")).toBe(snapshot);
    expect((await run(["--check"], dir)).code).toBe(0);
  }, 240_000);
});
