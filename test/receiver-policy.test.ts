// The receiver's checks for mistakes a deployment makes (a body parser mounted first, an
// unset secret) and its validation policy, over a real node:http server on 127.0.0.1.
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPlainWebhookHandler, toNodeListener, verifyPlainWebhook, type PlainEventMap, type Rejection } from "../generated/plain/index.js";
import { repoRoot } from "./helpers.js";

const secret = "plain-policy-secret";
const sample = JSON.parse(await readFile(path.join(repoRoot, "schemas/plain/2026-02-27/examples/customer.customer_created.json"), "utf8"));
const clock = Date.parse(sample.webhookMetadata.webhookDeliveryAttemptTimestamp);
const sign = (body: string) => ({ "content-type": "application/json", "plain-request-signature": createHmac("sha256", secret).update(body).digest("hex") });
// a real delivery whose payload lacks a field its schema requires
const missing = structuredClone(sample);
delete missing.payload.customer.email;

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));
async function serve(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const post = (base: string, body: string) => fetch(base, { method: "POST", body, headers: sign(body) });

describe("a body already read before the handler", () => {
  it("is answered 500 saying to mount the handler before the body parser (a body set on the request, as express.json() does)", async () => {
    const handled: string[] = [];
    const listener = toNodeListener(createPlainWebhookHandler({ secret, on: { "customer.customer_created": (e) => void handled.push(e.id) }, now: () => clock }));
    const base = await serve(async (req, res) => {
      // what express.json() does: read the stream, set req.body
      let text = "";
      for await (const chunk of req) text += chunk;
      (req as IncomingMessage & { body?: unknown }).body = JSON.parse(text);
      void listener(req, res);
    });
    const response = await post(base, JSON.stringify(sample));
    expect(response.status).toBe(500);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe("body_already_read");
    expect(answer.message).toContain("mount the handler before any body parser");
    expect(handled).toEqual([]);
  });

  it("a stream read without setting body (Fastify's parser, on request.raw) is detected too", async () => {
    const listener = toNodeListener(createPlainWebhookHandler({ secret, on: {}, now: () => clock }));
    const base = await serve(async (req, res) => {
      for await (const _ of req) void _;
      void listener(req, res);
    });
    const response = await post(base, JSON.stringify(sample));
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: string }).error).toBe("body_already_read");
  });

  it("a used Request (its body read by a framework) is detected by the Fetch handler", async () => {
    const handler = createPlainWebhookHandler({ secret, on: {}, now: () => clock });
    const body = JSON.stringify(sample);
    const request = new Request("http://127.0.0.1/", { method: "POST", body, headers: sign(body) });
    await request.json();
    const response = await handler(request);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { message: string }).message).toContain("before any body parser");
  });
});

describe("the secret", () => {
  it.each([
    ["undefined (an unset environment variable)", undefined, "is undefined"],
    ["empty", "", "is an empty string"],
    ["an empty list", [], "is an empty list"],
    ["a list holding an unset one", ["ok", undefined], "is undefined"],
  ])("%s is refused when the handler is created, naming the option", (_, value, words) => {
    expect(() => createPlainWebhookHandler({ secret: value as unknown as string, on: {} })).toThrow(
      new TypeError(`the webhook handler's \`secret\` option ${words}: pass the provider's signing secret (is its environment variable set where this runs?)`),
    );
  });
  it("is refused by verify…Webhook too, before anything is checked", async () => {
    const delivery = { headers: sign("{}"), body: "{}" };
    await expect(verifyPlainWebhook(delivery, "")).rejects.toThrow(new TypeError(`the webhook handler's \`secret\` option is an empty string: pass the provider's signing secret (is its environment variable set where this runs?)`));
    await expect(verifyPlainWebhook(delivery, [])).rejects.toThrow(TypeError);
  });
});

describe("onInvalidPayload", () => {
  it('"reject" (the default) answers 400 and tells onRejected, with the raw body', async () => {
    const rejected: Rejection[] = [];
    const handled: string[] = [];
    const handler = createPlainWebhookHandler({
      secret,
      on: { "customer.customer_created": (e) => void handled.push(e.id) },
      onRejected: (r) => void rejected.push(r),
      now: () => clock,
    });
    const base = await serve(toNodeListener(handler));
    const body = JSON.stringify(missing);
    const response = await post(base, body);
    expect(response.status).toBe(400);
    expect(handled).toEqual([]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.error.kind).toBe("invalid_payload");
    expect(new TextDecoder().decode(rejected[0]!.body)).toBe(body);
    // not JSON: told too
    const broken = await post(base, "{");
    expect(broken.status).toBe(400);
    expect(rejected.map((r) => r.error.kind)).toEqual(["invalid_payload", "invalid_json"]);
    // a failing recorder does not change the answer
    const failing = await serve(toNodeListener(createPlainWebhookHandler({ secret, on: {}, onRejected: () => { throw new Error("disk full"); }, now: () => clock })));
    expect((await post(failing, body)).status).toBe(400);
  });

  it('"accept" runs the handler with the errors in context.validation; a valid payload has validation ok', async () => {
    const seen: { id: string | undefined; validation: unknown }[] = [];
    const rejected: Rejection[] = [];
    const handler = createPlainWebhookHandler({
      secret,
      onInvalidPayload: "accept",
      on: {
        "customer.customer_created": (event, context) => {
          // the type says any field may be missing
          const email: string | undefined = event.payload?.customer?.email?.email;
          void email;
          seen.push({ id: event.id, validation: context.validation });
        },
      },
      onRejected: (r) => void rejected.push(r),
      now: () => clock,
    });
    const base = await serve(toNodeListener(handler));
    expect((await post(base, JSON.stringify(missing))).status).toBe(200);
    expect((await post(base, JSON.stringify(sample))).status).toBe(200);
    expect(seen[0]!.id).toBe(sample.id);
    expect(seen[0]!.validation).toMatchObject({ ok: false, errors: [expect.objectContaining({ message: expect.stringContaining("email") })] });
    expect(seen[1]!.validation).toEqual({ ok: true });
    expect(rejected).toEqual([]);
    // an unknown event is still refused: no handler can be chosen
    const unknown = structuredClone(sample);
    unknown.payload.eventType = "no.such_event";
    expect((await post(base, JSON.stringify(unknown))).status).toBe(400);
    expect(rejected.map((r) => r.error.kind)).toEqual(["unknown_event"]);
  });

  it("types: under the default a handler's event is the exact type; under accept it may not match", () => {
    type Created = PlainEventMap["customer.customer_created"];
    createPlainWebhookHandler({ secret, on: { "customer.customer_created": (event) => void (event satisfies Created) } });
    createPlainWebhookHandler({
      secret,
      onInvalidPayload: "accept",
      // @ts-expect-error a payload that may not match is not the exact type
      on: { "customer.customer_created": (event) => void (event satisfies Created) },
    });
  });
});
