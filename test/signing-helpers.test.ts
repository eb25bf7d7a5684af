// The signing helpers each provider's index exports for consumers' tests (issue 14):
// sign<P>Webhook and create<P>TestRequest sign as the provider does, so a test request
// passes the generated verifier and reaches the typed handler.
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Webhook } from "svix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAgentMailTestRequest,
  createAgentMailWebhookHandler,
  signAgentMailWebhook,
  verifyAgentMailWebhook,
  type AgentMailEvent,
} from "../generated/agentmail/index.js";
import { samples as agentMailSamples } from "../generated/agentmail/2026-08-03/fixtures.js";
import { createPlainTestRequest, createPlainWebhookHandler, signPlainWebhook, verifyPlainWebhook, type PlainEvent } from "../generated/plain/index.js";
import { samples as plain2024 } from "../generated/plain/2024-09-18/fixtures.js";
import { samples as plain2026 } from "../generated/plain/2026-02-27/fixtures.js";
import { cryptoInUse, useCrypto } from "../generated/runtime.js";
import { repoRoot } from "./helpers.js";

const agentMailSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const plainSecret = "plain-test-secret";

describe.each(["node", "web"] as const)("signing helpers, %s crypto", (crypto) => {
  beforeAll(() => useCrypto(crypto === "web" ? "web" : "auto"));
  afterAll(() => useCrypto("auto"));
  it("runs on the crypto it says", () => expect(cryptoInUse()).toBe(crypto));

  const plainEvents = [
    ...Object.entries(plain2024).map(([name, event]) => ["2024-09-18", name, event] as const),
    ...Object.entries(plain2026).map(([name, event]) => ["2026-02-27", name, event] as const),
  ];
  it.each(plainEvents)("Plain %s %s: a test request passes the verifier and reaches its typed handler", async (version, name, event) => {
    const reached: { name: string; version: string; event: PlainEvent }[] = [];
    // the real clock: the helper writes the delivery time into the body
    const handler = createPlainWebhookHandler({
      secret: plainSecret,
      on: {},
      onUnhandled: (received, context) => void reached.push({ name: context.name, version: context.version, event: received }),
    });
    const request = await createPlainTestRequest(event, { secret: plainSecret });
    const response = await handler(request);
    expect(response.status).toBe(200);
    expect(reached).toHaveLength(1);
    expect(reached[0]).toMatchObject({ name: event.payload.eventType, version });
    expect(name).toContain(event.payload.eventType);
    // the payload as given, apart from the delivery time
    expect({ ...reached[0]!.event, webhookMetadata: { ...reached[0]!.event.webhookMetadata, webhookDeliveryAttemptTimestamp: "" } }).toEqual({
      ...event,
      webhookMetadata: { ...event.webhookMetadata, webhookDeliveryAttemptTimestamp: "" },
    });
  });

  it.each(Object.entries(agentMailSamples))("AgentMail %s: a test request passes the verifier and reaches its typed handler", async (_, event) => {
    const reached: AgentMailEvent[] = [];
    const handler = createAgentMailWebhookHandler({ secret: agentMailSecret, on: {}, onUnhandled: (received) => void reached.push(received) });
    const response = await handler(await createAgentMailTestRequest(event, { secret: agentMailSecret, url: "https://example.com/hooks/agentmail" }));
    expect(response.status).toBe(200);
    expect(reached).toEqual([event]);
  });

  it("the typed handler for the event's name runs, with the delivery id given", async () => {
    const seen: { subject: string; deliveryId: string | undefined }[] = [];
    const handler = createAgentMailWebhookHandler({
      secret: agentMailSecret,
      on: { "message.received": (event, context) => void seen.push({ subject: event.message.subject ?? "", deliveryId: context.deliveryId }) },
    });
    const event = agentMailSamples["message.received"];
    const response = await handler(await createAgentMailTestRequest(event, { secret: agentMailSecret, id: "msg_test_1" }));
    expect(response.status).toBe(200);
    expect(seen).toEqual([{ subject: event.message.subject ?? "", deliveryId: "msg_test_1" }]);
  });

  it("signing with a wrong secret fails verification", async () => {
    const plain = await signPlainWebhook(plain2026["thread.email_sent"], { secret: "not-the-secret" });
    expect(await verifyPlainWebhook(plain, plainSecret)).toMatchObject({ ok: false, reason: "invalid_signature" });
    const plainHandler = createPlainWebhookHandler({ secret: plainSecret, on: {} });
    expect((await plainHandler(await createPlainTestRequest(plain2026["thread.email_sent"], { secret: "not-the-secret" }))).status).toBe(401);
    const other = "whsec_" + Buffer.from("not the secret").toString("base64");
    const agentMail = await signAgentMailWebhook(agentMailSamples["message.received"], { secret: other });
    expect(await verifyAgentMailWebhook(agentMail, agentMailSecret)).toMatchObject({ ok: false, reason: "invalid_signature" });
    const agentMailHandler = createAgentMailWebhookHandler({ secret: agentMailSecret, on: {} });
    expect((await agentMailHandler(await createAgentMailTestRequest(agentMailSamples["message.received"], { secret: other }))).status).toBe(401);
  });

  it("signs as the provider does: Plain's hex HMAC over the body, the time in webhookMetadata; svix's headers", async () => {
    const at = new Date("2026-05-01T12:00:00.000Z");
    const plain = await signPlainWebhook(plain2026["thread.email_sent"], { secret: plainSecret, timestamp: at });
    expect(plain.headers["plain-request-signature"]).toBe(createHmac("sha256", plainSecret).update(plain.body).digest("hex"));
    expect(JSON.parse(plain.body).webhookMetadata.webhookDeliveryAttemptTimestamp).toBe("2026-05-01T12:00:00.000Z");
    expect(await verifyPlainWebhook(plain, plainSecret, { now: () => at.getTime() + 299_000 })).toEqual({ ok: true });
    expect(await verifyPlainWebhook(plain, plainSecret, { now: () => at.getTime() + 301_000 })).toMatchObject({ ok: false, reason: "stale_timestamp" });

    const agentMail = await signAgentMailWebhook(agentMailSamples["message.received"], { secret: agentMailSecret, timestamp: at.getTime() / 1000, id: "msg_1" });
    expect(agentMail.headers).toMatchObject({ "svix-id": "msg_1", "svix-timestamp": String(at.getTime() / 1000) });
    // svix's own verifier accepts it
    const svixTime = Date.now;
    try {
      Date.now = () => at.getTime();
      expect(new Webhook(agentMailSecret).verify(agentMail.body, agentMail.headers)).toEqual(agentMailSamples["message.received"]);
    } finally {
      Date.now = svixTime;
    }
    const unnamed = await signAgentMailWebhook(agentMailSamples["message.received"], { secret: agentMailSecret });
    expect(unnamed.headers["svix-id"]).toMatch(/^msg_[0-9a-f]{24}$/);
  });
});

