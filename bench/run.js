// npm run bench: validators and generation, measured side by side in one run.
//
//   (a) Ajv, compiled on every call (what Plain's SDK does: new Ajv() and compile per parse)
//   (b) Ajv, the version's document compiled once at start-up
//   (b') Ajv compiled once, one validator per event, picked by the payload's event name
//   (c) Ajv's standalone code for the same document (ahead of time)
//   (d) the validators `codegen` generates (validateEvent: dispatch, checks, readable errors)
//   (e) @exodus/schemasafe, (f) TypeBox's TypeCompiler and (g) typia (types only), the peers,
//       on Plain's measured version and AgentMail's (bench/peers.js says how each is set up)
//   and JSON.parse of each valid payload's body (pretty-printed, as the docs show it), which a
//   receiver pays before validating: the row "validation ÷ JSON.parse of the same body" is
//   (d)'s time over JSON.parse's
//
// on real payloads: Plain's published document and its docs examples from ../shared/corpus
// when it is there, and the embedded catalogue's samples; valid ones and broken copies. Then
// start-up in fresh processes, module sizes, and generation time (one process per revision,
// and one run over all four). Every figure is a median over interleaved rounds with its
// spread (min–max). A benchmark: it asserts nothing.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { against, kb, number, ratio, startup, table, throughput, timeCommands, withSpread } from "./measure.js";
import { benchReceivers } from "./receiver.js";
import { benchGitHub } from "./github.js";
import { benchScaling } from "./scaling.js";
import { checkPeers, peerNames, preparePeers } from "./peers.js";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
const fromDist = (file) => import(pathToFileURL(path.join(root, "dist", file)).href);
const { loadCatalogue } = await fromDist("load/catalogue.js");
const { buildModels } = await fromDist("model/build.js");
const { generate } = await fromDist("generate.js");
const { writeOutput } = await fromDist("write.js");
const { emitValidators } = await fromDist("emit/validators/index.js");
const { formatFiles } = await fromDist("format.js");
const Ajv = require("ajv").default;
const addFormats = require("ajv-formats").default;
const standaloneCode = require("ajv/dist/standalone").default;

// Files the bench writes: inside node_modules so that Ajv's standalone code finds ajv.
const work = path.join(root, "node_modules", ".cache", "webhook-codegen-bench");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const corpus = path.resolve(root, "..", "shared", "corpus");
const revisionsDir = path.join(corpus, "plain", "schema-history");
const examplesDir = path.join(corpus, "plain", "examples");
const hasCorpus = existsSync(revisionsDir) && existsSync(examplesDir);
const quick = process.argv.includes("--quick"); // fewer rounds, for trying the bench out
const rounds = quick ? 3 : 7;
const skipped = [];
const notes = [];
const log = (text) => process.stdout.write(`${text}\n`);
const progress = (text) => process.stderr.write(`bench: ${text}\n`);

log(`webhook-codegen bench: node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${rounds} rounds`);
if (!hasCorpus) skipped.push(`../shared/corpus not found beside this checkout: Plain's published documents, docs examples and the generation comparison are skipped; the headline uses the embedded catalogue's thread.email_sent sample`);

// ---------------------------------------------------------------------------------------
// The versions measured: a document (what Ajv compiles) and the model (what codegen compiles).

const ajvOptions = { strict: false };
const newAjv = (options = {}) => addFormats(new Ajv({ ...ajvOptions, ...options }));

async function version({ label, schemas, provider, document, model }) {
  const out = path.join(work, "generated", label.replace(/[^\w.-]+/g, "_"));
  const files = await generate({ schemas, providers: [provider], out, cwd: root });
  await writeOutput(out, files);
  const file = path.join(out, provider, model.version, "validators.js");
  const ours = await import(pathToFileURL(file).href);
  const ajv = newAjv();
  const compiled = ajv.compile(document);
  const standaloneFile = path.join(work, `standalone-${label.replace(/[^\w.-]+/g, "_")}.cjs`);
  const source = newAjv({ code: { source: true } });
  const standalone = standaloneCode(source, source.compile(document));
  writeFileSync(standaloneFile, standalone);
  const perEvent = newAjv();
  perEvent.addSchema({ definitions: model.definitions }, "document");
  const byName = new Map(model.events.flatMap((e) => e.names.map((n) => [n, perEvent.getSchema(`document#/definitions/${e.typeName}`)])));
  const typesFile = path.join(out, provider, model.version, "types.ts");
  return { label, document, model, ours, file, typesFile, compiled, standaloneFile, standalone: require(standaloneFile), byName };
}

