// The receiver bench of `npm run bench` (issue 18): the generated Plain, AgentMail and GitHub
// handlers against the hand-written baselines a user would otherwise write, end to end over
// node:http on 127.0.0.1 (autocannon, bounded duration; each server in its own process, the
// load generator in this one) and in process through the Fetch handler. Medians over
// alternating rounds. It asserts nothing.
import { spawn, spawnSync } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { against, median, number, table } from "./measure.js";

const require = createRequire(import.meta.url);

/** A generated folder's receiver as JavaScript node runs: runtime.ts and each provider's index.ts transpiled, the validators copied. */
function transpileReceiver(generated, out, providers) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "package.json"), '{ "type": "module" }\n');
  const transpile = (from, to) => {
    const js = ts.transpileModule(readFileSync(from, "utf8"), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
    mkdirSync(path.dirname(to), { recursive: true });
    writeFileSync(to, js);
  };
  transpile(path.join(generated, "runtime.ts"), path.join(out, "runtime.js"));
  const modules = {};
  for (const provider of providers) {
    transpile(path.join(generated, provider, "index.ts"), path.join(out, provider, "index.js"));
    for (const version of readdirSync(path.join(generated, provider), { withFileTypes: true })) {
      if (!version.isDirectory() || version.name.startsWith("__")) continue;
      mkdirSync(path.join(out, provider, version.name), { recursive: true });
      copyFileSync(path.join(generated, provider, version.name, "validators.js"), path.join(out, provider, version.name, "validators.js"));
    }
    modules[provider] = path.join(out, provider, "index.js");
  }
  return modules;
}

/**
 * GitHub's receiver, generated from the installed @octokit/openapi-webhooks as a project
 * would (the shipped manifest), with the document, the event and a payload its schema and
 * ours accept; undefined when the package is not installed.
 */
