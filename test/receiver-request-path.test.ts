// The request path (issue 18): Node's crypto where the runtime has it and Web Crypto
// elsewhere with the same verdicts, each secret's key prepared once, the body parsed once,
// and toNodeListener serving our handlers without a Request or a Response.
import { createHmac } from "node:crypto";
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createAgentMailWebhookHandler, verifyAgentMailWebhook } from "../generated/agentmail/index.js";
import { createPlainWebhookHandler, toNodeListener, verifyPlainWebhook } from "../generated/plain/index.js";
import { samples as agentMailSamples } from "../generated/agentmail/2026-08-03/fixtures.js";
import { samples as plainSamples } from "../generated/plain/2026-02-27/fixtures.js";
import { createVerifier, cryptoInUse, parseJson, useCrypto, type NodeRequestLike, type NodeResponseLike } from "../generated/runtime.js";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const key = Buffer.from(secret.slice("whsec_".length), "base64");
const plainSecret = "plain-test-secret";
const clock = 1_760_000_000_000;
const seconds = clock / 1000;
const standard = (body: string, id = "msg_1", signingKey = key, stamp = seconds) =>
  `v1,${createHmac("sha256", signingKey).update(`${id}.${stamp}.${body}`).digest("base64")}`;
const agentMailBody = JSON.stringify(agentMailSamples["message.received"]);
const plainEvent = plainSamples["thread.email_sent"];
const plainBody = JSON.stringify(plainEvent);
const plainNow = () => Date.parse(plainEvent.webhookMetadata.webhookDeliveryAttemptTimestamp);
const hexMac = (body: string, key = plainSecret) => createHmac("sha256", key).update(body).digest("hex");

