// Signing schemes described by the manifest's parts (issue 13): each provider's documented
// vector (or its own library, as the reference) is verified and produced by the one runtime,
// on Node's crypto and on Web Crypto; a description that cannot work is a manifest error
// naming the field.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDelivery, useCrypto, verifyDelivery, cryptoInUse, type ProviderConfig } from "../generated/runtime.js";
import type { Signing } from "../src/load/manifest.js";
import { describeSigning, signingProblems } from "../src/load/signing.js";
import { repoRoot, run, tempDir } from "./helpers.js";

/** The manifests' `signing` of each scheme, as a user writes them (README: "Signing"). */
const schemes = {
  github: { scheme: "hmac", algorithm: "sha256", encoding: "hex", header: "X-Hub-Signature-256", prefix: "sha256=" },
  githubSha1: { scheme: "hmac", algorithm: "sha1", encoding: "hex", header: "X-Hub-Signature", prefix: "sha1=" },
  stripe: {
    scheme: "hmac",
    algorithm: "sha256",
    encoding: "hex",
    header: "Stripe-Signature",
    field: "v1",
    signed: "{timestamp}.{body}",
    timestamp: { in: "header", name: "Stripe-Signature", field: "t" },
    toleranceSeconds: 300,
  },
  slack: {
    scheme: "hmac",
    algorithm: "sha256",
    encoding: "hex",
    header: "X-Slack-Signature",
    prefix: "v0=",
    signed: "v0:{timestamp}:{body}",
    timestamp: { in: "header", name: "X-Slack-Request-Timestamp" },
    toleranceSeconds: 300,
  },
  shopify: { scheme: "hmac", algorithm: "sha256", encoding: "base64", header: "X-Shopify-Hmac-Sha256" },
  sha512: { scheme: "hmac", algorithm: "sha512", encoding: "base64", header: "X-Signature", secret: "base64" },
  plain: {
    scheme: "hmac",
    algorithm: "sha256",
    encoding: "hex",
    header: "Plain-Request-Signature",
    timestamp: { in: "body", pointer: "/webhookMetadata/webhookDeliveryAttemptTimestamp" },
    toleranceSeconds: 300,
  },
  standardWebhooks: {
    scheme: "hmac",
    algorithm: "sha256",
    encoding: "base64",
    header: "webhook-signature",
    prefix: "v1,",
    separator: " ",
    signed: "{id}.{timestamp}.{body}",
    timestamp: { in: "header", name: "webhook-timestamp" },
    id: { in: "header", name: "webhook-id" },
    secret: "whsec",
    toleranceSeconds: 300,
  },
} satisfies Record<string, Signing>;

const config = (signing: Signing): ProviderConfig => ({
  provider: "acme",
  event: [],
  versions: [["1", { schemaVersion: null, validateEvent: () => ({ ok: true, name: "x" }) }]],
  signing: describeSigning(signing),
});
const at = (seconds: number) => () => seconds * 1000;

describe("the described schemes are workable", () => {
  it.each(Object.entries(schemes))("%s: no manifest problem", (_, signing) => expect(signingProblems(signing)).toEqual([]));

  it("Plain's and Standard Webhooks' presets are the same descriptions as their parts", () => {
    const plain = JSON.parse(readFileSyncText("schemas/plain/provider.json")).signing as Signing;
    expect(describeSigning(plain)).toEqual(describeSigning(schemes.plain));
    expect(describeSigning({ scheme: "standard-webhooks", headerPrefixes: ["webhook"], toleranceSeconds: 300 })).toEqual(describeSigning(schemes.standardWebhooks));
  });
});