/** The whole version as one document, as a provider publishes it: any of the events. */
const asDocument = (model) => ({ definitions: model.definitions, anyOf: model.events.map((e) => ({ $ref: `#/definitions/${e.typeName}` })) });

const catalogueModels = buildModels((await loadCatalogue(path.join(root, "schemas"), { cwd: root })).providers);
const versions = [];
for (const model of catalogueModels) {
  progress(`generating ${model.provider.name} ${model.version}`);
  versions.push(await version({ label: `${model.provider.name} ${model.version} (catalogue)`, schemas: path.join(root, "schemas"), provider: model.provider.name, document: asDocument(model), model }));
}
const revisions = hasCorpus ? readdirSync(revisionsDir).filter((f) => f.endsWith(".json")).sort() : [];
let latest;
if (hasCorpus) {
  const file = path.join(revisionsDir, revisions.at(-1));
  const [model] = buildModels((await loadCatalogue(file, { cwd: root, providers: ["plain"] })).providers);
  progress(`generating plain ${model.version} (published document)`);
  latest = await version({ label: `plain ${model.version} (published)`, schemas: file, provider: "plain", document: JSON.parse(readFileSync(file, "utf8")), model });
}

// ---------------------------------------------------------------------------------------
// Payloads: valid ones, and copies broken the way payloads are (checked to fail by Ajv).

const eventNameOf = (payload) => payload?.payload?.eventType ?? payload?.event_type;
const clone = (value) => structuredClone(value);

const breakThreadEmailSent = [
  ["an unknown status", (p) => (p.payload.thread.status = "OPEN")],
  ["a missing title", (p) => delete p.payload.thread.title],
  ["an impossible date", (p) => (p.timestamp = "2024-02-30T10:00:00Z")],
  ["an id of the wrong shape", (p) => (p.id = "pEv_1")],
  ["a number for a string", (p) => (p.payload.email.subject = 42)],
];

/** Generic breakages: a root field removed, a date made impossible, a nested string made a number. */
function broken(payload) {
  const copies = [];
  const first = clone(payload);
  delete first[Object.keys(first)[0]];
  copies.push(first);
  const visit = (node, depth, test, change) => {
    if (node === null || typeof node !== "object") return false;
    for (const key of Object.keys(node)) {
      if (test(node[key], depth)) {
        node[key] = change(node[key]);
        return true;
      }
      if (visit(node[key], depth + 1, test, change)) return true;
    }
    return false;
  };
  const date = clone(payload);
  if (visit(date, 0, (v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v), () => "2024-02-30T10:00:00Z")) copies.push(date);
  const typed = clone(payload);
  if (visit(typed, 0, (v, depth) => typeof v === "string" && depth >= 2, () => 42)) copies.push(typed);
  return copies;
}

function withVersion(model, payload) {
  const copy = clone(payload);
  if (model.pinnedVersion !== undefined && copy.webhookMetadata) copy.webhookMetadata.webhookTargetVersion = model.pinnedVersion;
  return copy;
}

/** Payload sets of a version: the ones (b) accepts, the ones it rejects; verdicts of (d) and the peers compared. */
function sets(v, what, valid, invalid) {
  const accepted = valid.filter((p) => v.compiled(p));
  const rejected = invalid.filter((p) => !v.compiled(p));
  const all = [...accepted, ...rejected];
  const disagree = all.filter((p) => v.ours.validateEvent(p).ok !== v.compiled(p)).length;
  if (disagree > 0) notes.push(`${v.label}: (d) and (b) disagree on ${disagree} of ${all.length} payloads`);
  const result = { valid: accepted, invalid: rejected };
  if (peers.has(v)) notes.push(...checkPeers(`${what}, ${v.label}`, peers.get(v), result, skipped));
  return result;
}