// The published vectors, read in place; skipped (saying so) without ../shared.
const vectorsDir = path.resolve(repoRoot, "..", "shared", "corpus", "signing");
const read = (file: string) => readFile(path.join(vectorsDir, file), "utf8").then(JSON.parse, () => undefined);
const standardVectors = await read("standard-webhooks-test-vectors.json");
const plainVectors = await read("plain-signature-vectors.json");
if (!standardVectors || !plainVectors) console.warn(`signing helpers' vector round trip skipped: ${vectorsDir} not found (CI has it beside the checkout)`);

describe.skipIf(!standardVectors || !plainVectors).each(["node", "web"] as const)("the signing helpers round-trip the vectors (../shared/corpus/signing), %s crypto", (crypto) => {
  beforeAll(() => useCrypto(crypto === "web" ? "web" : "auto"));
  afterAll(() => useCrypto("auto"));

  it("Standard Webhooks: every vector's body, id and time signs to its signature, which the verifier accepts", async () => {
    const vectors = [...standardVectors.upstream_vectors, ...standardVectors.derived_vectors_computed_locally].filter((v: any) => v.secret && v.msg_id && v.expected_signature);
    expect(vectors.length).toBeGreaterThanOrEqual(3);
    for (const v of vectors) {
      const signed = await signAgentMailWebhook(v.payload, { secret: v.secret, id: v.msg_id, timestamp: v.timestamp });
      expect(signed.body, v.name).toBe(v.payload);
      expect(signed.headers["svix-signature"], v.name).toBe(v.expected_signature);
      expect(await verifyAgentMailWebhook(signed, v.secret, { now: () => v.timestamp * 1000 }), v.name).toEqual({ ok: true });
    }
  });

  it("Plain: every vector's body signs to its signature, which the verifier accepts", async () => {
    const vectors = plainVectors.vectors.filter((v: any) => v.expected_signature_hex && v.name !== "mismatch");
    expect(vectors.length).toBeGreaterThanOrEqual(1);
    for (const v of vectors) {
      const signed = await signPlainWebhook(v.body, { secret: v.secret });
      expect(signed.body, v.name).toBe(v.body);
      expect(signed.headers["plain-request-signature"], v.name).toBe(v.expected_signature_hex);
      const now = v.valid_when_now_utc ? Date.parse(v.valid_when_now_utc.split(" ")[0]) : Date.parse("2023-10-19T14:17:26Z");
      const verdict = await verifyPlainWebhook(signed, v.secret, { now: () => now });
      if (v.name === "non-JSON body") expect(verdict, v.name).toMatchObject({ ok: false, reason: "stale_timestamp" });
      else expect(verdict, v.name).toEqual({ ok: true });
    }
  });
});
