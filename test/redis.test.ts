// The Redis delivery store against a real redis-server (Debian's package), started here on
// 127.0.0.1 on a free port and stopped after; skipped, saying why, when it is not installed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import path from "node:path";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentMailWebhookHandler, createRedisStore, type RedisClientLike } from "../generated/agentmail/index.js";
import { repoRoot, tempDir } from "./helpers.js";

const haveRedis = spawnSync("redis-server", ["--version"]).status === 0;
if (!haveRedis) console.warn("Redis store test skipped: redis-server is not on PATH (apt-get install -y redis-server; .ci/run installs it)");

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!haveRedis)("createRedisStore against a real redis-server", () => {
  let server: ChildProcess;
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    const port = await freePort();
    const dir = await tempDir("codegen-redis-");
    server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
    // ready when it accepts a connection: the client retries until then (bounded)
    client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: (retries) => (retries > 100 ? new Error("redis-server did not start") : 50) } });
    client.on("error", () => undefined);
    await client.connect();
  });

  afterAll(async () => {
    await client?.quit().catch(() => undefined);
    server?.kill();
  });

  it("seen is atomic check-and-record with a ttl, and forget forgets", async () => {
    const store = createRedisStore(client, { prefix: "test:" });
    expect(await store.seen("msg_a", 600)).toBe(false);
    expect(await store.seen("msg_a", 600)).toBe(true);
    const ttl = await client.ttl("test:msg_a");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);
    // concurrent first sightings: exactly one is new
    const answers = await Promise.all(Array.from({ length: 20 }, () => store.seen("msg_b", 600)));
    expect(answers.filter((seen) => !seen)).toHaveLength(1);
    await store.forget!("msg_a");
    expect(await store.seen("msg_a", 600)).toBe(false);
  });

  it("two handlers (two processes behind a load balancer) sharing it run a replayed delivery once", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const body = JSON.stringify(JSON.parse(readFileSync(path.join(repoRoot, "schemas/agentmail/2026-08-03/examples/message.received.json"), "utf8")));
    const seconds = 1_760_000_000;
    const signature = createHmac("sha256", Buffer.from(secret.slice(6), "base64")).update(`msg_redis.${seconds}.${body}`).digest("base64");
    const headers = { "svix-id": "msg_redis", "svix-timestamp": String(seconds), "svix-signature": `v1,${signature}` };
    const ran: string[] = [];
    // the client of the `redis` package is what the store takes, as it comes
    const shared: RedisClientLike = client;
    const [first, second] = [1, 2].map((n) =>
      createAgentMailWebhookHandler({
        secret,
        on: { "message.received": (_event, context) => void ran.push(`${n}:${context.deliveryId}`) },
        now: () => seconds * 1000,
        deduplicate: createRedisStore(shared),
      }),
    );
    const send = (handler: typeof first) => handler!(new Request("http://127.0.0.1/", { method: "POST", body, headers }));
    const answers = await Promise.all([send(first), send(second), send(first), send(second)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const bodies = await Promise.all(answers.map((a) => a.json()));
    expect(bodies.filter((b) => b.duplicate === true)).toHaveLength(3);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatch(/^[12]:msg_redis$/);
  });
});