const headlineVersion = latest ?? versions.find((v) => v.model.provider.name === "plain" && v.model.version === catalogueModels.filter((m) => m.provider.name === "plain").at(-1).version);
const headlinePayload = latest
  ? withVersion(latest.model, JSON.parse(readFileSync(path.join(examplesDir, "thread.email_sent.json"), "utf8")))
  : clone(headlineVersion.model.samples.find((s) => s.file === "thread.email_sent.json").json);
// the body as the provider sends it (pretty-printed, as the docs show it)
const asBody = (payload) => JSON.stringify(payload, null, 2);
const headlineBody = asBody(headlinePayload);

// The peers (bench/peers.js), on Plain's measured version and on AgentMail's.
const peerVersions = [headlineVersion, ...versions.filter((v) => v.model.provider.name === "agentmail")];
const peers = await preparePeers(peerVersions, { root, work, progress, skipped });

const headline = sets(headlineVersion, "thread.email_sent", [headlinePayload], breakThreadEmailSent.map(([, change]) => {
  const copy = clone(headlinePayload);
  change(copy);
  return copy;
}));

// ---------------------------------------------------------------------------------------
// Throughput.

const parseName = "JSON.parse of the body (reference)";
const contenders = (v, bodies, { compilePerCall = false, invalid = false } = {}) => ({
  ...(invalid ? {} : { [parseName]: (p) => JSON.parse(bodies.get(p)) }),
  ...(compilePerCall ? { "(a) Ajv, compile on every call": (p) => newAjv().compile(v.document)(p) } : {}),
  "(b) Ajv compiled once": (p) => v.compiled(p),
  "(b') Ajv once, per event by name": (p) => v.byName.get(eventNameOf(p))?.(p),
  "(c) Ajv standalone": (p) => v.standalone(p),
  "(d) codegen validateEvent": (p) => v.ours.validateEvent(p).ok,
  // an invalid payload's errors are made when first read: (d') reads them, as a receiver's 400 does
  ...(invalid ? { "(d') validateEvent, every error read": (p) => v.ours.validateEvent(p).errors.length > 0 } : {}),
  ...peers.get(v),
});

const throughputRows = [];
const ratios = {};
const invalidRatios = [];
const validRatios = [];
function measure(label, v, payloads, options = {}) {
  if (payloads.length === 0) return;
  progress(`throughput: ${label}`);
  const bodies = new Map(payloads.map((p) => [p, asBody(p)]));
  const results = throughput(contenders(v, bodies, options), payloads, { rounds });
  // compiling per call is slow: its own, shorter batches
  for (const [name, s] of Object.entries(results)) throughputRows.push([label, name, withSpread(s, "/s")]);
  const b = results["(b) Ajv compiled once"].median;
  const d = results["(d) codegen validateEvent"].median;
  throughputRows.push([label, "(d) ÷ (b)", ratio(d, b)]);
  for (const name of Object.keys(peers.get(v) ?? {})) throughputRows.push([label, `(d) ÷ ${name}`, ratio(d, results[name].median)]);
  if (!options.invalid) {
    // in time, not in calls per second: what validating adds to parsing, as a share of it
    const parse = results[parseName].median / d;
    throughputRows.push([label, "validation ÷ JSON.parse of the same body", `${parse.toFixed(2)} of JSON.parse's time`]);
    const schemasafe = results[peerNames.schemasafe]?.median;
    validRatios.push({ label, parse, schemasafe: schemasafe === undefined ? undefined : d / schemasafe });
  } else {
    throughputRows.push([label, "(d) ÷ (b')", ratio(results["(d) codegen validateEvent"].median, results["(b') Ajv once, per event by name"].median)]);
    throughputRows.push([label, "(d') ÷ (b)", ratio(results["(d') validateEvent, every error read"].median, b)]);
    invalidRatios.push({ label, b: results["(d) codegen validateEvent"].median / b, bPrime: results["(d) codegen validateEvent"].median / results["(b') Ajv once, per event by name"].median });
  }
  return results;
}

const headlineLabel = `thread.email_sent (${(headlineBody.length / 1000).toFixed(1)} kB), ${headlineVersion.label}`;
const valid = measure(`${headlineLabel}: valid`, headlineVersion, headline.valid, { compilePerCall: true });
const invalid = measure(`${headlineLabel}: invalid (${headline.invalid.length} kinds)`, headlineVersion, headline.invalid, { compilePerCall: true, invalid: true });
ratios.valid = valid["(d) codegen validateEvent"].median / valid["(b) Ajv compiled once"].median;
ratios.invalid = invalid["(d) codegen validateEvent"].median / invalid["(b) Ajv compiled once"].median;

