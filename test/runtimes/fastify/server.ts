// Fastify 5: Fastify reads the body before a route runs, so the webhook lives in its own
// plugin scope where no content-type parser reads it, and the raw request goes to
// toNodeListener (reply.hijack(): the listener writes the response). Run by test/runtimes/run.js.
import Fastify from "fastify";
import { createPlainWebhookHandler, toNodeListener } from "./generated/plain/index.js";

const handled: string[] = []; // what the handler saw (the matrix reads it back with GET)

const webhook = toNodeListener(
  createPlainWebhookHandler({
    secret: process.env["PLAIN_WEBHOOK_SECRET"] ?? "",
    on: {
      "customer.customer_created": (event) => {
        handled.push(event.payload.customer.id);
      },
    },
  }),
);

const app = Fastify();
await app.register(async (scope) => {
  // in this scope only: leave every body unread, for the signature check
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
  scope.post("/webhook", async (request, reply) => {
    reply.hijack();
    await webhook(request.raw, reply.raw);
  });
});
app.get("/webhook", async () => ({ handled }));
// The mistake: a route where Fastify's JSON parser has read the body; the answer (500, body_already_read) says so.
app.post("/after-parser", async (request, reply) => {
  reply.hijack();
  await webhook(request.raw, reply.raw);
});
await app.listen({ port: Number(process.env["PORT"]), host: "127.0.0.1" });
