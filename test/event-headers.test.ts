// Event names from headers (issue 13): a provider that names its events in a header
// (Shopify's X-Shopify-Topic), or in a header refined by a body property (GitHub's
// X-GitHub-Event + /action), is generated into receivers that read the header; nothing
// silently ignores it.
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot, run, tempDir } from "./helpers.js";

const secret = "It's a Secret to Everybody";
const githubSigning = { scheme: "hmac", algorithm: "sha256", encoding: "hex", header: "X-Hub-Signature-256", prefix: "sha256=" };

const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: "object", properties, required });

/** A project whose catalogue holds one provider: its manifest and schemas by file name. */
async function project(manifest: Record<string, unknown>, schemas: Record<string, unknown>, prefix: string): Promise<string> {
  const dir = await tempDir(prefix);
  const name = manifest["name"] as string;
  await mkdir(path.join(dir, "schemas", name, "v1"), { recursive: true });
  await writeFile(path.join(dir, "schemas", name, "provider.json"), JSON.stringify(manifest));
  for (const [file, schema] of Object.entries(schemas)) {
    await mkdir(path.dirname(path.join(dir, "schemas", name, "v1", file)), { recursive: true });
    await writeFile(path.join(dir, "schemas", name, "v1", file), JSON.stringify(schema));
  }
  return dir;
}

const hubSchemas = {
  "pull_request.opened.schema.json": object({ action: { const: "opened" }, number: { type: "integer" } }),
  "pull_request.closed.schema.json": object({ action: { const: "closed" }, merged: { type: "boolean" } }),
  "issues.schema.json": object({ action: { enum: ["opened", "closed"] }, issue: object({ title: { type: "string" } }) }),
  "ping.schema.json": object({ zen: { type: "string" } }),
};
const hubManifest = { name: "hub", title: "Hub", event: { in: "header", name: "X-GitHub-Event", refine: "/action" }, signing: githubSigning };

async function generated(dir: string, handlers = false) {
  const result = await run(handlers ? ["--handlers", "handlers"] : [], dir);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
}