afterEach(() => {
  useCrypto("auto");
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("Node's crypto and Web Crypto give the same verdicts", () => {
  const other = "whsec_" + Buffer.from("another secret").toString("base64");
  const good = standard(agentMailBody);
  const cases: [string, Record<string, string>, string | string[]][] = [
    ["a good signature", { "svix-signature": good }, secret],
    ["a good one among wrong ones", { "svix-signature": `v1,${"A".repeat(43)}= ${good}` }, secret],
    ["a good one under the second secret of a rotation", { "svix-signature": good }, [other, secret]],
    ["a wrong secret", { "svix-signature": good }, other],
    ["a signature of 31 bytes", { "svix-signature": `v1,${Buffer.alloc(31, 1).toString("base64")}` }, secret],
    ["a signature of 33 bytes", { "svix-signature": `v1,${Buffer.concat([Buffer.from(good.slice(3), "base64"), Buffer.alloc(1)]).toString("base64")}` }, secret],
    ["a v2 entry with the right bytes", { "svix-signature": `v2,${good.slice(3)}` }, secret],
    ["a signature of another id", { "svix-signature": standard(agentMailBody, "msg_2") }, secret],
    ["a stale timestamp", { "svix-signature": good, "svix-timestamp": String(seconds - 301) }, secret],
  ];
  it.each(cases)("%s", async (_, extra, secrets) => {
    const delivery = { headers: { "svix-id": "msg_1", "svix-timestamp": String(seconds), ...extra }, body: agentMailBody };
    const verdicts: Record<string, unknown> = {};
    for (const choice of ["auto", "web"] as const) {
      useCrypto(choice);
      verdicts[cryptoInUse()] = await verifyAgentMailWebhook(delivery, secrets, { now: () => clock });
    }
    expect(Object.keys(verdicts)).toEqual(["node", "web"]);
    expect(verdicts["node"]).toEqual(verdicts["web"]);
  });

  it.each([
    ["a good signature", hexMac(plainBody), "ok"],
    ["upper-case hex", hexMac(plainBody).toUpperCase(), "ok"],
    ["a wrong secret", hexMac(plainBody, "other"), "invalid_signature"],
    ["a truncated signature", hexMac(plainBody).slice(0, 62), "invalid_signature"],
    ["a signature one byte too long", hexMac(plainBody) + "00", "invalid_signature"],
  ])("Plain: %s", async (_, signature, expected) => {
    const verdicts = [];
    for (const choice of ["auto", "web"] as const) {
      useCrypto(choice);
      const result = await verifyPlainWebhook({ headers: { "plain-request-signature": signature }, body: plainBody }, plainSecret, { now: plainNow });
      verdicts.push(result.ok ? "ok" : result.reason);
    }
    expect(verdicts).toEqual([expected, expected]);
  });

  it("without process.getBuiltinModule (a browser, an edge runtime) it runs on Web Crypto", async () => {
    vi.stubGlobal("process", { ...process, getBuiltinModule: undefined });
    useCrypto("auto");
    expect(cryptoInUse()).toBe("web");
    const subtleSign = vi.spyOn(globalThis.crypto.subtle, "sign");
    const result = await verifyPlainWebhook({ headers: { "plain-request-signature": hexMac(plainBody) }, body: plainBody }, "a secret of this test alone", { now: plainNow });
    expect(result).toMatchObject({ ok: false, reason: "invalid_signature" });
    expect(subtleSign).toHaveBeenCalled();
    vi.unstubAllGlobals();
    useCrypto("auto");
    expect(cryptoInUse()).toBe("node");
  });
});

describe("each secret's key is prepared once", () => {
  it("Web Crypto: importKey once per secret over many verifications", async () => {
    useCrypto("web");
    const importKey = vi.spyOn(globalThis.crypto.subtle, "importKey");
    const headers = { "plain-request-signature": hexMac(plainBody, "web-once") };
    for (let i = 0; i < 5; i++) expect(await verifyPlainWebhook({ headers, body: plainBody }, "web-once", { now: plainNow })).toEqual({ ok: true });
    expect(importKey).toHaveBeenCalledTimes(1);
  });

  it("Node's crypto: createSecretKey once per secret, one createHmac per verification", async () => {
    const crypto = process.getBuiltinModule("node:crypto");
    const createSecretKey = vi.spyOn(crypto, "createSecretKey");
    const createHmacSpy = vi.spyOn(crypto, "createHmac");
    const headers = { "plain-request-signature": hexMac(plainBody, "node-once") };
    for (let i = 0; i < 5; i++) expect(await verifyPlainWebhook({ headers, body: plainBody }, "node-once", { now: plainNow })).toEqual({ ok: true });
    expect(createSecretKey).toHaveBeenCalledTimes(1);
    expect(createHmacSpy).toHaveBeenCalledTimes(5);
  });
});

describe("the body is parsed once", () => {
  it("one JSON.parse per delivery: the freshness check and the validators read the same value", async () => {
    const handler = createPlainWebhookHandler({ secret: plainSecret, on: { "thread.email_sent": () => undefined }, now: plainNow });
    const parse = vi.spyOn(JSON, "parse");
    const response = await handler(new Request("http://localhost/", { method: "POST", body: plainBody, headers: { "plain-request-signature": hexMac(plainBody) } }));
    expect(response.status).toBe(200);
    // (the validators also parse their stored schemas, once, on first use)
    expect(parse.mock.calls.filter(([text]) => text === plainBody)).toHaveLength(1);
  });

  it("a signed body that is a JSON string holding an event is a string, not parsed a second time into the event", async () => {
    const reached: unknown[] = [];
    const handler = createPlainWebhookHandler({ secret: plainSecret, on: { "thread.email_sent": (event) => void reached.push(event) }, now: plainNow });
    const body = JSON.stringify(plainBody);
    const response = await handler(new Request("http://localhost/", { method: "POST", body, headers: { "plain-request-signature": hexMac(body) } }));
    expect(response.status).not.toBe(200);
    expect(reached).toEqual([]);
  });
});

describe("toNodeListener", () => {
  let server: Server;
  let port: number;
  const contexts: { url: string; method: string; signature: string | null; body: string }[] = [];
  let readRequest = false;
  const handler = createAgentMailWebhookHandler({
    secret,
    on: {},
    now: () => clock,
    onUnhandled: async (_event, context) => {
      if (!readRequest) return;
      const request = context.request;
      contexts.push({ url: request.url, method: request.method, signature: request.headers.get("svix-signature"), body: await request.text() });
    },
  });
  // a Fetch handler of the user's own, not one of ours
  const custom = async (request: Request) => new Response(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`, { status: 201, headers: { "x-custom": "yes" } });
  const ours = toNodeListener(handler);
  const theirs = toNodeListener(custom);
  // onRejected: a Request made only if the recorder reads its `request`
  const rejections: { kind: string; body: string; request?: { url: string; method: string; body: string } }[] = [];
  let readRejected = false;
  const recording = toNodeListener(
    createAgentMailWebhookHandler({
      secret,
      on: {},
      now: () => clock,
      onRejected: async (rejection) => {
        const seen: (typeof rejections)[number] = { kind: rejection.error.kind, body: new TextDecoder().decode(rejection.body) };
        if (readRejected) {
          const request = rejection.request;
          seen.request = { url: request.url, method: request.method, body: await request.text() };
        }
        rejections.push(seen);
      },
    }),
  );
  beforeAll(async () => {
    server = createServer((req, res) => void (req.url === "/custom" ? theirs : req.url === "/rejecting" ? recording : ours)(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const send = (path: string, body: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  const signed = (body: string) => ({ "svix-id": "msg_1", "svix-timestamp": String(seconds), "svix-signature": standard(body) });

  /** Counts Request and Response objects made while `run` runs. */
  async function counting<T>(run: () => Promise<T>): Promise<{ result: T; requests: number; responses: number }> {
    const counts = { requests: 0, responses: 0 };
    const RealRequest = globalThis.Request;
    const RealResponse = globalThis.Response;
    vi.stubGlobal("Request", class extends RealRequest {
      constructor(...args: ConstructorParameters<typeof Request>) {
        super(...args);
        counts.requests++;
      }
    });
    vi.stubGlobal("Response", class extends RealResponse {
      constructor(...args: ConstructorParameters<typeof Response>) {
        super(...args);
        counts.responses++;
      }
    });
    try {
      return { result: await run(), ...counts };
    } finally {
      vi.unstubAllGlobals();
    }
  }

  it("serves our handler without building a Request or a Response", async () => {
    readRequest = false;
    const { result, requests, responses } = await counting(() => send("/hooks", agentMailBody, signed(agentMailBody)));
    expect(result.status).toBe(200);
    expect(result.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(result.text)).toEqual({ ok: true, handled: false });
    expect({ requests, responses }).toEqual({ requests: 0, responses: 0 });
  });

  it("builds context.request only when a handler reads it, with the method, URL, headers and body", async () => {
    readRequest = true;
    contexts.length = 0;
    const { result, requests } = await counting(() => send("/hooks?x=1", agentMailBody, { ...signed(agentMailBody), host: "example.com" }));
    expect(result.status).toBe(200);
    expect(requests).toBe(1);
    expect(contexts).toEqual([{ url: "http://example.com/hooks?x=1", method: "POST", signature: standard(agentMailBody), body: agentMailBody }]);
  });

  it("answers refusals the same way: 401 unsigned, 405 for another method, 400 for a body that is not JSON", async () => {
    expect((await send("/hooks", agentMailBody, {})).status).toBe(401);
    const get = await new Promise<number>((resolve) => httpRequest({ host: "127.0.0.1", port, path: "/hooks", method: "GET" }, (res) => (res.resume(), resolve(res.statusCode!))).end());
    expect(get).toBe(405);
    const notJson = await send("/hooks", "{", signed("{"));
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.text)).toMatchObject({ error: "invalid_json" });
  });

  it("tells onRejected of a 400 without building a Request unless it reads rejection.request", async () => {
    readRejected = false;
    rejections.length = 0;
    const quiet = await counting(() => send("/rejecting", "{", signed("{")));
    expect(quiet.result.status).toBe(400);
    expect(quiet.requests).toBe(0);
    readRejected = true;
    const read = await counting(() => send("/rejecting", "{", { ...signed("{"), host: "example.com" }));
    expect(read.result.status).toBe(400);
    expect(read.requests).toBe(1);
    expect(rejections).toEqual([
      { kind: "invalid_json", body: "{" },
      { kind: "invalid_json", body: "{", request: { url: "http://example.com/rejecting", method: "POST", body: "{" } },
    ]);
  });

  it("answers with a Content-Length (never chunked), in bytes, keeping headers set before", async () => {
    const ok = await send("/hooks", agentMailBody, signed(agentMailBody));
    expect(ok.headers["content-length"]).toBe(String(Buffer.byteLength(ok.text)));
    expect(ok.headers["transfer-encoding"]).toBeUndefined();
    // an event name of other letters comes back in the 400's errors: its length in UTF-8 bytes
    const odd = agentMailBody.replace('"message.received"', '"m\u00e9ss\u00e4ge"');
    const refused = await send("/hooks", odd, signed(odd));
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("méssäge");
    expect(refused.headers["content-length"]).toBe(String(Buffer.byteLength(refused.text)));
    // a header an app set before (Express's X-Powered-By) is kept; 401 unread closes the connection
    const express = createServer((req, res) => {
      res.setHeader("x-powered-by", "Express");
      void ours(req, res);
    });
    await new Promise<void>((resolve) => express.listen(0, "127.0.0.1", resolve));
    try {
      const answer = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) =>
        httpRequest({ host: "127.0.0.1", port: (express.address() as AddressInfo).port, path: "/", method: "POST", headers: { "content-length": "2" } }, (res) => (res.resume(), resolve({ status: res.statusCode!, headers: res.headers })))
          .on("error", reject)
          .end("{}"),
      );
      expect(answer).toMatchObject({ status: 401, headers: { "x-powered-by": "Express", "content-type": "application/json", connection: "close" } });
    } finally {
      express.closeAllConnections();
      await new Promise<void>((resolve) => express.close(() => resolve()));
    }
  });

  /** A signed AgentMail delivery as node:http hands it over, its body in one chunk. */
  const signedAgentMailRequest = (): NodeRequestLike => ({
    method: "POST",
    url: "/",
    headers: signed(agentMailBody),
    async *[Symbol.asyncIterator]() {
      yield agentMailBody;
    },
  });

  it("answers through setHeader and end where the response has no writeHead", async () => {
    const written: { status: number; headers: Record<string, string>; body: unknown }[] = [];
    const headers: Record<string, string> = {};
    const res: NodeResponseLike = {
      statusCode: 0,
      setHeader: (name, value) => void (headers[name] = value),
      end(body) {
        written.push({ status: this.statusCode, headers: { ...headers }, body });
      },
    };
    const req = signedAgentMailRequest();
    await ours(req, res);
    expect(written).toEqual([{ status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true,"handled":false}' }]);
  });

  it("still serves any other Fetch handler through a Request and its Response", async () => {
    const answer = await send("/custom", "hello", {});
    expect(answer).toMatchObject({ status: 201, text: "POST /custom hello" });
    expect(answer.headers["x-custom"]).toBe("yes");
  });

  it("never rejects, even when the response cannot be written", async () => {
    const req = signedAgentMailRequest();
    const res: NodeResponseLike = {
      statusCode: 0,
      setHeader: () => {
        throw new Error("socket gone");
      },
      end: () => undefined,
    };
    await expect(ours(req, res)).resolves.toBeUndefined();
  });
});

describe("the body's clock (bodyTimeoutMs) on node:http", () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
  /** A server of its own; `requests` counts those whose headers it has read. */
  async function serve(bodyTimeoutMs: number): Promise<{ port: number; requests: () => number }> {
    const listener = toNodeListener(createAgentMailWebhookHandler({ secret, on: {}, now: () => clock, bodyTimeoutMs }));
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      void listener(req, res);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as AddressInfo).port, requests: () => requests };
  }
  const head = (body: string) =>
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\nsvix-id: msg_1\r\nsvix-timestamp: ${seconds}\r\nsvix-signature: ${standard(body)}\r\n\r\n`;
  /** Writes `text` on a new connection; resolves with the status of the answer (undefined if none came before the socket closed). */
  const exchange = (port: number, text: string) =>
    new Promise<string | undefined>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let received = "";
      socket.on("data", (chunk) => {
        received += chunk.toString("latin1");
        if (received.includes("\r\n\r\n")) {
          resolve(received.slice(9, 12));
          socket.destroy();
        }
      });
      socket.on("close", () => resolve(undefined));
      socket.on("error", () => undefined);
      socket.write(text);
    });

  it("is one timer for every body being read, not a timer made and cleared per request", async () => {
    const { port } = await serve(60_000);
    const made = vi.spyOn(globalThis, "setTimeout");
    try {
      for (let i = 0; i < 5; i++) expect(await exchange(port, head(agentMailBody) + agentMailBody)).toBe("200");
      expect(made.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      made.mockRestore();
    }
  });

  it("a shorter deadline than the one the timer is set for is kept: 408 after its own bodyTimeoutMs", async () => {
    const slow = await serve(60_000);
    const quick = await serve(100);
    // a body that never comes, under the long deadline; then one under the short one
    const long = exchange(slow.port, head(agentMailBody));
    await vi.waitFor(() => expect(slow.requests()).toBe(1), { timeout: 5000, interval: 5 });
    expect(await exchange(quick.port, head(agentMailBody))).toBe("408");
    servers[servers.length - 2]!.closeAllConnections();
    expect(await long).toBeUndefined();
  });
});

describe("verification on Node's crypto", () => {
  it("gives its verdict at once, without a promise; on Web Crypto, a promise of the same verdict", async () => {
    const config = { algorithm: "sha256", encoding: "hex", secret: "raw", header: ["x-signature"], prefix: "", signed: "{body}", toleranceSeconds: 300 } as const;
    const body = new TextEncoder().encode('{"a":1}');
    const verdicts = [];
    for (const signature of [hexMac('{"a":1}'), hexMac("{}")]) {
      useCrypto("auto");
      const node = createVerifier(config, plainSecret);
      const byNode = node.body(node.headers({ "x-signature": signature }, clock), body);
      expect(byNode).not.toBeInstanceOf(Promise);
      useCrypto("web");
      const web = createVerifier(config, plainSecret);
      const byWeb = web.body(web.headers({ "x-signature": signature }, clock), body);
      expect(byWeb).toBeInstanceOf(Promise);
      verdicts.push([byNode, await byWeb]);
    }
    expect(verdicts).toEqual([
      [{ ok: true }, { ok: true }],
      [{ ok: false, reason: "invalid_signature", message: "the signature does not match the body" }, { ok: false, reason: "invalid_signature", message: "the signature does not match the body" }],
    ]);
  });
});

describe("what a delivery leaves for the garbage collector", () => {
  it("context.request and rejection.request are getters of their classes, not functions made per delivery", async () => {
    // a getter in an object literal is a new function per delivery, held from the old
    // generation: every delivery's scope then outlived the young generation's collections
    const contexts: object[] = [];
    const rejections: object[] = [];
    const handler = createAgentMailWebhookHandler({
      secret,
      on: {},
      now: () => clock,
      onUnhandled: (_event, context) => void contexts.push(context),
      onRejected: (rejection) => void rejections.push(rejection),
    });
    const headers = { "svix-id": "msg_1", "svix-timestamp": String(seconds) };
    for (const body of [agentMailBody, agentMailBody, "{", "{"])
      await handler(new Request("http://localhost/", { method: "POST", body, headers: { ...headers, "svix-signature": standard(body) } }));
    for (const made of [contexts, rejections]) {
      expect(made).toHaveLength(2);
      for (const one of made) expect(Object.getOwnPropertyDescriptor(one, "request")).toBeUndefined();
      expect(Object.getPrototypeOf(made[0])).toBe(Object.getPrototypeOf(made[1]));
      expect(typeof Object.getOwnPropertyDescriptor(Object.getPrototypeOf(made[0]), "request")?.get).toBe("function");
    }
  });
});

describe("parseJson walks only a text that can hold a prototype key", () => {
  it.each([
    ['{"\\u005F\\u005Fproto\\u005F\\u005F":{"polluted":1}}', "__proto__"],
    ['{"__pr\\u006Fto__":{"polluted":1}}', "__proto__"],
    ['{"_\\u005fpro\\u0074o__":{"polluted":1}}', "__proto__"],
    ['{"\\u0063onstructor":{"prototype":{"polluted":1}}}', "constructor"],
    ['{"co\\u006Es\\u0074r\\u0075ct\\u006Fr":{"prototype":{"polluted":1}}}', "constructor"],
    ['{"con\\u0073t\\u0072uctor":{"prototype":{"polluted":1}}}', "constructor"],
  ])("%s: the key is still dropped whatever letter is escaped, in either case", (text, key) => {
    const value = parseJson(text) as Record<string, unknown>;
    if (key === "__proto__") expect(Object.prototype.hasOwnProperty.call(value, "__proto__")).toBe(false);
    else expect(Object.prototype.hasOwnProperty.call(value["constructor"], "prototype")).toBe(false);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("a body whose only escapes are of other characters (\\u003c, \\u00e9) is returned as parsed", () => {
    const text = '{"html":"\\u003cp\\u003e caf\\u00e9 \\u2019","nested":{"a":[1,2]}}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });
});

describe("toNodeListener with a request that is only an async iterable", () => {
  it("counts a string body's limit in bytes, as sent", async () => {
    let received: string | undefined;
    const listener = toNodeListener(
      async (request) => {
        try {
          received = await request.text();
          return new Response("read");
        } catch {
          return new Response("refused", { status: 413 });
        }
      },
      { maxBodyBytes: 10 },
    );
    const statuses: number[] = [];
    for (const text of ["éééé", "éééééé"]) {
      const req: NodeRequestLike = {
        method: "POST",
        url: "/",
        headers: {},
        async *[Symbol.asyncIterator]() {
          yield text;
        },
      };
      await listener(req, { statusCode: 0, setHeader: () => undefined, end() { statuses.push(this.statusCode); } });
    }
    // 8 bytes are read; 12 bytes (6 characters) are over the limit of 10
    expect(received).toBe("éééé");
    expect(statuses).toEqual([200, 413]);
  });
});
