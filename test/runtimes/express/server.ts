// Express 5: the webhook route is mounted before express.json(), which would read the
// raw body the signature is over. Run by test/runtimes/run.js.
import express from "express";
import { createPlainWebhookHandler, toNodeListener } from "./generated/plain/index.js";

const handled: string[] = []; // what the handler saw (the matrix reads it back with GET)

const app = express();
app.post(
  "/webhook",
  toNodeListener(
    createPlainWebhookHandler({
      secret: process.env["PLAIN_WEBHOOK_SECRET"] ?? "",
      on: {
        "customer.customer_created": (event) => {
          handled.push(event.payload.customer.id);
        },
      },
    }),
  ),
);
app.use(express.json()); // the rest of the app's routes, after the webhook
app.get("/webhook", (_req, res) => {
  res.json({ handled });
});
app.listen(Number(process.env["PORT"]), "127.0.0.1");
