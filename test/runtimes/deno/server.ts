// Deno: Deno.serve takes the Fetch-style handler as it is; the generated files import each
// other with .ts, as Deno resolves them (no --sloppy-imports). Run by test/runtimes/run.js.
import { createPlainWebhookHandler } from "./generated/plain/index.ts";

const handled: string[] = []; // what the handler saw (the matrix reads it back with GET)

const webhook = createPlainWebhookHandler({
  secret: Deno.env.get("PLAIN_WEBHOOK_SECRET") ?? "",
  on: {
    "customer.customer_created": (event) => {
      handled.push(event.payload.customer.id);
    },
  },
});

Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.env.get("PORT")) },
  (request) => (request.method === "GET" ? Response.json({ handled }) : webhook(request)),
);
