// The runtime and framework matrix (npm run test:runtimes): for each target, the repo's
// built CLI generates the Plain receiver into the target's folder (the module settings
// detected from its tsconfig.json / deno.json / package.json), the consumer code is
// type-checked with the target's own default tsconfig, the server is started on
// 127.0.0.1, and three signed deliveries are sent: valid → 200 and the typed handler ran,
// tampered → 401, signed but not matching its schema → 400. Then generated/runtime.ts is
// type-checked under each environment's types without skipLibCheck (libs/).
import { spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const bin = (name) => path.join(here, "node_modules/.bin", name);
const secret = "runtimes-matrix-secret";
const only = process.argv.slice(2);

function step(command, args, cwd, env = {}) {
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(" ")} (in ${path.relative(repo, cwd)}) failed:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Waits until GET url answers: at most `attempts` tries, 100 ms apart; fails at once when the server exits. */
async function waitFor(url, child, attempts) {
  for (let i = 0; i < attempts; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before answering`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer after ${attempts} tries`);
}

const sample = JSON.parse(readFileSync(path.join(repo, "schemas/plain/2026-02-27/examples/customer.customer_created.json"), "utf8"));

/** The three deliveries, signed as Plain signs (HMAC-SHA256 of the body, hex), with a fresh delivery time. */
async function deliveries(url) {
  const fresh = structuredClone(sample);
  fresh.webhookMetadata.webhookDeliveryAttemptTimestamp = new Date().toISOString();
  const sign = (body) => createHmac("sha256", secret).update(body).digest("hex");
  const post = (body, signature) =>
    fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "plain-request-signature": signature } });
  const valid = JSON.stringify(fresh);
  const results = {};
  results.valid = (await post(valid, sign(valid))).status;
  const handled = await (await fetch(url)).json();
  results.handled = handled.handled.includes(sample.payload.customer.id);
  const tampered = valid.replace(sample.payload.customer.id, "c_tampered");
  results.tampered = (await post(tampered, sign(valid))).status;
  const invalid = structuredClone(fresh);
  delete invalid.payload.customer.email;
  const invalidBody = JSON.stringify(invalid);
  results.invalid = (await post(invalidBody, sign(invalidBody))).status;
  const ok = results.valid === 200 && results.handled && results.tampered === 401 && results.invalid === 400;
  return { ok, results };
}

async function afterParser(url) {
  const fresh = structuredClone(sample);
  fresh.webhookMetadata.webhookDeliveryAttemptTimestamp = new Date().toISOString();
  const body = JSON.stringify(fresh);
  const signature = createHmac("sha256", secret).update(body).digest("hex");
  const response = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "plain-request-signature": signature } });
  const answer = await response.json().catch(() => ({}));
  return { status: response.status, error: answer.error };
}

const version = (pkg) => JSON.parse(readFileSync(path.join(here, "node_modules", pkg, "package.json"), "utf8")).version;
const tsc = (dir) => step(process.execPath, [path.join(here, "node_modules/typescript/bin/tsc"), "-p", dir], dir);
const nodeServer = (file) => (dir, port) => ({ command: process.execPath, args: [file], url: `http://127.0.0.1:${port}/webhook` });

const targets = [
  { name: "node:http", dir: "node-http", versions: () => `node ${process.versions.node}`, check: tsc, start: nodeServer("server.js") },
  { name: "Express 5", dir: "express", versions: () => `express ${version("express")}`, check: tsc, start: nodeServer("server.js"), afterParser: true },
  { name: "Fastify 5", dir: "fastify", versions: () => `fastify ${version("fastify")}`, check: tsc, start: nodeServer("server.js"), afterParser: true },
  { name: "Hono (node-server)", dir: "hono", versions: () => `hono ${version("hono")}, @hono/node-server ${version("@hono/node-server")}`, check: tsc, start: nodeServer("server.js") },
  {
    name: "Next.js App Router",
    dir: "next",
    versions: () => `next ${version("next")}, react ${version("react")}`,
    // next build type-checks with the project's tsconfig; tsc first gives the same errors without Next's wrapping
    check: (dir) => {
      step(bin("tsc"), ["-p", dir, "--noEmit"], dir);
      step(bin("next"), ["build"], dir, { NEXT_TELEMETRY_DISABLED: "1" });
    },
    start: (dir, port) => ({ command: bin("next"), args: ["start", "-p", String(port), "-H", "127.0.0.1"], url: `http://127.0.0.1:${port}/webhook`, env: { NEXT_TELEMETRY_DISABLED: "1" } }),
    attempts: 600,
  },
  {
    name: "Bun",
    dir: "bun",
    versions: () => `bun ${version("bun")}, @types/bun ${version("@types/bun")}`,
    check: tsc,
    start: (dir, port) => ({ command: bin("bun"), args: ["run", "server.ts"], url: `http://127.0.0.1:${port}/webhook` }),
  },
  {
    name: "Deno",
    dir: "deno",
    versions: () => `deno ${version("deno")}`,
    check: (dir) => step(bin("deno"), ["check", "server.ts", "validators-types.ts"], dir, { DENO_NO_UPDATE_CHECK: "1" }),
    // only permissions: no resolution flags
    start: (dir, port) => ({ command: bin("deno"), args: ["run", `--allow-net=127.0.0.1:${port}`, "--allow-env=PLAIN_WEBHOOK_SECRET,PORT", "server.ts"], url: `http://127.0.0.1:${port}/webhook`, env: { DENO_NO_UPDATE_CHECK: "1" } }),
  },
  {
    name: "workerd",
    dir: "workerd",
    versions: () => `workerd ${version("workerd")}, @cloudflare/workers-types ${version("@cloudflare/workers-types")}`,
    check: (dir) => {
      tsc(dir);
      // what wrangler does before serving: one ES module bundle
      step(bin("esbuild"), ["worker.ts", "--bundle", "--format=esm", "--platform=neutral", "--outfile=dist/worker.js", "--log-level=warning"], dir);
    },
    start: (dir, port) => ({ command: bin("workerd"), args: ["serve", "config.capnp", `--socket-addr=http=127.0.0.1:${port}`], url: `http://127.0.0.1:${port}/webhook` }),
  },
];