async function gitHubReceiver(root, dir) {
  const require = createRequire(path.join(root, "package.json"));
  let documentFile;
  try {
    documentFile = require.resolve("@octokit/openapi-webhooks/generated/api.github.com.json");
  } catch {
    return undefined;
  }
  const project = path.join(dir, "github-project");
  rmSync(project, { recursive: true, force: true });
  mkdirSync(path.join(project, "node_modules"), { recursive: true });
  cpSync(path.join(root, "schemas", "github"), path.join(project, "schemas", "github"), { recursive: true });
  const generation = spawnSync(process.execPath, [path.join(root, "bin", "codegen.js"), "--provider", "github", "--out", "generated", "--no-cache", "--quiet"], { cwd: project, encoding: "utf8" });
  if (generation.status !== 0) throw new Error(`receiver bench: generating GitHub failed\n${generation.stderr}`);
  const module = transpileReceiver(path.join(project, "generated"), path.join(dir, "github"), ["github"]).github;
  const { parseGitHubWebhook } = await import(pathToFileURL(module).href);
  const document = JSON.parse(readFileSync(documentFile, "utf8"));
  const event = "pull_request.opened";
  const examples = JSON.parse(readFileSync(require.resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8"));
  // the first example of the event that the schemas accept (some lack fields they require)
  const payload = examples
    .find((group) => group.name === "pull_request")
    .examples.find((example) => example.action === "opened" && parseGitHubWebhook(JSON.stringify(example), { "x-github-event": "pull_request" }).ok);
  const pointer = document.webhooks["pull-request-opened"].post.requestBody.content["application/json"].schema.$ref;
  return { module, documentFile, pointer, event, payload };
}

const plainSecret = "plain-bench-secret";
const gitHubSecret = "It's a Secret to Everybody";
const agentMailSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** A delivery signed now: Plain's time is inside the body, Standard Webhooks' in a header. */
function deliveries(payloads) {
  const plain = structuredClone(payloads.plain);
  plain.webhookMetadata.webhookDeliveryAttemptTimestamp = new Date().toISOString();
  const plainBody = JSON.stringify(plain);
  const agentMailBody = JSON.stringify(payloads.agentmail);
  const seconds = Math.floor(Date.now() / 1000);
  const id = `msg_bench_${seconds}`;
  const key = Buffer.from(agentMailSecret.slice("whsec_".length), "base64");
  const gitHubBody = payloads.github === undefined ? undefined : JSON.stringify(payloads.github);
  return {
    github: gitHubBody && {
      body: gitHubBody,
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "x-hub-signature-256": `sha256=${createHmac("sha256", gitHubSecret).update(gitHubBody).digest("hex")}`,
      },
    },
    plain: { body: plainBody, headers: { "content-type": "application/json", "plain-request-signature": createHmac("sha256", plainSecret).update(plainBody).digest("hex") } },
    agentmail: {
      body: agentMailBody,
      headers: {
        "content-type": "application/json",
        "svix-id": id,
        "svix-timestamp": String(seconds),
        "svix-signature": `v1,${createHmac("sha256", key).update(`${id}.${seconds}.${agentMailBody}`).digest("base64")}`,
      },
    },
  };
}

function startServer(root, setupFile, kind) {
  const child = spawn(process.execPath, [path.join(root, "bench", "receiver-server.js"), setupFile, kind], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = [];
  const waiting = [];
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
    let newline;
    while ((newline = out.indexOf("\n")) >= 0) {
      const line = out.slice(0, newline);
      out = out.slice(newline + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const line = () => (lines.length > 0 ? Promise.resolve(lines.shift()) : new Promise((resolve) => waiting.push(resolve)));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return Promise.race([
    line(),
    exited.then((code) => {
      throw new Error(`bench server ${kind} exited (${code}) before listening`);
    }),
  ]).then((port) => ({
    port: Number(port),
    /** The server's CPU time (µs) and requests served so far. */
    usage: async () => {
      child.stdin.write("?\n");
      return JSON.parse(await line());
    },
    stop: () => (child.kill(), exited),
  }));
}

export async function benchReceivers({ root, work, quick, documents, payloads, events, progress }) {
  const autocannon = require("autocannon");
  const dir = path.join(work, "receiver");
  const modules = transpileReceiver(path.join(root, "generated"), path.join(dir, "generated"), ["plain", "agentmail"]);
  const documentFiles = {};
  for (const [provider, document] of Object.entries(documents)) {
    documentFiles[provider] = path.join(dir, `${provider}.document.json`);
    writeFileSync(documentFiles[provider], JSON.stringify(document));
  }
  progress("receiver: generating GitHub's receiver from @octokit/openapi-webhooks");
  const github = await gitHubReceiver(root, dir);
  if (github) {
    modules.github = github.module;
    documentFiles.github = github.documentFile;
    payloads = { ...payloads, github: github.payload };
    events = { ...events, github: github.event };
  }
  const setupFile = path.join(dir, "setup.json");
  writeFileSync(
    setupFile,
    JSON.stringify({ modules, documents: documentFiles, pointers: { github: github?.pointer }, secrets: { plain: plainSecret, agentmail: agentMailSecret, github: gitHubSecret }, events }),
  );

  // --- end to end: node:http on 127.0.0.1 -----------------------------------------------
  const servers = [
    ["floor", "floor", "bare node:http answering 200 (the floor)"],
    ["plain", "plain-ours", "Plain: codegen handler via toNodeListener"],
    ["plain", "plain-baseline", "Plain: node:crypto HMAC + JSON.parse + Ajv compiled once"],
    ["plain", "plain-least", "Plain: node:crypto HMAC + JSON.parse, nothing else (the least a verifying receiver does)"],
    ["agentmail", "agentmail-ours", "AgentMail: codegen handler via toNodeListener"],
    ["agentmail", "agentmail-baseline", "AgentMail: svix Webhook.verify + JSON.parse + Ajv compiled once"],
    ["agentmail", "agentmail-least", "AgentMail: node:crypto HMAC + JSON.parse, nothing else (the least)"],
    ...(github
      ? [
          ["github", "github-ours", "GitHub (pull_request.opened): codegen handler via toNodeListener"],
          ["github", "github-baseline", "GitHub: node:crypto HMAC of X-Hub-Signature-256 + JSON.parse + Ajv 2020 compiled once"],
          ["github", "github-least", "GitHub: node:crypto HMAC + JSON.parse, nothing else (the least)"],
        ]
      : []),
  ];
  const rounds = quick ? 1 : 3;
  const duration = quick ? 3 : 10;
  const connections = 10;
  const results = Object.fromEntries(servers.map(([, kind]) => [kind, { rps: [], p99: [], cpu: [], bad: 0 }]));
  for (let round = 0; round < rounds; round++) {
    // alternating: each round starts one further along
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    for (const [provider, kind] of order) {
      progress(`receiver end to end: ${kind}, round ${round + 1} of ${rounds} (${duration} s)`);
      const server = await startServer(root, setupFile, kind);
      try {
        const delivery = deliveries(payloads)[provider === "floor" ? "plain" : provider];
        const options = { url: `http://127.0.0.1:${server.port}/`, method: "POST", headers: delivery.headers, body: delivery.body, connections };
        await autocannon({ ...options, duration: quick ? 1 : 2 }); // warm-up, not counted
        const before = await server.usage();
        const result = await autocannon({ ...options, duration });
        const after = await server.usage();
        results[kind].cpu.push((after.cpuMicros - before.cpuMicros) / Math.max(1, after.served - before.served));
        results[kind].rps.push(result.requests.average);
        results[kind].p99.push(result.latency.p99);
        results[kind].bad += result.non2xx + result.errors + result.timeouts;
      } finally {
        await server.stop();
      }
    }
  }
  const rps = (kind) => median(results[kind].rps);
  const p99 = (kind) => median(results[kind].p99);
  const cpu = (kind) => median(results[kind].cpu);
  const endToEnd = servers.map(([, kind, label]) => [
    label,
    `${number(rps(kind))}/s (${number(Math.min(...results[kind].rps))}–${number(Math.max(...results[kind].rps))})`,
    `${p99(kind)} ms`,
    `${cpu(kind).toFixed(0)} µs`,
    kind === "floor" ? "" : `${(rps(kind) / rps("floor")).toFixed(2)}×`,
    results[kind].bad === 0 ? "" : `${results[kind].bad} not 2xx or failed`,
  ]);

  // --- in process: the Fetch handler ------------------------------------------------------
  const plainModule = await import(pathToFileURL(modules.plain).href);
  const agentMailModule = await import(pathToFileURL(modules.agentmail).href);
  const Ajv = require("ajv").default;
  const addFormats = require("ajv-formats").default;
  const { Webhook } = require("svix");
  const validators = Object.fromEntries(Object.entries(documents).map(([p, d]) => [p, addFormats(new Ajv({ strict: false })).compile(d)]));
  const svix = new Webhook(agentMailSecret);
  const ok = () => new Response('{"ok":true}', { status: 200, headers: { "content-type": "application/json" } });
  const refuse = (status) => new Response("{}", { status, headers: { "content-type": "application/json" } });
  const contenders = {
    plain: {
      ours: plainModule.createPlainWebhookHandler({ secret: plainSecret, on: { [events.plain]: () => undefined } }),
      baseline: async (request) => {
        const body = Buffer.from(await request.arrayBuffer());
        const given = Buffer.from(request.headers.get("plain-request-signature") ?? "", "hex");
        const expected = createHmac("sha256", plainSecret).update(body).digest();
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse(401);
        const payload = JSON.parse(body.toString("utf8"));
        if (!(Math.abs(Date.now() - Date.parse(payload.webhookMetadata.webhookDeliveryAttemptTimestamp)) <= 300_000)) return refuse(401);
        return validators.plain(payload) ? ok() : refuse(400);
      },
    },
    agentmail: {
      ours: agentMailModule.createAgentMailWebhookHandler({ secret: agentMailSecret, on: { [events.agentmail]: () => undefined } }),
      baseline: async (request) => {
        const body = await request.text();
        let payload;
        try {
          payload = svix.verify(body, Object.fromEntries(request.headers));
        } catch {
          return refuse(401);
        }
        return validators.agentmail(payload) ? ok() : refuse(400);
      },
    },
  };
  if (github) {
    // as the node:http baseline: HMAC of X-Hub-Signature-256 + JSON.parse + Ajv 2020 compiled once
    const { Ajv2020 } = require("ajv/dist/2020");
    const ajv2020 = addFormats(new Ajv2020({ strict: false }));
    ajv2020.addSchema({ ...JSON.parse(readFileSync(github.documentFile, "utf8")), $id: "https://github.invalid/openapi.json" });
    const validate = ajv2020.compile({ $ref: `https://github.invalid/openapi.json${github.pointer}` });
    const gitHubModule = await import(pathToFileURL(modules.github).href);
    contenders.github = {
      ours: gitHubModule.createGitHubWebhookHandler({ secret: gitHubSecret, on: { [events.github]: () => undefined } }),
      baseline: async (request) => {
        const body = Buffer.from(await request.arrayBuffer());
        const header = request.headers.get("x-hub-signature-256") ?? "";
        const given = Buffer.from(header.startsWith("sha256=") ? header.slice(7) : "", "hex");
        const expected = createHmac("sha256", gitHubSecret).update(body).digest();
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse(401);
        return validate(JSON.parse(body.toString("utf8"))) ? ok() : refuse(400);
      },
    };
  }
  const batchMs = quick ? 150 : 300;
  const inRounds = quick ? 3 : 7;
  const inProcess = [];
  const inRatios = {};
  for (const provider of Object.keys(contenders)) {
    progress(`receiver in process: ${provider}`);
    const delivery = deliveries(payloads)[provider];
    const call = (handler) => handler(new Request("http://localhost/webhooks", { method: "POST", headers: delivery.headers, body: delivery.body }));
    for (const [name, handler] of Object.entries(contenders[provider])) {
      const status = (await call(handler)).status;
      if (status !== 200) throw new Error(`receiver bench: ${provider} ${name} answered ${status} to a valid delivery`);
    }
    const rates = { ours: [], baseline: [] };
    for (let round = 0; round < inRounds; round++) {
      const names = round % 2 === 0 ? ["ours", "baseline"] : ["baseline", "ours"];
      for (const name of names) {
        const handler = contenders[provider][name];
        let calls = 0;
        const start = performance.now();
        let elapsed = 0;
        while ((elapsed = performance.now() - start) < batchMs) {
          for (let i = 0; i < 20; i++) await call(handler);
          calls += 20;
        }
        rates[name].push((calls * 1000) / elapsed);
      }
    }
    const label = {
      plain: "Plain (node:crypto HMAC + JSON.parse + Ajv)",
      agentmail: "AgentMail (svix Webhook.verify + Ajv)",
      github: "GitHub pull_request.opened (node:crypto HMAC + JSON.parse + Ajv 2020)",
    }[provider];
    inRatios[provider] = median(rates.ours) / median(rates.baseline);
    inProcess.push([label, `${number(median(rates.ours))}/s`, `${number(median(rates.baseline))}/s`, `${inRatios[provider].toFixed(2)}×`]);
  }

  const target = (met, text) => `${met ? "met    " : "NOT met"}  ${text}`;
  const targets = github ? [] : ["skipped  GitHub's receiver: @octokit/openapi-webhooks is not installed (npm ci installs it)"];
  for (const provider of github ? ["plain", "agentmail", "github"] : ["plain", "agentmail"]) {
    const name = { plain: "Plain", agentmail: "AgentMail", github: "GitHub" }[provider];
    const ours = `${provider}-ours`;
    const base = `${provider}-baseline`;
    const r = rps(ours) / rps(base);
    targets.push(target(r >= 1.3, `${name} on node:http: ${against(r, 1.3)}× the hand-written baseline's requests/s (target ≥ 1.3×)`));
    targets.push(target(p99(ours) <= p99(base), `${name} on node:http: p99 ${p99(ours)} ms against the baseline's ${p99(base)} ms (target: no worse)`));
    const f = rps(ours) / rps("floor");
    const least = rps(`${provider}-least`) / rps("floor");
    targets.push(
      target(
        f >= 0.5,
        `${name} on node:http: ${against(f, 0.5)}× the bare node:http floor (target ≥ 0.5×; HMAC + JSON.parse alone, the least a verifying receiver does: ${against(least, 0.5)}×, and ${(rps(ours) / rps(`${provider}-least`)).toFixed(2)} of that)`,
      ),
    );
    if (inRatios[provider] !== undefined) targets.push(target(inRatios[provider] >= 1.3, `${name} Fetch handler in process: ${against(inRatios[provider], 1.3)}× the baseline (target ≥ 1.3×)`));
  }
  return {
    title: `Receiver end to end: node:http on 127.0.0.1, autocannon (${connections} connections, ${duration} s after a warm-up, ${rounds} alternating round${rounds > 1 ? "s" : ""}; each server in its own process): requests/s median (min–max), p99 median`,
    endToEnd: table(["server", "requests/s", "p99", "server CPU per request", "÷ floor (requests/s)", "errors"], endToEnd),
    inProcessTitle: `Receiver in process: the Fetch handler called with a new Request per delivery (calls/s, median of ${inRounds} alternating rounds)`,
    inProcess: table(["provider (baseline)", "codegen handler", "baseline", "codegen ÷ baseline"], inProcess),
    targets,
  };
}
