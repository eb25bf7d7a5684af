// Hostile requests against the generated receivers, over a real node:http server on
// 127.0.0.1 set up as the README shows: `createServer(toNodeListener(handler, …))`.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import path from "node:path";
import { Webhook } from "svix";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createAgentMailWebhookHandler, createMemoryStore, parseAgentMailWebhook, toNodeListener, verifyAgentMailWebhook } from "../generated/agentmail/index.js";
import { createPlainWebhookHandler } from "../generated/plain/index.js";
import { describeSigning } from "../src/load/signing.js";
import { createHandler, cryptoInUse, useCrypto, type ProviderConfig } from "../generated/runtime.js";
import { repoRoot } from "./helpers.js";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const key = Buffer.from(secret.slice("whsec_".length), "base64");
const plainSecret = "plain-test-secret";
const example = (provider: string, version: string, file: string) =>
  readFileSync(path.join(repoRoot, "schemas", provider, version, "examples", file), "utf8");
const agentMailBody = JSON.stringify(JSON.parse(example("agentmail", "2026-08-03", "message.received.json")));
const plainSample = JSON.parse(example("plain", "2026-02-27", "thread.email_sent.json"));
const plainBody = JSON.stringify(plainSample);

const clock = 1_760_000_000_000;
const seconds = clock / 1000;
const mac = (id: string, stamp: string | number, body: string | Buffer) =>
  createHmac("sha256", key).update(`${id}.${stamp}.`).update(body).digest("base64");
function signed(body: string, id = "msg_1", extra: Record<string, string> = {}): Record<string, string> {
  return { "content-type": "application/json", "svix-id": id, "svix-timestamp": String(seconds), "svix-signature": `v1,${mac(id, seconds, body)}`, ...extra };
}
const signPlain = (body: string) => ({ "content-type": "application/json", "plain-request-signature": createHmac("sha256", plainSecret).update(body).digest("hex") });

// Every rejection that escapes a listener is caught here (node:http ignores the promise).
const escaped: unknown[] = [];
const onRejection = (reason: unknown) => void escaped.push(reason);
process.on("unhandledRejection", onRejection);
afterAll(() => void process.off("unhandledRejection", onRejection));

const received: { name: string; deliveryId: string | undefined }[] = [];
let failNext = false;
const handlerFor = (name: string) => (_event: unknown, context: { deliveryId: string | undefined }) => {
  if (failNext) {
    failNext = false;
    throw new Error("the database is down");
  }
  received.push({ name, deliveryId: context.deliveryId });
};
// a handler for every name, reported as an own property (the router asks for those only)
const record = {
  get: (_: unknown, name: string) => handlerFor(name),
  getOwnPropertyDescriptor: (_: unknown, name: string) => ({ value: handlerFor(name), writable: true, enumerable: true, configurable: true }),
};
const agentMail = createAgentMailWebhookHandler({ secret, on: new Proxy({}, record), now: () => clock, bodyTimeoutMs: 200 });
const deduplicated = createAgentMailWebhookHandler({ secret, on: new Proxy({}, record), now: () => clock, deduplicate: createMemoryStore({ now: () => clock }) });
const plainDeduplicated = createPlainWebhookHandler({
  secret: plainSecret,
  on: new Proxy({}, record),
  now: () => Date.parse(plainSample.webhookMetadata.webhookDeliveryAttemptTimestamp),
  deduplicate: createMemoryStore(),
});

const servers: Server[] = [];
async function serve(handler: (request: Request) => Promise<Response>, options: { maxBodyBytes?: number } = {}): Promise<number> {
  // exactly the README's setup
  const server = createServer(toNodeListener(handler, options));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}