describe.each(["node", "web"] as const)("documented vectors, %s crypto", (crypto) => {
  beforeAll(() => useCrypto(crypto === "web" ? "web" : "auto"));
  afterAll(() => useCrypto("auto"));
  it("runs on the crypto it says", () => expect(cryptoInUse()).toBe(crypto));

  it("GitHub: the docs' example (secret \"It's a Secret to Everybody\", \"Hello, World!\")", async () => {
    const secret = "It's a Secret to Everybody";
    const expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    const signed = await signDelivery(config(schemes.github), "Hello, World!", { secret });
    expect(signed.headers["x-hub-signature-256"]).toBe(expected);
    expect(await verifyDelivery(config(schemes.github), { headers: { "X-Hub-Signature-256": expected }, body: "Hello, World!" }, secret)).toEqual({ ok: true });
    expect(await verifyDelivery(config(schemes.github), { headers: { "X-Hub-Signature-256": expected }, body: "Hello, World?" }, secret)).toMatchObject({ ok: false, reason: "invalid_signature" });
    // the hex alone, without its sha256= prefix, is not GitHub's signature
    expect(await verifyDelivery(config(schemes.github), { headers: { "X-Hub-Signature-256": expected.slice(7) }, body: "Hello, World!" }, secret)).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("GitHub's SHA-1 header: sha1= and 20 bytes, as node:crypto computes it", async () => {
    const secret = "It's a Secret to Everybody";
    const expected = `sha1=${createHmac("sha1", secret).update("Hello, World!").digest("hex")}`;
    expect((await signDelivery(config(schemes.githubSha1), "Hello, World!", { secret })).headers["x-hub-signature"]).toBe(expected);
    expect(await verifyDelivery(config(schemes.githubSha1), { headers: { "x-hub-signature": expected }, body: "Hello, World!" }, secret)).toEqual({ ok: true });
  });

  it("Stripe: the stripe package's test header verifies, and ours is the same header, which stripe accepts", async () => {
    const stripe = new Stripe("sk_test_unused");
    const secret = "whsec_test_secret";
    const payload = JSON.stringify({ id: "evt_test", object: "event", type: "payment_intent.succeeded" });
    const timestamp = 1_700_000_000;
    const reference = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
    expect(await verifyDelivery(config(schemes.stripe), { headers: { "Stripe-Signature": reference }, body: payload }, secret, { now: at(timestamp + 10) })).toEqual({ ok: true });
    // several signatures (a secret being rolled) and an older v0 entry: any v1 may match
    const rolled = `t=${timestamp},v1=${"0".repeat(64)},${reference.split(",")[1]},v0=${"1".repeat(64)}`;
    expect(await verifyDelivery(config(schemes.stripe), { headers: { "Stripe-Signature": rolled }, body: payload }, secret, { now: at(timestamp) })).toEqual({ ok: true });
    const ours = await signDelivery(config(schemes.stripe), payload, { secret, timestamp });
    expect(ours.headers["stripe-signature"]).toBe(reference);
    expect(stripe.webhooks.constructEvent(ours.body, ours.headers["stripe-signature"]!, secret, 1e9)).toMatchObject({ id: "evt_test" });
    // the timestamp is signed and checked for freshness before the body is read
    expect(await verifyDelivery(config(schemes.stripe), { headers: { "Stripe-Signature": reference.replace(`t=${timestamp}`, `t=${timestamp + 1}`) }, body: payload }, secret, { now: at(timestamp) })).toMatchObject({ ok: false, reason: "invalid_signature" });
    expect(await verifyDelivery(config(schemes.stripe), { headers: { "Stripe-Signature": reference }, body: payload }, secret, { now: at(timestamp + 301) })).toMatchObject({ ok: false, reason: "stale_timestamp" });
    expect(await verifyDelivery(config(schemes.stripe), { headers: { "Stripe-Signature": reference.split(",")[1]! }, body: payload }, secret, { now: at(timestamp) })).toMatchObject({ ok: false, reason: "missing_signature", message: "the Stripe-Signature header has no t= field" });
  });

  it("Stripe: a header of more than 16 fields is refused unread, the body not hashed", async () => {
    const stripe = new Stripe("sk_test_unused");
    const payload = "{}";
    const reference = stripe.webhooks.generateTestHeaderString({ payload, secret: "whsec_x", timestamp: 1_700_000_000 });
    const crowded = `${reference}${",v1=00".repeat(16)}`;
    expect(await verifyDelivery(config(schemes.stripe), { headers: { "Stripe-Signature": crowded }, body: payload }, "whsec_x", { now: at(1_700_000_000) })).toEqual({
      ok: false,
      reason: "invalid_signature",
      message: "the signature header has more than 16 entries",
    });
  });

  it("Slack: the docs' example request (v0:{timestamp}:{body}, X-Slack-Signature: v0=<hex>)", async () => {
    const secret = "8f742231b10e8888abcd99yyyzzz85a5";
    const timestamp = 1531420618;
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    const signed = await signDelivery(config(schemes.slack), body, { secret, timestamp });
    expect(signed.headers).toMatchObject({ "x-slack-signature": expected, "x-slack-request-timestamp": String(timestamp) });
    const headers = { "X-Slack-Signature": expected, "X-Slack-Request-Timestamp": String(timestamp) };
    expect(await verifyDelivery(config(schemes.slack), { headers, body }, secret, { now: at(timestamp) })).toEqual({ ok: true });
    expect(await verifyDelivery(config(schemes.slack), { headers, body }, secret, { now: at(timestamp + 600) })).toMatchObject({ ok: false, reason: "stale_timestamp" });
    expect(await verifyDelivery(config(schemes.slack), { headers: { "X-Slack-Signature": expected }, body }, secret, { now: at(timestamp) })).toMatchObject({
      ok: false,
      reason: "missing_signature",
      message: "the X-Slack-Request-Timestamp/X-Slack-Signature headers are missing",
    });
  });

  it("Shopify: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the body, as node:crypto computes it", async () => {
    const secret = "shopify-app-secret";
    const body = JSON.stringify({ id: 820982911946154500, email: "jon@example.com" });
    const expected = createHmac("sha256", secret).update(body).digest("base64");
    expect((await signDelivery(config(schemes.shopify), body, { secret })).headers["x-shopify-hmac-sha256"]).toBe(expected);
    expect(await verifyDelivery(config(schemes.shopify), { headers: { "X-Shopify-Hmac-Sha256": expected }, body }, secret)).toEqual({ ok: true });
    expect(await verifyDelivery(config(schemes.shopify), { headers: { "X-Shopify-Hmac-Sha256": expected }, body: `${body} ` }, secret)).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("SHA-512 with a base64 secret: 64 bytes, keyed by the decoded secret", async () => {
    const key = Buffer.from("a base64 secret's bytes");
    const expected = createHmac("sha512", key).update("body").digest("base64");
    expect((await signDelivery(config(schemes.sha512), "body", { secret: key.toString("base64") })).headers["x-signature"]).toBe(expected);
    expect(await verifyDelivery(config(schemes.sha512), { headers: { "X-Signature": expected }, body: "body" }, key.toString("base64"))).toEqual({ ok: true });
  });
});

// The published vectors of ../shared/corpus/signing through the descriptions by parts.
const vectorsDir = path.resolve(repoRoot, "..", "shared", "corpus", "signing");
const readVectors = (file: string) => readFile(path.join(vectorsDir, file), "utf8").then(JSON.parse, () => undefined);
const standardVectors = await readVectors("standard-webhooks-test-vectors.json");
const plainVectors = await readVectors("plain-signature-vectors.json");
if (!standardVectors || !plainVectors) console.warn(`signing schemes' corpus vectors skipped: ${vectorsDir} not found (CI has it beside the checkout)`);

describe.skipIf(!standardVectors || !plainVectors)("the corpus vectors through the descriptions by parts", () => {
  it("Standard Webhooks: each vector signs to its signature and verifies", async () => {
    const vectors = [...standardVectors.upstream_vectors, ...standardVectors.derived_vectors_computed_locally].filter((v: any) => v.secret && v.msg_id && v.expected_signature);
    expect(vectors.length).toBeGreaterThanOrEqual(3);
    for (const v of vectors) {
      const signed = await signDelivery(config(schemes.standardWebhooks), v.payload, { secret: v.secret, id: v.msg_id, timestamp: v.timestamp });
      expect(signed.headers["webhook-signature"], v.name).toBe(v.expected_signature);
      expect(await verifyDelivery(config(schemes.standardWebhooks), signed, v.secret, { now: at(v.timestamp) }), v.name).toEqual({ ok: true });
    }
  });

  it("Plain: each vector signs to its signature and verifies", async () => {
    const vectors = plainVectors.vectors.filter((v: any) => v.expected_signature_hex && v.name !== "mismatch" && v.name !== "non-JSON body");
    expect(vectors.length).toBeGreaterThanOrEqual(1);
    for (const v of vectors) {
      const signed = await signDelivery(config(schemes.plain), v.body, { secret: v.secret });
      expect(signed.headers["plain-request-signature"], v.name).toBe(v.expected_signature_hex);
      expect(await verifyDelivery(config(schemes.plain), signed, v.secret, { now: () => Date.parse("2023-10-19T14:17:26Z") }), v.name).toEqual({ ok: true });
    }
  });
});

describe("a description that cannot work is a manifest error naming the field", () => {
  const base = { scheme: "hmac", algorithm: "sha256", encoding: "hex", header: "X-Signature" } as const;
  it.each([
    ["{timestamp} with no timestamp", { ...base, signed: "{timestamp}.{body}" }, "/signing/signed", /no signing\.timestamp/],
    ["{timestamp} from the body", { ...base, signed: "{timestamp}.{body}", timestamp: { in: "body", pointer: "/at" } }, "/signing/timestamp", /must come from a header/],
    ["a timestamp header not signed", { ...base, timestamp: { in: "header", name: "X-Time" } }, "/signing/signed", /not signed/],
    ["{id} with no id header", { ...base, signed: "{id}.{body}" }, "/signing/signed", /no signing\.id/],
    ["an id header not signed", { ...base, id: { in: "header", name: "X-Id" } }, "/signing/id", /not signed/],
    ["the body not last", { ...base, signed: "{body}.{timestamp}", timestamp: { in: "header", name: "X-Time" } }, "/signing/signed", /must end with \{body\}/],
    ["an unknown placeholder", { ...base, signed: "{nonce}.{body}" }, "/signing/signed", /unknown placeholder \{nonce\}/],
    ["a tolerance with no timestamp", { ...base, toleranceSeconds: 60 }, "/signing/toleranceSeconds", /no delivery time/],
    ["field and separator", { ...base, field: "v1", separator: " " }, "/signing/separator", /not both/],
    ["a field of a header that is not structured", { ...base, signed: "{timestamp}.{body}", timestamp: { in: "header", name: "X-Signature", field: "t" } }, "/signing/timestamp/field", /not a structured header/],
    ["hmac-sha256 with a timestamp header", { scheme: "hmac-sha256", header: "X-Signature", encoding: "hex", timestamp: { in: "header", name: "X-Time" } }, "/signing/timestamp", /not signed/],
  ] as [string, Signing, string, RegExp][])("%s", (_, signing, pointer, message) => {
    const problems = signingProblems(signing);
    expect(problems.map((p) => p.pointer)).toContain(pointer);
    expect(problems.find((p) => p.pointer === pointer)!.message).toMatch(message);
  });

  it("codegen refuses such a manifest (exit 2), naming provider.json's field, and writes nothing", async () => {
    const project = await tempDir("codegen-signing-");
    await mkdir(path.join(project, "schemas/acme/v1"), { recursive: true });
    await writeFile(
      path.join(project, "schemas/acme/provider.json"),
      JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { ...base, signed: "{timestamp}.{body}" } }),
    );
    await writeFile(path.join(project, "schemas/acme/v1/ping.schema.json"), JSON.stringify({ type: "object", properties: { type: { const: "ping" } }, required: ["type"] }));
    const result = await run([], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/schemas\/acme\/provider\.json#\/signing\/signed: uses \{timestamp\}, but no signing\.timestamp says where the delivery time is/);
  });

  it("the meta-schema refuses an algorithm or encoding it does not know, naming the field", async () => {
    const project = await tempDir("codegen-signing-");
    await mkdir(path.join(project, "schemas/acme/v1"), { recursive: true });
    await writeFile(
      path.join(project, "schemas/acme/provider.json"),
      JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { ...base, algorithm: "md5" } }),
    );
    await writeFile(path.join(project, "schemas/acme/v1/ping.schema.json"), JSON.stringify({ type: "object", properties: { type: { const: "ping" } }, required: ["type"] }));
    const result = await run([], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/provider\.json#\/signing/);
  });
});

function readFileSyncText(relative: string): string {
  return readFileSync(path.join(repoRoot, relative), "utf8");
}
