// Cloudflare Workers: secrets are bindings on `env` (there is no process.env), so the
// handler is made on the first request and kept. Run by test/runtimes/run.js in workerd.
import { createPlainWebhookHandler } from "./generated/plain";

interface Env {
  PLAIN_WEBHOOK_SECRET: string; // `wrangler secret put PLAIN_WEBHOOK_SECRET`
}

const handled: string[] = []; // what the handler saw (the matrix reads it back with GET)
let webhook: ((request: Request) => Promise<Response>) | undefined;

export default {
  async fetch(request, env) {
    if (request.method === "GET") return Response.json({ handled });
    webhook ??= createPlainWebhookHandler({
      secret: env.PLAIN_WEBHOOK_SECRET,
      on: {
        "customer.customer_created": (event) => {
          handled.push(event.payload.customer.id);
        },
      },
    });
    return webhook(request);
  },
} satisfies ExportedHandler<Env>;