if (latest) {
  const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".json")).sort().map((f) => withVersion(latest.model, JSON.parse(readFileSync(path.join(examplesDir, f), "utf8"))));
  const s = sets(latest, "Plain's docs examples", examples, examples.flatMap(broken));
  measure(`Plain's ${s.valid.length} docs examples, ${latest.label}: valid`, latest, s.valid);
  measure(`Plain's docs examples, ${latest.label}: invalid (${s.invalid.length})`, latest, s.invalid, { invalid: true });
}
for (const v of versions) {
  const samples = v.model.samples.filter((s) => !s.expect).map((s) => s.json);
  const knownBad = v.model.samples.filter((s) => s.expect).map((s) => s.json);
  const s = sets(v, "samples", samples, [...knownBad, ...samples.flatMap(broken)]);
  measure(`${v.label}, ${s.valid.length} samples: valid`, v, s.valid);
  measure(`${v.label}: invalid (${s.invalid.length})`, v, s.invalid, { invalid: true });
}

// ---------------------------------------------------------------------------------------
// Start-up in fresh processes: import, build, validate one payload.

progress("start-up");
const payloadFile = path.join(work, "payload.json");
writeFileSync(payloadFile, headlineBody);
const documentFile = path.join(work, "document.json");
writeFileSync(documentFile, JSON.stringify(headlineVersion.document));
// Each script times itself from its first line (imports are dynamic, so they count) to a
// validated payload, and prints the milliseconds.
const script = (name, body) => {
  const file = path.join(work, name);
  writeFileSync(file, `const started = performance.now();\n${body}\nconsole.log(performance.now() - started);\n`);
  return file;
};
const read = `const { readFileSync } = await import("node:fs");\nconst payload = JSON.parse(readFileSync(${JSON.stringify(payloadFile)}, "utf8"));`;
const startups = startup(
  {
    "empty node": script("empty.mjs", ""),
    "(b) Ajv compiled at start-up": script(
      "ajv.mjs",
      `${read}\nconst { default: Ajv } = await import("ajv");\nconst { default: addFormats } = await import("ajv-formats");\nconst ajv = addFormats(new Ajv(${JSON.stringify(ajvOptions)}));\nconst validate = ajv.compile(JSON.parse(readFileSync(${JSON.stringify(documentFile)}, "utf8")));\nif (!validate(payload)) process.exit(3);`,
    ),
    "(c) Ajv standalone": script(
      "standalone.mjs",
      `${read}\nconst { createRequire } = await import("node:module");\nconst validate = createRequire(import.meta.url)(${JSON.stringify(headlineVersion.standaloneFile)});\nif (!validate(payload)) process.exit(3);`,
    ),
    "(d) codegen": script("ours.mjs", `${read}\nconst { validateEvent } = await import(${JSON.stringify(pathToFileURL(headlineVersion.file).href)});\nif (!validateEvent(payload).ok) process.exit(3);`),
  },
  { rounds: quick ? 5 : 15 },
);
const startupOf = (name) => startups[name].inside.median - startups["empty node"].inside.median;
ratios.startup = startupOf("(b) Ajv compiled at start-up") / startupOf("(d) codegen");

// ---------------------------------------------------------------------------------------
// Sizes: Ajv's standalone code against ours, for one event and for a whole version.

progress("sizes");
const gz = (text) => gzipSync(text, { level: 9 }).length;
const sizeRows = [];
const sizeRatios = [];
function size(label, standalone, ours, version) {
  sizeRows.push([label, kb(standalone.length), kb(gz(standalone)), kb(ours.length), kb(gz(ours)), ratio(ours.length, standalone.length), ratio(gz(ours), gz(standalone))]);
  sizeRatios.push({ label, version, raw: ours.length / standalone.length, gzip: gz(ours) / gz(standalone) });
}

