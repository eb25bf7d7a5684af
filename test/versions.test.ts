import { createHmac } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { projectWithCatalogue, run } from "./helpers.js";

/** Versions side by side: the payload's own version picks its validators; the config says which versions to accept. */
async function projectAccepting(choice: object): Promise<{ project: string; handler: (request: Request) => Promise<Response> }> {
  const project = await projectWithCatalogue();
  await writeFile(path.join(project, "codegen.config.json"), JSON.stringify({ providers: ["plain"], versions: { plain: choice } }));
  const result = await run([], project);
  expect(result.code, result.stderr).toBe(0);
  const { createPlainWebhookHandler } = await import(pathToFileURL(path.join(project, "generated/plain/index.ts")).href);
  return { project, handler: createPlainWebhookHandler({ secret: "s", on: {}, now: () => clock }) };
}

let clock = 0;
async function send(handler: (request: Request) => Promise<Response>, payload: any): Promise<{ status: number; body: any }> {
  const body = JSON.stringify(payload);
  clock = Date.parse(payload.webhookMetadata.webhookDeliveryAttemptTimestamp);
  const signature = createHmac("sha256", "s").update(body).digest("hex");
  const response = await handler(new Request("http://localhost/", { method: "POST", body, headers: { "plain-request-signature": signature } }));
  return { status: response.status, body: await response.json() };
}

const sample = async (project: string, version: string) =>
  JSON.parse(await readFile(path.join(project, "schemas/plain", version, "examples/thread.email_sent.json"), "utf8"));

describe("versions side by side", () => {
  it("accepting one version: only it is generated, and a payload of another is rejected, listing the accepted ones", async () => {
    const { project, handler } = await projectAccepting({ accept: ["2026-02-27"] });
    expect((await import("node:fs")).existsSync(path.join(project, "generated/plain/2024-09-18"))).toBe(false);
    expect((await send(handler, await sample(project, "2026-02-27"))).status).toBe(200);
    const old = await send(handler, await sample(project, "2024-09-18"));
    expect(old.status).toBe(400);
    expect(old.body).toMatchObject({ error: "version_mismatch" });
    expect(old.body.errors[0].message).toBe('version "2024-09-18" is not accepted here; accepted: 2026-02-27');
  });

  it('"latest": a payload of an unknown version that otherwise matches the latest is accepted', async () => {
    const { project, handler } = await projectAccepting({ unknown: "latest" });
    const future = await sample(project, "2026-02-27");
    future.webhookMetadata.webhookTargetVersion = "2027-01-01";
    expect((await send(handler, future)).status).toBe(200);
    future.payload.thread.status = "OPEN";
    const broken = await send(handler, future);
    expect(broken.status).toBe(400);
    expect(broken.body.errors.map((e: { path: string }) => e.path)).toContain("/payload/thread/status");
  });

  it("accepting a version that does not exist is a config error", async () => {
    const project = await projectWithCatalogue();
    await writeFile(path.join(project, "codegen.config.json"), JSON.stringify({ versions: { plain: { accept: ["2025-01-01"] } } }));
    const result = await run([], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('codegen.config.json#/versions/plain/accept: plain has no version "2025-01-01" (it has: 2024-09-18, 2026-02-27)');
  });
});
