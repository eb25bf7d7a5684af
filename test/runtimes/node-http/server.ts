// node:http: toNodeListener serves the Fetch-style handler. Run by test/runtimes/run.js.
import { createServer } from "node:http";
import { createPlainWebhookHandler, toNodeListener } from "./generated/plain/index.js";

const handled: string[] = []; // what the handler saw (the matrix reads it back with GET)

const webhook = toNodeListener(
  createPlainWebhookHandler({
    secret: process.env["PLAIN_WEBHOOK_SECRET"] ?? "", // unset: the handler refuses to start, naming `secret`
    on: {
      "customer.customer_created": (event) => {
        handled.push(event.payload.customer.id);
      },
    },
  }),
);

createServer((req, res) => {
  if (req.method === "GET") res.end(JSON.stringify({ handled }));
  else void webhook(req, res);
}).listen(Number(process.env["PORT"]), "127.0.0.1");
