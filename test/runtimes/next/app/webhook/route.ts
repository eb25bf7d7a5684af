// Next.js App Router: the route's POST is the Fetch-style handler (a route handler's
// request body is untouched). The handler is made on the first request: `next build`
// loads this module, and the secret may not be set there. Built with `next build`,
// served by `next start`.
import { createPlainWebhookHandler } from "../../generated/plain";

const handled: string[] = []; // what the handler saw (the matrix reads it back with GET)
let webhook: ((request: Request) => Promise<Response>) | undefined;

export function POST(request: Request): Promise<Response> {
  webhook ??= createPlainWebhookHandler({
    secret: process.env.PLAIN_WEBHOOK_SECRET ?? "",
    on: {
      "customer.customer_created": (event) => {
        handled.push(event.payload.customer.id);
      },
    },
  });
  return webhook(request);
}

export function GET(): Response {
  return Response.json({ handled });
}
