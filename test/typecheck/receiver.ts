// How a user's code meets the generated receiver; compiled by `npm test` with tsconfig.generated.json
// (no @types/node: the generated code must not need it; test/receiver.test.ts mounts the
// listener in a real node:http server, type-checked against node's own types).
import { createPlainWebhookHandler, parsePlainWebhook, toNodeListener, type PlainEventMap } from "../../generated/plain/index.js";
import {
  createAgentMailWebhookHandler,
  createMemoryStore,
  createRedisStore,
  type DeliveryStore,
  type RedisClientLike,
} from "../../generated/agentmail/index.js";

export const plain = createPlainWebhookHandler({
  secret: "whatever",
  on: {
    "thread.email_sent": async (event, context) => {
      const subject: string | null = event.payload.email.subject;
      const version: string = context.version;
      // @ts-expect-error an email event has no chat
      void event.payload.chat;
      void subject;
      void version;
    },
    "thread.chat_received": (event) => {
      // only in 2026-02-27, and typed as such
      const text: string | null | undefined = event.payload.chat.text;
      void text;
    },
    "customer.customer_created": (event) => {
      // @ts-expect-error a customer event carries no thread
      void event.payload.thread;
    },
    // @ts-expect-error not a Plain event
    "thread.exploded": () => {},
  },
});

export const agentMail = createAgentMailWebhookHandler({
  secret: ["whsec_a", "whsec_b"],
  on: {
    "message.received.spam": (event) => void event.message.subject,
    // @ts-expect-error a bounce has no message
    "message.bounced": (event) => void event.message,
  },
});

export function parsed(body: string): PlainEventMap["thread.email_sent"] | undefined {
  const result = parsePlainWebhook(body);
  if (!result.ok) {
    const kind: "invalid_json" | "unknown_event" | "invalid_payload" | "version_mismatch" = result.error.kind;
    void kind;
    return undefined;
  }
  return result.name === "thread.email_sent" ? result.event : undefined;
}

export const listener = toNodeListener(plain, { maxBodyBytes: 100_000 });

// replay protection: the delivery id in the context, the stores, and a structural Redis client
// (the generated code imports no Redis package; any object with set/del of these shapes fits)
const fakeRedis = {
  set: async (_key: string, _value: string, _options: { NX: true; EX: number }) => null as string | null,
  del: async (_key: string) => 0,
};
const client: RedisClientLike = fakeRedis;
const custom: DeliveryStore = { seen: async (_id: string, _ttlSeconds: number) => false };
export const deduplicated = [createMemoryStore({ maxEntries: 10 }), createRedisStore(client, { prefix: "x:" }), custom].map((store) =>
  createAgentMailWebhookHandler({
    secret: "whsec_a",
    on: {
      "message.received": (_event, context) => {
        const id: string | undefined = context.deliveryId;
        void id;
      },
    },
    deduplicate: store,
    deduplicateTtlSeconds: 600,
    bodyTimeoutMs: 5_000,
  }),
);
// @ts-expect-error a store must say whether the id was seen
export const wrongStore: DeliveryStore = { seen: async () => undefined };
