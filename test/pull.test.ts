import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodegenError } from "../src/errors.js";
import { pullSchemas } from "../src/pull.js";
import { run, snapshot, tempDir } from "./helpers.js";

/**
 * A local server on 127.0.0.1 plays the provider's schema host: documents by version,
 * with ETags, a 304 when nothing changed, and the ways it can fail.
 */
const documents: Record<string, { body: string; etag: string }> = {};
let requests: { url: string; ifNoneMatch?: string }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const version = (req.url ?? "").replace(/^\/schemas\//, "").replace(/\.json$/, "");
    requests.push({ url: req.url ?? "", ...(req.headers["if-none-match"] ? { ifNoneMatch: String(req.headers["if-none-match"]) } : {}) });
    if (version === "broken") return void res.writeHead(500).end("internal error");
    if (version === "garbage") return void res.writeHead(200, { "content-type": "application/json" }).end("{ not json");
    if (version === "array") return void res.writeHead(200).end("[1, 2]");
    if (version === "slow") return void setTimeout(() => res.writeHead(200).end("{}"), 2_000);
    const doc = documents[version];
    if (!doc) return void res.writeHead(404).end();
    if (req.headers["if-none-match"] === doc.etag) return void res.writeHead(304, { etag: doc.etag }).end();
    res.writeHead(200, { "content-type": "application/json", etag: doc.etag }).end(doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function catalogue(): Promise<string> {
  const root = path.join(await tempDir("codegen-pull-"), "schemas");
  await mkdir(path.join(root, "acme"), { recursive: true });
  await writeFile(
    path.join(root, "acme/provider.json"),
    JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" }, publish: { url: `${base}/schemas/{version}.json` } }),
  );
  return root;
}

const document = (revision: number) =>
  JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", anyOf: [{ type: "object", properties: { type: { const: "ping" }, n: { const: revision } }, required: ["type"] }] });

describe("codegen pull", () => {
  it("downloads, then downloads nothing while nothing changed, then picks up a changed revision", async () => {
    const root = await catalogue();
    documents["v1"] = { body: document(1), etag: '"r1"' };
    requests = [];
    const first = await pullSchemas({ catalogue: root, provider: "acme", version: "v1" });
    expect(first).toMatchObject({ status: "downloaded", changed: true, version: "v1" });
    const file = path.join(root, "acme/v1/acme.bundle.json");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(JSON.parse(document(1)));

    const second = await pullSchemas({ catalogue: root, provider: "acme", version: "v1" });
    expect(second.status).toBe("unchanged");
    expect(requests.map((r) => r.ifNoneMatch)).toEqual([undefined, '"r1"']);

    documents["v1"] = { body: document(2), etag: '"r2"' };
    const third = await pullSchemas({ catalogue: root, provider: "acme", version: "v1" });
    expect(third).toMatchObject({ status: "downloaded", changed: true });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(JSON.parse(document(2)));
  });

  it("re-downloads when the local copy was edited, even if the server says 304", async () => {
    const root = await catalogue();
    documents["v1"] = { body: document(3), etag: '"r3"' };
    await pullSchemas({ catalogue: root, provider: "acme", version: "v1" });
    const file = path.join(root, "acme/v1/acme.bundle.json");
    await writeFile(file, "{}\n");
    requests = [];
    expect(await pullSchemas({ catalogue: root, provider: "acme", version: "v1" })).toMatchObject({ status: "downloaded", changed: true });
    expect(requests[0]!.ifNoneMatch).toBeUndefined();
  });

  it.each([
    ["a 500", "broken", /the server answered 500/],
    ["invalid JSON", "garbage", /the answer is not JSON/],
    ["JSON that is not a schema", "array", /not a JSON Schema document/],
    ["a missing document", "nowhere", /the server answered 404/],
    ["a slow server", "slow", /no answer within 0\.5 s/],
  ])("%s: a clear error, and the schemas on disk untouched", async (_, version, message) => {
    const root = await catalogue();
    documents["v1"] = { body: document(4), etag: '"r4"' };
    await pullSchemas({ catalogue: root, provider: "acme", version: "v1" });
    await mkdir(path.join(root, "acme", version), { recursive: true });
    await writeFile(path.join(root, "acme", version, "acme.bundle.json"), document(0));
    const before = await snapshot(root);
    const error = await pullSchemas({ catalogue: root, provider: "acme", version, timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodegenError);
    expect((error as CodegenError).message).toMatch(message);
    expect((error as CodegenError).message).toContain("nothing was changed");
    expect(await snapshot(root)).toEqual(before);
  });

  it("offline: says the host cannot be reached", async () => {
    const root = await catalogue();
    const manifest = path.join(root, "acme/provider.json");
    const json = JSON.parse(await readFile(manifest, "utf8"));
    // a port that was just free: nothing listens there
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    json.publish.url = `http://127.0.0.1:${port}/{version}.json`;
    await writeFile(manifest, JSON.stringify(json));
    const error = await pullSchemas({ catalogue: root, provider: "acme", version: "v1" }).catch((e: unknown) => e);
    expect((error as CodegenError).message).toMatch(/cannot fetch the schemas: the connection was refused; nothing was changed/);
    expect(existsSync(path.join(root, "acme/v1"))).toBe(false);
  });

  it("a manifest without publish.url says what to add", async () => {
    const root = await catalogue();
    const manifest = path.join(root, "acme/provider.json");
    const json = JSON.parse(await readFile(manifest, "utf8"));
    delete json.publish;
    await writeFile(manifest, JSON.stringify(json));
    const error = await pullSchemas({ catalogue: root, provider: "acme", version: "v1" }).catch((e: unknown) => e);
    expect((error as CodegenError).message).toMatch(/provider\.json#\/publish: the manifest does not say where the provider publishes its schemas/);
  });

  it("replaces a version's per-event schemas as a unit, keeps its examples, and the README's CI recipe then works", async () => {
    const root = await catalogue();
    const project = path.dirname(root);
    const version = path.join(root, "acme/v1");
    await mkdir(path.join(version, "examples"), { recursive: true });
    const ping = (extra: Record<string, unknown>) =>
      JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { type: { const: "ping" }, ...extra }, required: ["type"] });
    await writeFile(path.join(version, "ping.schema.json"), ping({}));
    await mkdir(path.join(version, "shared"));
    await writeFile(path.join(version, "shared/definitions.json"), JSON.stringify({ definitions: { id: { type: "string" } } }));
    await writeFile(path.join(version, "examples/ping.json"), JSON.stringify({ type: "ping", n: 5 }));
    expect((await run(["--quiet"], project)).code).toBe(0);

    // the recipe: keep the committed schemas, pull the published ones, diff the two
    const committed = path.join(await tempDir("codegen-committed-"), "schemas");
    await cp(root, committed, { recursive: true });
    documents["v1"] = { body: document(5), etag: '"r5"' };
    const pulled = await run(["pull", "acme", "--version", "v1"], project);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain("it replaces the version's other schema files: schemas/acme/v1/ping.schema.json, schemas/acme/v1/shared/definitions.json");
    expect((await readdir(version)).sort()).toEqual([".pull.json", "acme.bundle.json", "examples"]);
    expect(await readFile(path.join(version, "examples/ping.json"), "utf8")).toContain('"n":5');
    expect((await readdir(path.join(root, "acme"))).filter((name) => name.startsWith("."))).toEqual([]);

    const generated = await run(["--quiet"], project);
    expect(generated.code, generated.stderr).toBe(0);
    const diff = await run(["diff", path.join(committed, "acme/v1"), "schemas/acme/v1", "--fail-on", "breaking"], project);
    expect(diff.stderr).toBe("");
    expect(diff.code, diff.stdout).toBe(0);
    expect(diff.stdout).toContain("ping");

    // pulled again with nothing new: nothing downloaded, nothing replaced
    const again = await run(["pull", "acme", "--version", "v1"], project);
    expect(again.stdout).toContain("unchanged");
  });
});