let port: number;
let dedupPort: number;
let plainPort: number;
beforeAll(async () => {
  port = await serve(agentMail, { maxBodyBytes: 256 * 1024 });
  dedupPort = await serve(deduplicated);
  plainPort = await serve(plainDeduplicated);
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
afterEach(() => {
  received.length = 0;
});

const post = (at: number, body: string, headers: Record<string, string>) =>
  fetch(`http://127.0.0.1:${at}/`, { method: "POST", body, headers });

/** Sends raw bytes; resolves with the status (if an answer came) once the answer is whole or the socket closed. */
function raw(text: string, options: { abortAfterWrite?: boolean } = {}): Promise<{ status: number | undefined; closed: boolean; connection: string | undefined }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1];
      resolve({ status: status ? Number(status) : undefined, closed, connection: /\r\nconnection: ([^\r]*)/i.exec(data)?.[1] });
      socket.destroy();
    };
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const head = data.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: (\d+)/i.exec(data)?.[1];
      if (head >= 0 && length !== undefined && data.length >= head + 4 + Number(length) && !/\r\nconnection: close/i.test(data)) finish(false);
    });
    socket.on("close", () => finish(true));
    socket.on("error", () => undefined);
    socket.write(text, () => {
      if (options.abortAfterWrite) socket.destroy();
    });
    if (options.abortAfterWrite) socket.on("close", () => finish(true));
  });
}

async function stillServing(): Promise<void> {
  const response = await post(port, agentMailBody, signed(agentMailBody));
  expect(response.status).toBe(200);
  expect(escaped).toEqual([]);
}