describe("a header refined by a body property (GitHub: X-GitHub-Event + /action)", async () => {
  const dir = await project(hubManifest, hubSchemas, "codegen-hub-");
  await generated(dir, true);
  const hub = await import(pathToFileURL(path.join(dir, "generated/hub/index.ts")).href);

  async function deliver(on: Record<string, (event: unknown, context: { name: string }) => void>, event: string | undefined, payload: unknown) {
    const body = JSON.stringify(payload);
    const signed = await hub.signHubWebhook(body, { secret, event: event ?? "unused" });
    if (event === undefined) delete signed.headers["x-github-event"];
    const handler = hub.createHubWebhookHandler({ secret, on });
    return handler(new Request("http://127.0.0.1/hooks", { method: "POST", headers: signed.headers, body }));
  }

  it("pull_request + opened reaches the pull_request.opened handler, not the whole event's", async () => {
    const seen: string[] = [];
    const response = await deliver(
      { "pull_request.opened": (_, c) => void seen.push(`opened:${c.name}`), pull_request: (_, c) => void seen.push(`any:${c.name}`) },
      "pull_request",
      { action: "opened", number: 7 },
    );
    expect(response.status).toBe(200);
    expect(seen).toEqual(["opened:pull_request.opened"]);
  });

  it("an action without its own handler reaches the whole event's handler, named by its action", async () => {
    const seen: unknown[] = [];
    const response = await deliver({ pull_request: (event, c) => void seen.push([c.name, event]) }, "pull_request", { action: "closed", merged: true });
    expect(response.status).toBe(200);
    expect(seen).toEqual([["pull_request.closed", { action: "closed", merged: true }]]);
  });

  it("the refined event's schema is the one checked: a closed payload that is not one is 400", async () => {
    const response = await deliver({}, "pull_request", { action: "closed", merged: "yes" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_payload", errors: [{ path: "/merged" }] });
  });

  it("an event without an action, or with one schema for all its actions, keeps the header's name", async () => {
    const seen: string[] = [];
    const on = { ping: (_: unknown, c: { name: string }) => void seen.push(c.name), issues: (_: unknown, c: { name: string }) => void seen.push(c.name) };
    expect((await deliver(on, "ping", { zen: "Design for failure." })).status).toBe(200);
    expect((await deliver(on, "issues", { action: "closed", issue: { title: "t" } })).status).toBe(200);
    expect(seen).toEqual(["ping", "issues"]);
  });

  it("without the header: 400 unknown_event naming the header; an unknown header value names the event", async () => {
    const missing = await deliver({}, undefined, { zen: "z" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: "unknown_event", errors: [{ message: "the X-GitHub-Event header, which names the event, is missing" }] });
    const unknown = await deliver({}, "star", { action: "created" });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('unknown event \\"star.created\\"');
  });

  it("over node:http on 127.0.0.1 (toNodeListener), a delivery signed as GitHub signs it reaches pull_request.opened", async () => {
    const { createServer } = await import("node:http");
    const seen: string[] = [];
    const handler = hub.createHubWebhookHandler({ secret, on: { "pull_request.opened": (_: unknown, c: { name: string }) => void seen.push(c.name) } });
    const server = createServer(hub.toNodeListener(handler));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const body = JSON.stringify({ action: "opened", number: 9 });
      const signed = await hub.signHubWebhook(body, { secret, event: "pull_request" });
      const response = await fetch(`http://127.0.0.1:${port}/hooks`, { method: "POST", headers: signed.headers, body });
      expect(response.status).toBe(200);
      expect(seen).toEqual(["pull_request.opened"]);
      const { "x-github-event": _, ...unnamed } = signed.headers;
      const missing = await fetch(`http://127.0.0.1:${port}/hooks`, { method: "POST", headers: unnamed, body });
      expect(missing.status).toBe(400);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("parseHubWebhook takes the headers, and says which header it lacks", () => {
    const body = JSON.stringify({ action: "opened", number: 1 });
    expect(hub.parseHubWebhook(body, { "X-GitHub-Event": "pull_request" })).toMatchObject({ ok: true, name: "pull_request.opened" });
    expect(hub.parseHubWebhook(body, new Headers({ "x-github-event": "pull_request" }))).toMatchObject({ ok: true, name: "pull_request.opened" });
    expect(hub.parseHubWebhook(body)).toMatchObject({ ok: false, error: { kind: "unknown_event", errors: [{ message: "the X-GitHub-Event header, which names the event, is not given" }] } });
  });

  it("signHubWebhook needs the event's header value", async () => {
    await expect(hub.signHubWebhook("{}", { secret })).rejects.toThrow(/names its events in the X-GitHub-Event header: pass the event's name as `event`/);
  });

  it("the types: parse needs the headers; a handler by header name receives the union of its actions; strict tsc is clean", async () => {
    await writeFile(
      path.join(dir, "usage.ts"),
      `import { createHubWebhookHandler, parseHubWebhook, signHubWebhook, type HubEventGroups } from "./generated/hub/index.js";
// @ts-expect-error the headers name the event
parseHubWebhook("{}");
const grouped: HubEventGroups["pull_request"] = "pull_request.closed";
void grouped;
createHubWebhookHandler({
  secret: "s",
  on: {
    pull_request: (event, context) => {
      const name: "pull_request.opened" | "pull_request.closed" = context.name;
      if (event.action === "opened") { const n: number | undefined = event.number; void n; }
      // @ts-expect-error merged is only on closed
      void event.merged;
      void name;
    },
    "pull_request.opened": (event) => { const action: "opened" = event.action; void action; },
    // @ts-expect-error no such event or header value
    pull: () => undefined,
  },
});
// @ts-expect-error the header's value is needed to sign
void signHubWebhook("{}", { secret: "s" });
void signHubWebhook("{}", { secret: "s", event: "pull_request" });
// @ts-expect-error not a value of the header
void signHubWebhook("{}", { secret: "s", event: "pull_request.opened" });
`,
    );
    await writeFile(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2022", "dom"], types: [], skipLibCheck: true, allowImportingTsExtensions: false }, include: ["usage.ts", "generated/**/*.ts", "handlers/**/*.ts"] }),
    );
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const result = await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir }).then(
      () => "",
      (error: { stdout: string }) => error.stdout,
    );
    expect(result).toBe("");
  }, 120_000);

  it("codegen validate: --event and <payload>.headers.json name the event; a payload with neither is told which it lacks", async () => {
    await writeFile(path.join(dir, "opened.json"), JSON.stringify({ action: "opened", number: 3 }));
    await writeFile(path.join(dir, "closed.json"), JSON.stringify({ action: "closed", merged: "no" }));
    await writeFile(path.join(dir, "closed.json.headers.json"), JSON.stringify({ "X-GitHub-Event": "pull_request" }));
    const flag = await run(["validate", "--event", "pull_request", "opened.json"], dir);
    expect(flag.code).toBe(0);
    expect(flag.stdout).toMatch(/✅ opened\.json {2}hub\/v1 pull_request\.opened/);
    const beside = await run(["validate", "closed.json"], dir);
    expect(beside.code).toBe(1);
    expect(beside.stdout).toMatch(/❌ closed\.json {2}hub\/v1 pull_request\.closed: does not match its schema\n {4}\/merged: /);
    const neither = await run(["validate", "opened.json"], dir);
    expect(neither.code).toBe(1);
    expect(neither.stdout + neither.stderr).toMatch(/hub names its events in the X-GitHub-Event header: pass --event NAME or put the headers in opened\.json\.headers\.json/);
  });
});

describe("a header alone (Shopify: X-Shopify-Topic)", async () => {
  const shopifySigning = { scheme: "hmac", algorithm: "sha256", encoding: "base64", header: "X-Shopify-Hmac-Sha256" };
  const dir = await project(
    { name: "shop", title: "Shop", event: { in: "header", name: "X-Shopify-Topic" }, signing: shopifySigning },
    { "orders/create.schema.json": object({ id: { type: "integer" } }), "app/uninstalled.schema.json": object({ id: { type: "integer" }, name: { type: "string" } }) },
    "codegen-shop-",
  );
  await generated(dir, true);
  const shop = await import(pathToFileURL(path.join(dir, "generated/shop/index.ts")).href);

  it("a topic with a slash is the event in its folder; the receiver dispatches on the header", async () => {
    const seen: unknown[] = [];
    const handler = shop.createShopWebhookHandler({ secret, on: { "orders/create": (event: unknown, c: { name: string }) => void seen.push([c.name, event]) } });
    const body = JSON.stringify({ id: 820982911946154500 });
    const signed = await shop.signShopWebhook(body, { secret, event: "orders/create" });
    expect(signed.headers["x-shopify-topic"]).toBe("orders/create");
    const response = await handler(new Request("http://127.0.0.1/hooks", { method: "POST", headers: signed.headers, body }));
    expect(response.status).toBe(200);
    expect(seen).toEqual([["orders/create", { id: 820982911946154500 }]]);
    // the same body under another topic is checked against that topic's schema
    const other = await shop.signShopWebhook(body, { secret, event: "app/uninstalled" });
    const refused = await handler(new Request("http://127.0.0.1/hooks", { method: "POST", headers: other.headers, body }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_payload" });
  });

  it("handler stubs exist for each topic, typed by it", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    expect((await readdir(path.join(dir, "handlers/shop"))).sort()).toEqual(["app_uninstalled.ts", "orders_create.ts"]);
    expect(await readFile(path.join(dir, "handlers/shop/orders_create.ts"), "utf8")).toContain('event: ShopEventMap["orders/create"]');
    expect(await readFile(path.join(dir, "generated/shop/handlers.ts"), "utf8")).toContain('"orders/create"');
  });
});

describe("codegen diff of a header-named provider", () => {
  it("compares events named by the header (and refined), each receiver break proved by a witness", async () => {
    const dir = await project(hubManifest, hubSchemas, "codegen-hubdiff-");
    await mkdir(path.join(dir, "schemas/hub/v2/pull_request"), { recursive: true });
    const v2 = {
      ...hubSchemas,
      "pull_request.closed.schema.json": object({ action: { const: "closed" }, merged: { type: "boolean" }, merged_by: { type: "string" } }),
      "pull_request.reopened.schema.json": object({ action: { const: "reopened" } }),
    };
    for (const [file, schema] of Object.entries(v2)) await writeFile(path.join(dir, "schemas/hub/v2", file), JSON.stringify(schema));
    const result = await run(["diff", "schemas/hub/v1", "schemas/hub/v2", "--json"], dir);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout);
    const text = JSON.stringify(report);
    expect(text).toContain("pull_request.reopened");
    expect(text).toContain("merged_by");
    const plain = await run(["diff", "schemas/hub/v1", "schemas/hub/v2"], dir);
    expect(plain.stdout).toMatch(/pull_request\.closed/);
    expect(plain.stdout).toMatch(/merged_by/);
    expect(plain.stdout).toMatch(/pull_request\.reopened/);
  });
});

describe("a refined event's file name and its schema agree", () => {
  it("pull_request.opened.schema.json pinning /action to closed is a problem naming the file", async () => {
    const dir = await project(hubManifest, { "pull_request.opened.schema.json": object({ action: { const: "closed" } }) }, "codegen-hubname-");
    const result = await run([], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pull_request\.opened\.schema\.json: the file is named for event "pull_request\.opened" but the schema pins \/action to "closed"/);
  });

  it("a header value with a '.' in it: app.v2.installed.schema.json is header app.v2 refined by installed", async () => {
    const schemas = { "app.v2.installed.schema.json": object({ action: { const: "installed" }, id: { type: "integer" } }) };
    const dir = await project(hubManifest, schemas, "codegen-hubdot-");
    await generated(dir);
    const hub = await import(pathToFileURL(path.join(dir, "generated/hub/index.ts")).href);
    const seen: string[] = [];
    const handler = hub.createHubWebhookHandler({ secret, on: { "app.v2": (_: unknown, c: { name: string }) => void seen.push(c.name) } });
    const body = JSON.stringify({ action: "installed", id: 1 });
    const signed = await hub.signHubWebhook(body, { secret, event: "app.v2" });
    const response = await handler(new Request("http://127.0.0.1/hooks", { method: "POST", headers: signed.headers, body }));
    expect(response.status).toBe(200);
    expect(seen).toEqual(["app.v2.installed"]);
  });
});

describe("the generated snapshot tests of a header-named provider", () => {
  it("give each sample its event's header, and each test payload the headers of its <file>.headers.json", async () => {
    const dir = await project(hubManifest, hubSchemas, "codegen-hubtests-");
    await mkdir(path.join(dir, "schemas/hub/v1/examples"), { recursive: true });
    await writeFile(path.join(dir, "schemas/hub/v1/examples/pull_request.opened.json"), JSON.stringify({ action: "opened", number: 1 }));
    await mkdir(path.join(dir, "captures"), { recursive: true });
    await writeFile(path.join(dir, "captures/ping.json"), JSON.stringify({ zen: "z" }));
    await writeFile(path.join(dir, "captures/ping.json.headers.json"), JSON.stringify({ "X-GitHub-Event": "ping" }));
    await writeFile(path.join(dir, "captures/bare.json"), JSON.stringify({ zen: "z" }));
    await writeFile(path.join(dir, "codegen.config.json"), JSON.stringify({ tests: "vitest", testPayloads: { hub: ["captures"] } }));
    await generated(dir);
    const { readFile } = await import("node:fs/promises");
    const test = await readFile(path.join(dir, "generated/hub/webhooks.test.ts"), "utf8");
    expect(test).toContain("parseHubWebhook(body, headers)");
    const cases = [...test.matchAll(/^ {2}\[(".*)\],$/gm)].map((m) => JSON.parse(`[${m[1]}]`) as [string, string, Record<string, string>]);
    expect(cases.map(([file, , headers]) => [file, headers])).toEqual([
      ["schemas/hub/v1/examples/pull_request.opened.json", { "X-GitHub-Event": "pull_request" }],
      ["captures/bare.json", {}],
      ["captures/ping.json", { "X-GitHub-Event": "ping" }],
    ]);
    const hub = await import(pathToFileURL(path.join(dir, "generated/hub/index.ts")).href);
    expect(cases.map(([, body, headers]) => hub.parseHubWebhook(body, headers).ok)).toEqual([true, false, true]);
  });
});

describe("a version named by a header", () => {
  it("is refused, naming the field, rather than ignored", async () => {
    const dir = await project({ ...hubManifest, version: { in: "header", name: "X-Api-Version" } }, hubSchemas, "codegen-hubversion-");
    const result = await run([], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/schemas\/hub\/provider\.json#\/version: a version named by a header is not supported/);
  });
});
