// One server of the receiver bench, in its own process (the load generator has the other
// core): `node bench/receiver-server.js <setup.json> <kind>`. Listens on 127.0.0.1, an
// ephemeral port it prints as its first line, until killed.
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const [setupFile, kind] = process.argv.slice(2);
const setup = JSON.parse(readFileSync(setupFile, "utf8"));
const load = (file) => import(pathToFileURL(file).href);
const ajv = () => {
  const Ajv = require("ajv").default;
  const addFormats = require("ajv-formats").default;
  return addFormats(new Ajv({ strict: false }));
};

const readText = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
const answer = (res, status, body) => {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
};

let listener;
if (kind === "floor") {
  // reads the body and answers 200: verifies, parses and validates nothing
  listener = (req, res) => {
    req.resume();
    req.on("end", () => answer(res, 200, { ok: true }));
  };
} else if (kind === "plain-ours" || kind === "agentmail-ours" || kind === "github-ours") {
  const provider = kind.slice(0, -"-ours".length);
  const module = await load(setup.modules[provider]);
  const create = { plain: module.createPlainWebhookHandler, agentmail: module.createAgentMailWebhookHandler, github: module.createGitHubWebhookHandler }[provider];
  const handler = create({ secret: setup.secrets[provider], on: { [setup.events[provider]]: () => undefined } });
  listener = module.toNodeListener(handler);
} else if (kind === "plain-baseline") {
  // node:crypto HMAC + JSON.parse + the timestamp check + Ajv compiled once
  const validate = ajv().compile(JSON.parse(readFileSync(setup.documents.plain, "utf8")));
  const secret = setup.secrets.plain;
  listener = async (req, res) => {
    const body = await readText(req);
    const given = Buffer.from(String(req.headers["plain-request-signature"] ?? ""), "hex");
    const expected = createHmac("sha256", secret).update(body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return answer(res, 401, { error: "invalid_signature" });
    let payload;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      return answer(res, 400, { error: "invalid_json" });
    }
    const at = Date.parse(payload?.webhookMetadata?.webhookDeliveryAttemptTimestamp);
    if (!(Math.abs(Date.now() - at) <= 300_000)) return answer(res, 401, { error: "stale_timestamp" });
    if (!validate(payload)) return answer(res, 400, { error: "invalid_payload", errors: validate.errors });
    answer(res, 200, { ok: true });
  };
} else if (kind === "agentmail-baseline") {
  // svix's Webhook.verify (which parses the JSON) + Ajv compiled once
  const { Webhook } = require("svix");
  const webhook = new Webhook(setup.secrets.agentmail);
  const validate = ajv().compile(JSON.parse(readFileSync(setup.documents.agentmail, "utf8")));
  listener = async (req, res) => {
    const body = (await readText(req)).toString("utf8");
    let payload;
    try {
      payload = webhook.verify(body, req.headers);
    } catch {
      return answer(res, 401, { error: "invalid_signature" });
    }
    if (!validate(payload)) return answer(res, 400, { error: "invalid_payload", errors: validate.errors });
    answer(res, 200, { ok: true });
  };
} else if (kind === "github-baseline") {
  // node:crypto HMAC of X-Hub-Signature-256 + JSON.parse + Ajv (2020-12, GitHub's OpenAPI 3.1
  // document) compiled once for the event
  const { Ajv2020 } = require("ajv/dist/2020");
  const ajv2020 = require("ajv-formats").default(new Ajv2020({ strict: false }));
  ajv2020.addSchema({ ...JSON.parse(readFileSync(setup.documents.github, "utf8")), $id: "https://github.invalid/openapi.json" });
  const validate = ajv2020.compile({ $ref: `https://github.invalid/openapi.json${setup.pointers.github}` });
  const secret = setup.secrets.github;
  listener = async (req, res) => {
    const body = await readText(req);
    const header = String(req.headers["x-hub-signature-256"] ?? "");
    const given = Buffer.from(header.startsWith("sha256=") ? header.slice(7) : "", "hex");
    const expected = createHmac("sha256", secret).update(body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return answer(res, 401, { error: "invalid_signature" });
    let payload;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      return answer(res, 400, { error: "invalid_json" });
    }
    if (!validate(payload)) return answer(res, 400, { error: "invalid_payload", errors: validate.errors });
    answer(res, 200, { ok: true });
  };
} else if (kind === "plain-least" || kind === "agentmail-least" || kind === "github-least") {
  // the least a receiver that checks the signature and reads the event does: the body read,
  // node:crypto's HMAC compared in constant time, JSON.parse, 200. No freshness check, no
  // validation: what any verifying receiver pays on top of the floor
  const provider = kind.slice(0, -"-least".length);
  const secret = setup.secrets[provider];
  const key = provider === "agentmail" ? Buffer.from(secret.slice("whsec_".length), "base64") : secret;
  listener = async (req, res) => {
    const body = await readText(req);
    let given;
    let hmac = createHmac("sha256", key);
    if (provider === "agentmail") {
      given = Buffer.from(String(req.headers["svix-signature"] ?? "").slice("v1,".length), "base64");
      hmac = hmac.update(`${req.headers["svix-id"]}.${req.headers["svix-timestamp"]}.`);
    } else {
      const header = String(req.headers[provider === "plain" ? "plain-request-signature" : "x-hub-signature-256"] ?? "");
      given = Buffer.from(provider === "github" ? header.slice("sha256=".length) : header, "hex");
    }
    const expected = hmac.update(body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return answer(res, 401, { error: "invalid_signature" });
    try {
      JSON.parse(body.toString("utf8"));
    } catch {
      return answer(res, 400, { error: "invalid_json" });
    }
    answer(res, 200, { ok: true });
  };
} else {
  throw new Error(`unknown server kind ${kind}`);
}

let served = 0;
const server = createServer((req, res) => {
  served++;
  void listener(req, res);
});
// asked on stdin: the CPU time this process has used and the requests it has served
process.stdin.on("data", () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: user + system, served })}\n`);
});
// (SIGINT: exit normally, so that --cpu-prof writes its profile)
process.on("SIGINT", () => process.exit(0));
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
