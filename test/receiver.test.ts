import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentMailWebhookHandler, parseAgentMailWebhook, verifyAgentMailWebhook } from "../generated/agentmail/index.js";
import { createPlainWebhookHandler, parsePlainWebhook, toNodeListener, verifyPlainWebhook } from "../generated/plain/index.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels } from "../src/model/build.js";
import { cryptoInUse, useCrypto } from "../generated/runtime.js";
import { catalogueDir, generatedProviders, repoRoot } from "./helpers.js";

// Signing done here with node:crypto, independently of the generated Web Crypto code.
const plainSecret = "plain-test-secret";
const agentMailSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

function signPlain(body: string, secret = plainSecret): Record<string, string> {
  return { "content-type": "application/json", "plain-request-signature": createHmac("sha256", secret).update(body).digest("hex") };
}

function signStandard(body: string, seconds: number, secret = agentMailSecret, prefix = "svix"): Record<string, string> {
  const id = `msg_${seconds}`;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${seconds}.${body}`).digest("base64");
  return { "content-type": "application/json", [`${prefix}-id`]: id, [`${prefix}-timestamp`]: String(seconds), [`${prefix}-signature`]: `v1,${signature}` };
}

const models = buildModels((await loadCatalogue(catalogueDir, { cwd: repoRoot, providers: generatedProviders })).providers);
const samples = (provider: string) =>
  models
    .filter((m) => m.provider.name === provider)
    .flatMap((m) => m.samples.filter((s) => !s.expect).map((s) => ({ version: m.version, sample: s })));

/** The clock the handlers see, set per request: tests never depend on real time. */
let clock = 0;
const calls: { provider: string; name: string; event: unknown; version: string }[] = [];
// a handler for every name (the router asks for own properties, so the proxy reports them as such)
const record = (provider: string) => {
  const handler = (name: string) => (event: unknown, context: { version: string }) => void calls.push({ provider, name, event, version: context.version });
  return new Proxy({}, {
    get: (_, name: string) => handler(name),
    getOwnPropertyDescriptor: (_, name: string) => ({ value: handler(name), writable: true, enumerable: true, configurable: true }),
  });
};

const plainHandler = createPlainWebhookHandler({ secret: ["an-old-secret", plainSecret], on: record("plain"), now: () => clock });
const agentMailHandler = createAgentMailWebhookHandler({ secret: agentMailSecret, on: record("agentmail"), now: () => clock });
const throwing = createPlainWebhookHandler({
  secret: plainSecret,
  on: { "thread.email_sent": () => { throw new Error("database password is hunter2"); } },
  now: () => clock,
});
const partial = createPlainWebhookHandler({ secret: plainSecret, on: {}, unhandledStatus: 202, now: () => clock });

let server: Server;
let base: string;
beforeAll(async () => {
  const routes: Record<string, (request: Request) => Promise<Response>> = {
    "/plain": plainHandler,
    "/agentmail": agentMailHandler,
    "/throwing": throwing,
    "/partial": partial,
  };
  const listeners = Object.fromEntries(Object.entries(routes).map(([route, handler]) => [route, toNodeListener(handler, { maxBodyBytes: 256 * 1024 })]));
  server = createServer((req, res) => void listeners[req.url ?? ""]!(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (route: string, body: string | ArrayBuffer, headers: Record<string, string>) =>
  fetch(`${base}${route}`, { method: "POST", body, headers });

function plainTime(payload: any): number {
  return Date.parse(payload.webhookMetadata.webhookDeliveryAttemptTimestamp);
}

describe("a real node:http server on 127.0.0.1", () => {
  it.each(samples("plain").map((s) => [`${s.version}/${s.sample.file}`, s] as const))(
    "Plain %s: signed, it reaches its handler with the parsed event",
    async (_, { version, sample }) => {
      const body = JSON.stringify(sample.json);
      clock = plainTime(sample.json) + 1000;
      calls.length = 0;
      const response = await post("/plain", body, signPlain(body));
      expect(response.status).toBe(200);
      expect(calls).toEqual([{ provider: "plain", name: (sample.json as any).payload.eventType, event: sample.json, version }]);
    },
  );

  it.each(samples("agentmail").map((s) => [s.sample.file, s] as const))(
    "AgentMail %s: signed, it reaches its handler with the parsed event",
    async (_, { sample }) => {
      const body = JSON.stringify(sample.json);
      clock = 1_760_000_000_000;
      calls.length = 0;
      const response = await post("/agentmail", body, signStandard(body, clock / 1000));
      expect(response.status).toBe(200);
      expect(calls).toEqual([{ provider: "agentmail", name: (sample.json as any).event_type, event: sample.json, version: "2026-08-03" }]);
    },
  );

  const plainSample = samples("plain").find((s) => s.sample.file === "thread.email_sent.json" && s.version === "2026-02-27")!.sample.json as any;
  const plainBody = JSON.stringify(plainSample);
  const agentMailBody = JSON.stringify(samples("agentmail")[0]!.sample.json);

  it.each([
    ["a tampered body", () => post("/plain", plainBody.replace("Re:", "RE:"), signPlain(plainBody)), "invalid_signature"],
    ["a wrong secret", () => post("/plain", plainBody, signPlain(plainBody, "not-the-secret")), "invalid_signature"],
    ["no signature header", () => post("/plain", plainBody, { "content-type": "application/json" }), "missing_signature"],
    ["a signature that is not hex", () => post("/plain", plainBody, { "plain-request-signature": "zz" }), "invalid_signature"],
    ["a stale delivery", () => ((clock = plainTime(plainSample) + 301_000), post("/plain", plainBody, signPlain(plainBody))), "stale_timestamp"],
    ["a delivery from the future", () => ((clock = plainTime(plainSample) - 301_000), post("/plain", plainBody, signPlain(plainBody))), "future_timestamp"],
    ["AgentMail: a tampered body", () => post("/agentmail", agentMailBody + " ", signStandard(agentMailBody, clock / 1000)), "invalid_signature"],
    ["AgentMail: a wrong secret", () => post("/agentmail", agentMailBody, signStandard(agentMailBody, clock / 1000, "whsec_" + Buffer.from("other").toString("base64"))), "invalid_signature"],
    ["AgentMail: missing headers", () => post("/agentmail", agentMailBody, { "svix-id": "msg_1" }), "missing_signature"],
    ["AgentMail: a stale timestamp", () => post("/agentmail", agentMailBody, signStandard(agentMailBody, clock / 1000 - 301)), "stale_timestamp"],
    ["AgentMail: a future timestamp", () => post("/agentmail", agentMailBody, signStandard(agentMailBody, clock / 1000 + 301)), "future_timestamp"],
  ] as const)("refuses %s with 401", async (name, send, reason) => {
    // the clock a fresh delivery would see; the stale and future cases move it themselves
    clock = name.startsWith("AgentMail") ? 1_760_000_000_000 : plainTime(plainSample) + 1000;
    calls.length = 0;
    const response = await send();
    expect(response.status).toBe(401);
    expect((await response.json()).error).toBe(reason);
    expect(calls).toEqual([]);
  });

  it("accepts the webhook-* header names as well as svix-*", async () => {
    clock = 1_760_000_000_000;
    const response = await post("/agentmail", agentMailBody, signStandard(agentMailBody, clock / 1000, agentMailSecret, "webhook"));
    expect(response.status).toBe(200);
  });

  it("answers a signed body that is not JSON with 400", async () => {
    clock = 1_760_000_000_000;
    const response = await post("/agentmail", "{ not json", signStandard("{ not json", clock / 1000));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_json" });
  });

  it("answers a signed payload that fails its schema with 400 and the errors' paths", async () => {
    const broken = structuredClone(plainSample);
    broken.payload.thread.status = "OPEN";
    delete broken.payload.email.subject;
    const body = JSON.stringify(broken);
    clock = plainTime(broken) + 1000;
    const response = await post("/plain", body, signPlain(body));
    expect(response.status).toBe(400);
    const answer = await response.json();
    expect(answer.error).toBe("invalid_payload");
    expect(answer.errors.map((e: { path: string }) => e.path)).toEqual(["/payload/thread/status", "/payload/email"]);
    expect(answer.errors[0].message).toBe('must be one of TODO, DONE, SNOOZED, UNKNOWN_THREAD_STATUS; got "OPEN"');
  });

  it("answers a payload of an unknown version with 400 version_mismatch", async () => {
    const other = structuredClone(plainSample);
    other.webhookMetadata.webhookTargetVersion = "2099-01-01";
    const body = JSON.stringify(other);
    clock = plainTime(other) + 1000;
    const response = await post("/plain", body, signPlain(body));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "version_mismatch" });
  });

  it("answers 500 when a handler throws, without revealing the error", async () => {
    clock = plainTime(plainSample) + 1000;
    const response = await post("/throwing", plainBody, signPlain(plainBody));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("hunter2");
    expect(JSON.parse(text)).toEqual({ error: "handler_failed" });
  });

  it("answers a valid event that has no handler with the configured 2xx", async () => {
    clock = plainTime(plainSample) + 1000;
    const response = await post("/partial", plainBody, signPlain(plainBody));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ok: true, handled: false });
  });

  it("refuses a body over the limit with 413, as soon as it passes the limit", async () => {
    const huge = new ArrayBuffer(300 * 1024);
    const response = await post("/plain", huge, { "plain-request-signature": "00" });
    expect(response.status).toBe(413);
    // 10 MB streamed without a length: refused once 256 kB have arrived, not buffered whole
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(32);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 10 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const streamed = await fetch(`${base}/plain`, { method: "POST", body: stream, headers: { "plain-request-signature": "00" }, duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(10 * 1024 * 1024);
  });

  it("answers JSON nested 100 000 levels deep with 400, and keeps serving", async () => {
    clock = 1_760_000_000_000;
    const deep = '{"type":"event","event_type":"message.sent","event_id":"e","send":' + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    const response = await post("/agentmail", deep, signStandard(deep, clock / 1000));
    expect(response.status).toBe(400);
    const next = await post("/agentmail", agentMailBody, signStandard(agentMailBody, clock / 1000));
    expect(next.status).toBe(200);
  });

  it("refuses a body whose text is the same but whose bytes are not the ones signed", async () => {
    clock = 1_760_000_000_000;
    // é as one code point was signed; é as e + combining accent is sent: equal to a reader, not to HMAC
    const signedText = agentMailBody.replace('"event_id":"', '"event_id":"\u00e9');
    const sentText = agentMailBody.replace('"event_id":"', '"event_id":"e\u0301');
    const response = await post("/agentmail", sentText, signStandard(signedText, clock / 1000));
    expect(response.status).toBe(401);
  });
});

describe("the handler called directly with a Fetch Request", () => {
  it("handles a signed Plain event and refuses a GET", async () => {
    const sample = samples("plain").find((s) => s.sample.file === "thread.chat_sent.json")!.sample.json as any;
    const body = JSON.stringify(sample);
    clock = plainTime(sample) + 1000;
    calls.length = 0;
    const response = await plainHandler(new Request("https://example.com/hooks/plain", { method: "POST", body, headers: signPlain(body) }));
    expect(response.status).toBe(200);
    expect(calls.map((c) => c.name)).toEqual(["thread.chat_sent"]);
    expect((await plainHandler(new Request("https://example.com/hooks/plain"))).status).toBe(405);
  });
});

describe("parse and verify on their own", () => {
  it("parse tells invalid JSON, unknown events and bad payloads apart, and keeps __proto__ out of prototypes", () => {
    expect(parsePlainWebhook("{")).toMatchObject({ ok: false, error: { kind: "invalid_json" } });
    expect(parseAgentMailWebhook('{"type":"event","event_type":"message.exploded"}')).toMatchObject({ ok: false, error: { kind: "unknown_event", event: "message.exploded" } });
    const hostile = parseAgentMailWebhook('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "type": "event"}');
    expect(hostile.ok).toBe(false);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("verify accepts any of several secrets (rotation) and says why it refuses", async () => {
    const body = '{"webhookMetadata":{"webhookDeliveryAttemptTimestamp":"2026-01-01T00:00:00Z"}}';
    const now = () => Date.parse("2026-01-01T00:01:00Z");
    expect(await verifyPlainWebhook({ headers: signPlain(body, "new"), body }, ["old", "new"], { now })).toEqual({ ok: true });
    expect(await verifyPlainWebhook({ headers: { "PLAIN-REQUEST-SIGNATURE": signPlain(body)["plain-request-signature"]! }, body }, plainSecret, { now })).toEqual({ ok: true });
    expect(await verifyPlainWebhook({ headers: signPlain(body), body }, plainSecret, { now: () => now() + 600_000 })).toMatchObject({ ok: false, reason: "stale_timestamp" });
    expect(await verifyPlainWebhook({ headers: signPlain(body), body }, plainSecret, { now, toleranceSeconds: 30 })).toMatchObject({ ok: false, reason: "stale_timestamp" });
  });

  it("refuses to start with an empty secret", () => {
    expect(() => createAgentMailWebhookHandler({ secret: "whsec_", on: {} })).toThrow(/secret/);
    expect(() => createPlainWebhookHandler({ secret: "", on: {} })).toThrow(/secret/);
  });
});

// The published test vectors, read in place; skipped (saying so) without ../shared.
const vectorsDir = path.resolve(repoRoot, "..", "shared", "corpus", "signing");
const haveVectors = await readFile(path.join(vectorsDir, "standard-webhooks-test-vectors.json"), "utf8").then(
  () => true,
  () => false,
);
if (!haveVectors) console.warn(`signing vectors skipped: ${vectorsDir} not found (CI has it beside the checkout)`);

// Both paths: Node's crypto (the default here) and Web Crypto (forced), the same verdicts.
describe.skipIf(!haveVectors).each(["node", "web"] as const)("signing test vectors (../shared/corpus/signing), %s crypto", (crypto) => {
  beforeAll(() => useCrypto(crypto === "web" ? "web" : "auto"));
  afterAll(() => useCrypto("auto"));
  it("runs on the crypto it says", () => expect(cryptoInUse()).toBe(crypto));

  it("Standard Webhooks: every vector with a signature verifies, under svix-* and webhook-* names", async () => {
    const file = JSON.parse(await readFile(path.join(vectorsDir, "standard-webhooks-test-vectors.json"), "utf8"));
    const vectors = [...file.upstream_vectors, ...file.derived_vectors_computed_locally].filter((v: any) => v.secret && v.msg_id);
    expect(vectors.length).toBeGreaterThanOrEqual(3);
    for (const v of vectors) {
      for (const prefix of ["svix", "webhook"]) {
        const headers = { [`${prefix}-id`]: v.msg_id, [`${prefix}-timestamp`]: String(v.timestamp), [`${prefix}-signature`]: v.signature_header ?? v.expected_signature };
        const result = await verifyAgentMailWebhook({ headers, body: v.payload }, v.secret, { now: () => v.timestamp * 1000 });
        expect(result, v.name).toEqual({ ok: true });
        const late = await verifyAgentMailWebhook({ headers, body: v.payload }, v.secret, { now: () => (v.timestamp + 301) * 1000 });
        expect(late, v.name).toMatchObject({ ok: false, reason: "stale_timestamp" });
      }
    }
  });

  it("Standard Webhooks: the negative cases are refused", async () => {
    const file = JSON.parse(await readFile(path.join(vectorsDir, "standard-webhooks-test-vectors.json"), "utf8"));
    const good = file.upstream_vectors[0];
    const verify = (signature: string) =>
      verifyAgentMailWebhook(
        { headers: { "webhook-id": good.msg_id, "webhook-timestamp": String(good.timestamp), "webhook-signature": signature }, body: good.payload },
        good.secret,
        { now: () => good.timestamp * 1000 },
      );
    for (const negative of file.upstream_negative_and_edge_cases) {
      if (negative.signature_header && negative.expect === "verification error") {
        expect(await verify(negative.signature_header), negative.name).toMatchObject({ ok: false, reason: "invalid_signature" });
      }
      if (negative.secrets && negative.expect === "constructor error") {
        for (const secret of negative.secrets) expect(() => createAgentMailWebhookHandler({ secret, on: {} }), negative.name).toThrow();
      }
    }
  });

  it("Plain: every vector's signature verifies, and the payload's own clock decides freshness", async () => {
    const file = JSON.parse(await readFile(path.join(vectorsDir, "plain-signature-vectors.json"), "utf8"));
    for (const v of file.vectors) {
      const headers = { "Plain-Request-Signature": v.expected_signature_hex ?? v.signature };
      const now = v.valid_when_now_utc ? Date.parse(v.valid_when_now_utc.split(" ")[0]) : Date.parse("2023-10-19T14:17:26Z");
      const result = await verifyPlainWebhook({ headers, body: v.body }, v.secret, { now: () => now });
      if (v.name === "mismatch") expect(result, v.name).toMatchObject({ ok: false, reason: "invalid_signature" });
      else if (v.name === "non-JSON body") expect(result, v.name).toMatchObject({ ok: false, reason: "stale_timestamp" });
      else expect(result, v.name).toEqual({ ok: true });
    }
    const [first] = file.vectors;
    const withRealClock = await verifyPlainWebhook({ headers: { "Plain-Request-Signature": first.expected_signature_hex }, body: first.body }, first.secret);
    expect(withRealClock).toMatchObject({ ok: false, reason: "stale_timestamp" });
  });
});