/** The model cut down to one event and the definitions it reaches. */
function oneEvent(model, name) {
  const event = model.events.find((e) => e.names.includes(name));
  const reached = new Set();
  const visit = (definition) => {
    if (reached.has(definition)) return;
    reached.add(definition);
    JSON.stringify(model.definitions[definition], (key, value) => (key === "$ref" && typeof value === "string" && visit(value.slice(14)), value));
  };
  visit(event.typeName);
  return { ...model, events: [event], samples: [], definitions: Object.fromEntries(Object.entries(model.definitions).filter(([n]) => reached.has(n))) };
}

async function eventSizes(v, name) {
  const small = oneEvent(v.model, name);
  const [ours] = await formatFiles([emitValidators(small, "")[0]]);
  const ajv = newAjv({ code: { source: true } });
  ajv.addSchema({ definitions: small.definitions }, "document");
  const standalone = standaloneCode(ajv, ajv.getSchema(`document#/definitions/${small.events[0].typeName}`));
  size(`${name} alone, ${v.label}`, standalone, ours.content, "event");
}

await eventSizes(headlineVersion, "thread.email_sent");
for (const v of [...(latest ? [latest] : []), ...versions]) size(`whole version, ${v.label}`, readFileSync(v.standaloneFile, "utf8"), readFileSync(v.file, "utf8"), v);

// ---------------------------------------------------------------------------------------
// Generation: codegen on the four revisions against json-schema-to-typescript's CLI, two ways:
// one process per revision (json2ts's usual use; Node's start-up is paid four times), and one
// run over all four (a catalogue holding them as four versions of Plain, as a project runs
// codegen; json2ts's CLI given the four files in one run, with its glob input).

