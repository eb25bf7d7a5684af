// Hono on @hono/node-server: the handler takes Hono's raw Request. Run by test/runtimes/run.js.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createPlainWebhookHandler } from "./generated/plain/index.js";

const handled: string[] = []; // what the handler saw (the matrix reads it back with GET)

const webhook = createPlainWebhookHandler({
  secret: process.env["PLAIN_WEBHOOK_SECRET"] ?? "",
  on: {
    "customer.customer_created": (event) => {
      handled.push(event.payload.customer.id);
    },
  },
});

const app = new Hono();
app.post("/webhook", (c) => webhook(c.req.raw));
app.get("/webhook", (c) => c.json({ handled }));
serve({ fetch: app.fetch, port: Number(process.env["PORT"]), hostname: "127.0.0.1" });
