// Bun: Bun.serve takes the Fetch-style handler as it is. Run by test/runtimes/run.js.
import { createPlainWebhookHandler } from "./generated/plain/index.ts";

const handled: string[] = []; // what the handler saw (the matrix reads it back with GET)

const webhook = createPlainWebhookHandler({
  secret: Bun.env["PLAIN_WEBHOOK_SECRET"] ?? "",
  on: {
    "customer.customer_created": (event) => {
      handled.push(event.payload.customer.id);
    },
  },
});

Bun.serve({
  hostname: "127.0.0.1",
  port: Number(Bun.env["PORT"]),
  fetch: (request) => (request.method === "GET" ? Response.json({ handled }) : webhook(request)),
});