const codegenBin = path.join(root, "bin", "codegen.js");
const json2ts = path.join(root, "node_modules", "json-schema-to-typescript", "dist", "src", "cli.js");
const cache = path.join(root, "node_modules", ".cache", "webhook-codegen");
const generation = {};
// codegen as a project with no settings runs it (this repository's codegen.config.json turns on
// fixtures and tests, and names its providers): the same work json2ts is compared with
const benchConfig = path.join(work, "codegen.config.json");
writeFileSync(benchConfig, "{}\n");
const spread = (values) => ({ median: values.sort((a, b) => a - b)[values.length >> 1], min: Math.min(...values), max: Math.max(...values) });
if (hasCorpus) {
  progress("generation");
  const outs = path.join(work, "codegen-out");
  const codegenRuns = revisions.map((f) => [process.execPath, [codegenBin, "--config", benchConfig, "--schemas", path.join(revisionsDir, f), "--provider", "plain", "--out", path.join(outs, f), "--quiet"], { cwd: root }]);
  const json2tsRuns = revisions.map((f) => [process.execPath, [json2ts, "-i", path.join(revisionsDir, f), "-o", path.join(work, "json2ts", f.replace(/json$/, "ts"))], { cwd: root }]);
  mkdirSync(path.join(work, "json2ts"), { recursive: true });
  const catalogue = path.join(work, "catalogue-of-revisions");
  mkdirSync(path.join(catalogue, "plain"), { recursive: true });
  copyFileSync(path.join(root, "schemas", "plain", "provider.json"), path.join(catalogue, "plain", "provider.json"));
  for (const f of revisions) {
    mkdirSync(path.join(catalogue, "plain", f.replace(/\.json$/, "")), { recursive: true });
    copyFileSync(path.join(revisionsDir, f), path.join(catalogue, "plain", f.replace(/\.json$/, ""), "plain.bundle.json"));
  }
  const oneRun = [[process.execPath, [codegenBin, "--config", benchConfig, "--schemas", catalogue, "--out", path.join(work, "codegen-one-run"), "--quiet"], { cwd: root }]];
  const json2tsOneRun = [[process.execPath, [json2ts, "-i", path.join(revisionsDir, "*.json"), "-o", `${path.join(work, "json2ts-one-run")}${path.sep}`], { cwd: root }]];
  const emptyNodes = revisions.map(() => [process.execPath, ["-e", "0"]]);
  const results = { full: [], json2ts: [], noop: [], empty: [], oneFull: [], oneJson2ts: [], oneNoop: [] };
  // five rounds, as the scaling table: one run in three slowed by the machine moved the median by a tenth
  for (let round = 0; round < (quick ? 2 : 5); round++) {
    rmSync(outs, { recursive: true, force: true });
    rmSync(path.join(work, "codegen-one-run"), { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true }); // a cold run: no output, no cache
    results.full.push(timeCommands(codegenRuns));
    results.json2ts.push(timeCommands(json2tsRuns));
    results.noop.push(timeCommands(codegenRuns)); // the same again: nothing changed
    results.empty.push(timeCommands(emptyNodes));
    results.oneFull.push(timeCommands(oneRun));
    results.oneJson2ts.push(timeCommands(json2tsOneRun));
    results.oneNoop.push(timeCommands(oneRun));
  }
  for (const [k, values] of Object.entries(results)) generation[k] = spread(values);
  ratios.generation = generation.json2ts.median / generation.full.median;
  ratios.noop = generation.full.median / generation.noop.median;
  ratios.oneGeneration = generation.oneJson2ts.median / generation.oneFull.median;
  ratios.oneNoop = generation.oneFull.median / generation.oneNoop.median;
} else {
  progress("generation (embedded catalogue)");
  const out = path.join(work, "codegen-out");
  const runs = [[process.execPath, [codegenBin, "--config", benchConfig, "--schemas", path.join(root, "schemas"), "--provider", "agentmail", "plain", "--out", out, "--quiet"], { cwd: root }]];
  const results = { full: [], noop: [] };
  for (let round = 0; round < (quick ? 2 : 3); round++) {
    rmSync(out, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
    results.full.push(timeCommands(runs));
    results.noop.push(timeCommands(runs));
  }
  for (const [k, values] of Object.entries(results)) generation[k] = spread(values);
  ratios.noop = generation.full.median / generation.noop.median;
  skipped.push("generation time against json-schema-to-typescript (it runs on the corpus's four revisions); codegen cold and again is timed on the embedded catalogue instead");
}

const scaling = benchScaling({ root, work, quick, progress });
const github = benchGitHub({ root, work, quick, progress });
if (github.skipped) skipped.push(github.skipped);

// ---------------------------------------------------------------------------------------
// The report.

// ---------------------------------------------------------------------------------------
// The receiver: end to end over node:http (autocannon) and in process (bench/receiver.js).

const catalogueLatest = (provider) => catalogueModels.filter((m) => m.provider.name === provider).at(-1);
const sampleOf = (model, file) => structuredClone(model.samples.find((s) => s.file === file).json);
const receiver = await benchReceivers({
  root,
  work,
  quick,
  documents: { plain: asDocument(catalogueLatest("plain")), agentmail: asDocument(catalogueLatest("agentmail")) },
  payloads: { plain: sampleOf(catalogueLatest("plain"), "thread.email_sent.json"), agentmail: sampleOf(catalogueLatest("agentmail"), "message.received.json") },
  events: { plain: "thread.email_sent", agentmail: "message.received" },
  progress,
});

log("");
log("Throughput (calls per second: median, and min–max over the rounds)");
log(table(["payloads", "validator", "calls/s"], throughputRows));
log("");
log("Start-up in a fresh process: milliseconds, median (min–max)");
log(
  table(
    ["process", "import, set up, validate one payload (timed inside)", "above empty node", "wall time of the process"],
    Object.entries(startups).map(([name, s]) => [name, withSpread(s.inside, " ms", 1), name === "empty node" ? "" : `${startupOf(name).toFixed(1)} ms`, withSpread(s.wall, " ms", 0)]),
  ),
);
log("");
log("Module size (Ajv's standalone code of the same schemas, and ours as generated)");
log(table(["module", "(c) raw", "(c) gzip", "(d) raw", "(d) gzip", "(d)÷(c) raw", "(d)÷(c) gzip"], sizeRows));
if (!hasCorpus) {
  log("");
  log("Generation: wall time of `codegen` on the embedded catalogue");
  log(table(["run", "wall time"], [["codegen, cold", withSpread(generation.full, " ms", 0)], ["codegen again, nothing changed", withSpread(generation.noop, " ms", 0)]]));
} else {
  log("");
  log(`Generation: wall time on Plain's ${revisions.length} published revisions, one process per revision and one run over all of them`);
  log(
    table(
      ["run", `one process per revision (×${revisions.length})`, "one run over all four"],
      [
        ["codegen, cold (types, validators, receivers)", withSpread(generation.full, " ms", 0), withSpread(generation.oneFull, " ms", 0)],
        ["json2ts CLI (types only)", withSpread(generation.json2ts, " ms", 0), withSpread(generation.oneJson2ts, " ms", 0)],
        ["codegen again, nothing changed", withSpread(generation.noop, " ms", 0), withSpread(generation.oneNoop, " ms", 0)],
        ["empty node (node -e 0), for reference", withSpread(generation.empty, " ms", 0), ""],
      ],
    ),
  );
}
log("");
log(scaling.title);
log(scaling.table);
log("");
if (github.table) {
  log(github.title);
  log(github.table);
  log("");
}
log(receiver.title);
log(receiver.endToEnd);
log("");
log(receiver.inProcessTitle);
log(receiver.inProcess);
log("");
log("Targets (ratios measured in this run)");
const target = (met, text) => `${met ? "met    " : "NOT met"}  ${text}`;
const eventSize = sizeRatios.find((r) => r.version === "event");
const versionSize = sizeRatios.find((r) => r.version === headlineVersion);
const rows = [
  target(ratios.valid >= 5, `valid thread.email_sent: (d) is ${ratios.valid.toFixed(2)}× (b) (target ≥ 5×)`),
  ...validRatios.filter((r) => r.schemasafe !== undefined).map((r) => target(r.schemasafe >= 2, `${r.label}: (d) is ${against(r.schemasafe, 2)}× (e) schemasafe (target ≥ 2×)`)),
  ...validRatios.map((r) => target(r.parse <= 0.35, `${r.label}: (d) takes ${against(r.parse, 0.35)} of JSON.parse's time for the same bodies (target ≤ 0.35)`)),
  target(ratios.invalid >= 1, `invalid thread.email_sent: (d) is ${ratios.invalid.toFixed(2)}× (b) (target ≥ 1×)`),
  ...invalidRatios.map((r) => target(r.b >= 1 && r.bPrime >= 1, `invalid, ${r.label}: (d) is ${r.b.toFixed(2)}× (b), ${r.bPrime.toFixed(2)}× (b') (target ≥ 1×)`)),
  target(ratios.startup >= 15, `start-up above empty node: (d) ${startupOf("(d) codegen").toFixed(1)} ms, (b) ${startupOf("(b) Ajv compiled at start-up").toFixed(1)} ms: ${ratios.startup.toFixed(1)}× faster (target ≥ 15×)`),
  target(eventSize.raw <= 0.25, `size of one event (${eventSize.label}): (d) is ${eventSize.raw.toFixed(2)} of (c) raw, ${eventSize.gzip.toFixed(2)} gzipped (target ≤ 0.25)`),
  target(versionSize.raw <= 0.25, `size of a version (${versionSize.label}): (d) is ${versionSize.raw.toFixed(2)} of (c) raw, ${versionSize.gzip.toFixed(2)} gzipped (target ≤ 0.25)`),
];
if (hasCorpus) {
  rows.push(
    target(ratios.oneGeneration > 1, `codegen on the ${revisions.length} revisions in one run takes ${(1 / ratios.oneGeneration).toFixed(2)} of json2ts's time on the same four in one run (target < 1)`),
    target(ratios.generation > 1, `codegen on the ${revisions.length} revisions, one process each, takes ${(1 / ratios.generation).toFixed(2)} of json2ts's time, one process each (target < 1)`),
    target(ratios.oneNoop >= 5, `a run over the ${revisions.length} revisions with nothing changed takes ${(1 / ratios.oneNoop).toFixed(2)} of a cold one (target < 0.2)`),
    target(ratios.noop >= 5, `one process per revision with nothing changed takes ${(1 / ratios.noop).toFixed(2)} of a cold one (target < 0.2; an empty node takes ${(generation.empty.median / generation.full.median).toFixed(2)})`),
  );
} else rows.push(target(ratios.noop >= 5, `a run with nothing changed takes ${(1 / ratios.noop).toFixed(2)} of a cold run (target < 0.2)`));
rows.push(...scaling.targets, ...github.targets, ...receiver.targets);
log(rows.join("\n"));
if (notes.length > 0) log(`\nNotes:\n${notes.map((n) => `  ${n}`).join("\n")}`);
if (skipped.length > 0) log(`\nSkipped:\n${skipped.map((s) => `  ${s}`).join("\n")}`);