describe("one request cannot take the process down (issue 17.1)", () => {
  const sig = signed(agentMailBody);
  const headers = Object.entries(sig).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  it.each([
    ["an upload closed early", `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: 1000\r\n\r\n{"type":`, [undefined]],
    ["an upload closed early, unsigned", `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"type":`, [undefined, 401]],
    ["a TRACE request", `TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, [405]],
    ["Host: a b", `POST / HTTP/1.1\r\nHost: a b\r\n${headers}Content-Length: 2\r\n\r\n{}`, [400]],
    ["Host: [", `POST / HTTP/1.1\r\nHost: [\r\n${headers}Content-Length: 2\r\n\r\n{}`, [400]],
    ["Host: a%zz", `POST / HTTP/1.1\r\nHost: a%zz\r\n${headers}Content-Length: 2\r\n\r\n{}`, [400]],
    ["POST http://[", `POST http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: 2\r\n\r\n{}`, [400]],
  ] as const)("%s: answered or closed, and the server keeps serving", async (name, text, statuses) => {
    const answer = await raw(text, { abortAfterWrite: name.startsWith("an upload closed early") });
    expect(statuses as readonly (number | undefined)[]).toContain(answer.status);
    // let the server notice the closed socket before the next request
    await new Promise((resolve) => setImmediate(resolve));
    await stillServing();
  });

  it.each(["//[", "/\\["])("a path that names a host of its own (%s), with the Host of the requests before it: 400", async (target) => {
    // the listener remembers the last Host a URL was made from, for paths under it
    await stillServing();
    const answer = await raw(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}Content-Length: 2\r\n\r\n{}`);
    expect(answer.status).toBe(400);
    await stillServing();
  });
});

describe("framing the receiver never sees: node's parser refuses it (kept from before issue 17)", () => {
  it.each([
    ["Content-Length: 1x", "Content-Length: 1x\r\n"],
    ["two different Content-Lengths", "Content-Length: 2\r\nContent-Length: 3\r\n"],
    ["Transfer-Encoding and Content-Length together", "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n"],
    ["a Transfer-Encoding that does not end in chunked", "Transfer-Encoding: chunked, gzip\r\n"],
  ])("%s: 400 and closed", async (_, framing) => {
    const answer = await raw(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${framing}\r\n{}`);
    expect(answer).toMatchObject({ status: 400, closed: true });
    await stillServing();
  });
});

describe("bounded reading (issue 17.8)", () => {
  it("after refusing a body with 413, closes the connection instead of draining it", async () => {
    const answer = await new Promise<{ status: string | undefined; sent: number; closed: boolean }>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let data = "";
      let sent = 0;
      let closed = false;
      socket.on("data", (chunk) => void (data += chunk.toString("latin1")));
      socket.on("error", () => undefined);
      socket.on("close", () => {
        closed = true;
        resolve({ status: /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1], sent, closed });
      });
      const headers = Object.entries(signed("x")).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n${headers}Content-Length: 2000000000\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 32);
      // at most 64 MiB: a server that drains would still be reading when this stops
      const pump = () => {
        while (!closed && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
        if (!closed) {
          resolve({ status: /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1], sent, closed });
          socket.destroy();
        }
      };
      pump();
    });
    expect(answer.status).toBe("413");
    expect(answer.closed).toBe(true);
    expect(answer.sent).toBeLessThan(64 * 1024 * 1024);
    await stillServing();
  });

  it("checks the headers before reading the body: no signature, 401 at once, connection closed", async () => {
    // the body is announced but never sent: an answer can only come from the headers
    const answer = await raw(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n`);
    expect(answer.status).toBe(401);
    expect(answer.closed).toBe(true);
    const stale = Object.entries(signed("x", "msg_1", { "svix-timestamp": String(seconds - 3600) })).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    const old = await raw(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${stale}Content-Length: 100000\r\n\r\n`);
    expect(old.status).toBe(401);
    await stillServing();
  });

  it("refuses a body that takes longer than bodyTimeoutMs with 408 and closes the connection", async () => {
    const headers = Object.entries(signed(agentMailBody)).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    const answer = await raw(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: ${agentMailBody.length}\r\n\r\n${agentMailBody.slice(0, 10)}`);
    expect(answer.status).toBe(408);
    expect(answer.closed).toBe(true);
    await stillServing();
  });

  it("keeps a connection open after a request it read whole", async () => {
    const headers = Object.entries(signed(agentMailBody)).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    const answer = await raw(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: ${Buffer.byteLength(agentMailBody)}\r\n\r\n${agentMailBody}`);
    expect(answer).toMatchObject({ status: 200, closed: false });
  });
});

describe("replay protection (issue 17.8)", () => {
  it("Standard Webhooks: a delivery replayed is answered 200 without running the handler; the handler sees the delivery id", async () => {
    const headers = signed(agentMailBody, "msg_replayed");
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const response = await post(dedupPort, agentMailBody, headers);
      answers.push([response.status, await response.json()]);
    }
    expect(answers[0]).toEqual([200, { ok: true }]);
    for (const answer of answers.slice(1)) expect(answer).toEqual([200, { ok: true, duplicate: true }]);
    expect(received).toEqual([{ name: "message.received", deliveryId: "msg_replayed" }]);
    // another delivery of the same body is another id
    expect((await post(dedupPort, agentMailBody, signed(agentMailBody, "msg_other"))).status).toBe(200);
    expect(received.map((r) => r.deliveryId)).toEqual(["msg_replayed", "msg_other"]);
  });

  it("a delivery whose handler failed is handled when it comes again", async () => {
    failNext = true;
    const headers = signed(agentMailBody, "msg_failed_once");
    expect((await post(dedupPort, agentMailBody, headers)).status).toBe(500);
    expect((await post(dedupPort, agentMailBody, headers)).status).toBe(200);
    expect(received).toEqual([{ name: "message.received", deliveryId: "msg_failed_once" }]);
  });

  it("Plain: the event's id (in the signed body) is the delivery id", async () => {
    for (let i = 0; i < 3; i++) expect((await post(plainPort, plainBody, signPlain(plainBody))).status).toBe(200);
    expect(received).toEqual([{ name: "thread.email_sent", deliveryId: plainSample.id }]);
  });

  it("the in-memory store is bounded and forgets ids after their ttl", async () => {
    let now = 0;
    const store = createMemoryStore({ maxEntries: 3, now: () => now });
    expect(await store.seen("a", 10)).toBe(false);
    expect(await store.seen("a", 10)).toBe(true);
    for (const id of ["b", "c", "d"]) expect(await store.seen(id, 10)).toBe(false);
    expect(store.size).toBe(3);
    expect(await store.seen("a", 10)).toBe(false); // evicted as the oldest
    now = 11_000;
    expect(await store.seen("d", 10)).toBe(false); // expired
    expect(store.size).toBe(1);
  });
});

// A provider whose validator accepts any event name: what the router and parser do on their own.
const anyEvent: ProviderConfig = {
  provider: "any",
  event: ["type"],
  versions: [["v1", { schemaVersion: null, validateEvent: (payload) => ({ ok: true, name: String((payload as { type: unknown }).type) }) }]],
  signing: describeSigning({ scheme: "standard-webhooks", headerPrefixes: ["webhook"], toleranceSeconds: 300 }),
};
const request = (body: string) =>
  new Request("http://127.0.0.1/", {
    method: "POST",
    body,
    headers: { "webhook-id": "msg_x", "webhook-timestamp": String(seconds), "webhook-signature": `v1,${mac("msg_x", seconds, body)}` },
  });

describe("the router looks up only the handlers' own keys (issue 17.7)", () => {
  it.each(["constructor", "toString", "valueOf", "__proto__", "hasOwnProperty"])("an event named %s is unhandled", async (name) => {
    const unhandled: string[] = [];
    const handler = createHandler(anyEvent, { secret, on: {}, unhandledStatus: 202, onUnhandled: (_e, context) => void unhandled.push(context.name), now: () => clock });
    const response = await handler(request(JSON.stringify({ type: name })));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ok: true, handled: false });
    expect(unhandled).toEqual([name]);
  });
});

describe("prototype keys (issue 17.3)", () => {
  const deepMerge = (target: any, source: any): any => {
    for (const key of Object.keys(source)) {
      if (typeof source[key] === "object" && source[key] !== null) target[key] = deepMerge(target[key] ?? {}, source[key]);
      else target[key] = source[key];
    }
    return target;
  };

  it.each([
    ["__proto__ spelt plainly", '{"type":"t","a":{"__proto__":{"polluted":1}}}'],
    ["__proto__ escaped", '{"type":"t","a":{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":1}}}'],
    ["__proto__ partly escaped", '{"type":"t","\\u005f_proto__":{"polluted":1}}'],
    ["constructor.prototype escaped", '{"type":"t","a":{"\\u0063onstructor":{"prototype":{"polluted":1}}}}'],
    ["constructor.prototype, prototype escaped", '{"type":"t","constructor":{"\\u0070rototype":{"polluted":1}}}'],
  ])("%s: a deep merge into {} in a handler leaves Object.prototype alone", async (_, body) => {
    let merged: any;
    let received: any;
    const handler = createHandler(anyEvent, { secret, on: { t: (event: unknown) => void (merged = deepMerge({}, (received = event))) }, now: () => clock });
    expect((await handler(request(body))).status).toBe(200);
    // what the handler got: plain objects, no prototype key of its own anywhere
    const text = JSON.stringify(received, (key, value) => (key === "__proto__" || key === "prototype" ? "FOUND" : value));
    expect(text).not.toContain("FOUND");
    expect(Object.getPrototypeOf(received)).toBe(Object.prototype);
    expect(merged.type).toBe("t");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(merged.a ?? {})).toBe(Object.prototype);
  });

  it("the generated parser drops escaped prototype keys", () => {
    const result = parseAgentMailWebhook('{"\\u005f\\u005fproto\\u005f\\u005f":{"x":1},"\\u0063onstructor":{"prototype":{"x":1}},"type":"event"}');
    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });
});

// Both paths: Node's crypto (createHmac + timingSafeEqual) and Web Crypto (forced).
describe.each(["node", "web"] as const)("Standard Webhooks signature header (issue 17.2, 17.9), %s crypto", (path) => {
  beforeAll(() => useCrypto(path === "web" ? "web" : "auto"));
  afterAll(() => useCrypto("auto"));
  it("runs on the crypto it says", () => expect(cryptoInUse()).toBe(path));
  const body = "x".repeat(1024 * 1024);
  const id = "msg_big";
  const good = `v1,${mac(id, seconds, body)}`;
  const wrong = `v1,${mac("msg_other", seconds, body)}`;
  const verify = (signature: string, secrets: string | string[] = secret, stamp = String(seconds)) =>
    verifyAgentMailWebhook({ headers: { "webhook-id": id, "webhook-timestamp": stamp, "webhook-signature": signature }, body }, secrets, { now: () => clock });

  /** Calls that hash the whole body (the expensive part): createHmac, or Web Crypto's sign and verify. */
  function countBodyHashes() {
    if (path === "node") {
      const crypto = process.getBuiltinModule("node:crypto");
      const calls = { sign: 0, verify: 0 };
      const original = crypto.createHmac;
      const spy = vi.spyOn(crypto, "createHmac").mockImplementation(((...args: Parameters<typeof original>) => {
        calls.sign++;
        return original(...args);
      }) as typeof original);
      return { calls, restore: () => spy.mockRestore() };
    }
    const subtle = globalThis.crypto.subtle;
    const calls = { sign: 0, verify: 0 };
    const { sign, verify: check } = SubtleCrypto.prototype;
    const signSpy = vi.spyOn(subtle, "sign").mockImplementation((...args: Parameters<SubtleCrypto["sign"]>) => {
      if ((args[2] as ArrayBuffer).byteLength >= body.length) calls.sign++;
      return sign.apply(subtle, args);
    });
    const verifySpy = vi.spyOn(subtle, "verify").mockImplementation((...args: Parameters<SubtleCrypto["verify"]>) => {
      if ((args[3] as ArrayBuffer).byteLength >= body.length) calls.verify++;
      return check.apply(subtle, args);
    });
    return { calls, restore: () => (signSpy.mockRestore(), verifySpy.mockRestore()) };
  }

  it("hashes the body once per secret, whatever the number of entries", async () => {
    const count = countBodyHashes();
    try {
      const header = [...Array(15).fill(wrong), good].join(" ");
      expect(await verify(header, [secret, "whsec_" + Buffer.from("another secret").toString("base64")])).toEqual({ ok: true });
      // the matching secret is the first: one hash; a header of only wrong entries, both secrets: two
      expect(count.calls).toEqual({ sign: 1, verify: 0 });
      expect(await verify(Array(16).fill(wrong).join(" "), ["whsec_" + Buffer.from("another secret").toString("base64"), secret])).toMatchObject({ ok: false, reason: "invalid_signature" });
      expect(count.calls).toEqual({ sign: 3, verify: 0 });
    } finally {
      count.restore();
    }
  });

  it("refuses a header of 1 900 entries without hashing the body", async () => {
    const count = countBodyHashes();
    try {
      const header = [...Array(1899).fill(wrong), good].join(" ");
      expect(await verify(header)).toMatchObject({ ok: false, reason: "invalid_signature", message: "the signature header has more than 16 entries" });
      expect(count.calls).toEqual({ sign: 0, verify: 0 });
    } finally {
      count.restore();
    }
  });

  it("refuses non-canonical base64 as svix does: unpadded, URL-safe, stray trailing bits", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(clock);
    try {
      // a body whose signature has a + or a / in it, so that the URL-safe spelling differs
      let n = 0;
      const sign = (text: string) => createHmac("sha256", key).update(`${id}.${seconds}.${text}`).digest();
      while (!/[+/]/.test(sign(`{"n":${n}}`).toString("base64"))) n++;
      const small = `{"n":${n}}`;
      const digest = sign(small);
      const canonical = digest.toString("base64");
      const variants = {
        canonical,
        unpadded: canonical.replace(/=+$/, ""),
        "URL-safe": digest.toString("base64url") + "=",
        // 32 bytes: the last character carries 4 bits and 2 unused ones; set one of those
        "trailing bits": canonical.slice(0, 42) + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".indexOf(canonical[42]!) | 1] + "=",
      };
      const svix = new Webhook(secret);
      for (const [name, value] of Object.entries(variants)) {
        const headers = { "webhook-id": id, "webhook-timestamp": String(seconds), "webhook-signature": `v1,${value}` };
        const theirs = (() => {
          try {
            svix.verify(small, headers);
            return true;
          } catch {
            return false;
          }
        })();
        const ours = (await verifyAgentMailWebhook({ headers, body: small }, secret, { now: () => clock })).ok;
        expect([name, ours], `${name}: ${value}`).toEqual([name, theirs]);
        expect(ours, name).toBe(name === "canonical");
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it("a padded timestamp is validated and signed as the same number, as svix does", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(clock);
    try {
      const small = '{"type":"event"}';
      const svix = new Webhook(secret);
      const cases = [
        // [timestamp header, the text signed]
        [` ${seconds}`, String(seconds)],
        [`${seconds} `, String(seconds)],
        [` ${seconds}`, ` ${seconds}`],
        [`0${seconds}`, String(seconds)],
        [`0${seconds}`, `0${seconds}`],
      ] as const;
      for (const [stamp, signedText] of cases) {
        const headers = { "webhook-id": id, "webhook-timestamp": stamp, "webhook-signature": `v1,${createHmac("sha256", key).update(`${id}.${signedText}.${small}`).digest("base64")}` };
        let theirs = true;
        try {
          svix.verify(small, headers);
        } catch {
          theirs = false;
        }
        const ours = (await verifyAgentMailWebhook({ headers, body: small }, secret, { now: () => clock })).ok;
        expect({ stamp, signedText, ours }).toEqual({ stamp, signedText, ours: theirs });
      }
    } finally {
      vi.useRealTimers();
    }
  });
});
