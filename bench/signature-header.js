// node bench/signature-header.js: the cost of a Standard Webhooks signature header of many
// entries over a 1 MiB body, the generated verifier (generated/runtime.ts) against svix's
// Webhook.verify (the reference). Medians over interleaved rounds, with the spread. A
// benchmark: it asserts nothing.
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { Webhook } from "svix";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), "codegen-bench-sig-"));
const source = readFileSync(path.join(root, "generated/runtime.ts"), "utf8");
const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
writeFileSync(path.join(dir, "runtime.mjs"), js);
const { verifyDelivery } = await import(pathToFileURL(path.join(dir, "runtime.mjs")).href);
rmSync(dir, { recursive: true, force: true });

// AgentMail's signing (Standard Webhooks), described as codegen writes it into index.ts
const { describeSigning } = await import(pathToFileURL(path.join(root, "dist/load/signing.js")).href);
const manifest = JSON.parse(readFileSync(path.join(root, "schemas/agentmail/provider.json"), "utf8"));
const config = { provider: "bench", event: ["type"], versions: [], signing: describeSigning(manifest.signing) };
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const other = "whsec_" + Buffer.from("a second secret, during a rotation").toString("base64");
const key = Buffer.from(secret.slice(6), "base64");
const body = JSON.stringify({ type: "event", pad: "x".repeat(1024 * 1024) });
const id = "msg_bench";
const seconds = Math.floor(Date.now() / 1000);
const good = `v1,${createHmac("sha256", key).update(`${id}.${seconds}.${body}`).digest("base64")}`;
const wrong = `v1,${createHmac("sha256", key).update(`other.${seconds}.${body}`).digest("base64")}`;
const header = (entries, valid) => [...Array(entries - (valid ? 1 : 0)).fill(wrong), ...(valid ? [good] : [])].join(" ");
const headers = (signature) => ({ "svix-id": id, "svix-timestamp": String(seconds), "svix-signature": signature });

const svixOne = new Webhook(secret);
const svixTwo = [new Webhook(other), new Webhook(secret)];
function svix(hooks, signature) {
  for (const hook of hooks) {
    try {
      hook.verify(body, headers(signature));
      return true;
    } catch {
      // the next secret
    }
  }
  return false;
}

const cases = [
  ["1 900 entries, the last valid, 1 secret", header(1900, true), [secret], [svixOne]],
  ["1 900 entries, the last valid, 2 secrets", header(1900, true), [other, secret], svixTwo],
  ["1 900 entries, none valid, 2 secrets", header(1900, false), [other, secret], svixTwo],
  ["16 entries, the last valid, 2 secrets", header(16, true), [other, secret], svixTwo],
  ["1 entry, valid, 1 secret", header(1, true), [secret], [svixOne]],
];

const rounds = Number(process.argv[2] ?? 15);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (n) => `${n.toFixed(2)} ms`;
console.log(`body ${body.length} bytes, ${rounds} rounds, node ${process.version}\n`);
console.log("| header | generated (median, min–max) | generated verdict | svix Webhook.verify (median, min–max) | svix verdict | generated / svix |");
console.log("|---|---|---|---|---|---|");
for (const [name, signature, secrets, hooks] of cases) {
  const ours = [];
  const theirs = [];
  let ourVerdict;
  let theirVerdict;
  for (let round = 0; round < rounds + 2; round++) {
    let start = performance.now();
    const result = await verifyDelivery(config, { headers: headers(signature), body }, secrets, { now: () => seconds * 1000 });
    const a = performance.now() - start;
    start = performance.now();
    theirVerdict = svix(hooks, signature);
    const b = performance.now() - start;
    ourVerdict = result.ok ? "accepted" : `refused (${result.message})`;
    if (round >= 2) {
      ours.push(a);
      theirs.push(b);
    }
  }
  const [o, t] = [median(ours), median(theirs)];
  console.log(
    `| ${name} | ${ms(o)} (${ms(Math.min(...ours))}–${ms(Math.max(...ours))}) | ${ourVerdict} | ${ms(t)} (${ms(Math.min(...theirs))}–${ms(Math.max(...theirs))}) | ${theirVerdict ? "accepted" : "refused"} | ${(o / t).toFixed(2)} |`,
  );
}