const rows = [];
let failed = false;
const generate = (dir) =>
  JSON.parse(step(process.execPath, [path.join(repo, "bin/codegen.js"), "--no-cache", "--json"], dir)).module;

for (const target of targets) {
  if (only.length > 0 && !only.includes(target.dir)) continue;
  const dir = path.join(here, target.dir);
  const started = performance.now();
  let child;
  let output = "";
  const row = { target: target.name, versions: target.versions(), imports: "", result: "", seconds: 0 };
  try {
    rmSync(path.join(dir, "generated"), { recursive: true, force: true });
    const module = generate(dir);
    row.imports = `${module.importExtension.value} (${module.importExtension.from})`;
    target.check(dir);
    const port = await freePort();
    const server = target.start(dir, port);
    child = spawn(server.command, server.args, {
      cwd: dir,
      env: { ...process.env, ...server.env, PORT: String(port), PLAIN_WEBHOOK_SECRET: secret },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    await waitFor(server.url, child, target.attempts ?? 300);
    const { ok, results } = await deliveries(server.url);
    row.result = `${ok ? "pass" : "FAIL"}: valid ${results.valid}${results.handled ? " (handled)" : " (handler did not run)"}, tampered ${results.tampered}, invalid ${results.invalid}`;
    if (!ok) failed = true;
    if (target.afterParser) {
      // the handler mounted after the framework's body parser: a 500 that says what happened
      const mistake = await afterParser(server.url.replace(/\/webhook$/, "/after-parser"));
      row.result += `; after the body parser ${mistake.status} ${mistake.error}`;
      if (mistake.status !== 500 || mistake.error !== "body_already_read") {
        failed = true;
        row.result = row.result.replace(/^pass/, "FAIL");
      }
    }
  } catch (error) {
    failed = true;
    row.result = `FAIL: ${error.message}${output ? `\n--- server output ---\n${output}` : ""}`;
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    }
  }
  row.seconds = Math.round((performance.now() - started) / 100) / 10;
  rows.push(row);
  console.log(`${row.result.startsWith("pass") ? "✓" : "✗"} ${row.target} (${row.versions}) ${row.seconds} s — ${row.result}`);
}

// generated/runtime.ts under each environment's own types, without skipLibCheck
if (only.length === 0 || only.includes("libs")) {
  const started = performance.now();
  for (const lib of ["dom", "node", "bun", "workers"]) {
    const row = { target: `runtime.ts types: ${lib}`, versions: "", imports: "", result: "", seconds: 0 };
    const t0 = performance.now();
    try {
      step(bin("tsc"), ["-p", path.join(here, "libs", `tsconfig.${lib}.json`)], here);
      row.result = "pass";
    } catch (error) {
      failed = true;
      row.result = `FAIL: ${error.message}`;
    }
    row.seconds = Math.round((performance.now() - t0) / 100) / 10;
    rows.push(row);
    console.log(`${row.result === "pass" ? "✓" : "✗"} ${row.target} ${row.seconds} s${row.result === "pass" ? "" : ` — ${row.result}`}`);
  }
  void started;
}

writeFileSync(path.join(here, "results.json"), `${JSON.stringify(rows, null, 2)}\n`);
if (failed) process.exitCode = 1;
