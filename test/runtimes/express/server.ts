// Express 5: the webhook route is mounted before express.json(), which would read the
// raw body the signature is over. Run by test/runtimes/run.js.
import express from "express";
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

const app = express();
app.post("/webhook", webhook);
app.use(express.json()); // the rest of the app's routes, after the webhook
app.get("/webhook", (_req, res) => {
  res.json({ handled });
});
// The mistake: mounted after express.json(), the body is gone; the answer (500, body_already_read) says so.
app.post("/after-parser", webhook);
app.listen(Number(process.env["PORT"]), "127.0.0.1");
