// A quick conformance count over the JSON-Schema-Test-Suite (non-optional groups of draft7
// and draft2020-12), for working on the compiler: each group's schema becomes one event of a
// temporary catalogue version, its validators module is emitted and imported, and every
// test's verdict is compared with the suite's expectation and with Ajv's. Prints, per file
// (keyword), tests / ours / Ajv, and how many groups were refused, crashed or fell back.
// Needs `npm run build` first. Usage: node scripts/suite-score.js [draft7|draft2020-12] [file-filter]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
const fromDist = (file) => import(pathToFileURL(path.join(root, "dist", file)).href);
const { loadCatalogue } = await fromDist("load/catalogue.js");
const { buildModels } = await fromDist("model/build.js");
const validators = await fromDist("emit/validators/index.js");
const addFormats = require("ajv-formats");
const { Ajv } = require("ajv");
const { Ajv2020 } = require("ajv/dist/2020.js");

const suite = path.resolve(root, "..", "shared", "corpus", "json-schema-test-suite", "tests");
if (!existsSync(suite)) {
  console.log("../shared/corpus/json-schema-test-suite not found: nothing to count");
  process.exit(0);
}
const drafts = process.argv[2] ? [process.argv[2]] : ["draft7", "draft2020-12"];
const filter = process.argv[3];
const work = path.join(os.tmpdir(), `suite-score-${process.pid}`);

for (const draft of drafts) {
  const rows = [];
  const totals = { tests: 0, ours: 0, ajv: 0, refused: 0, crashed: 0, fallback: 0, broken: 0 };
  const reasons = new Map();
  for (const file of readdirSync(path.join(suite, draft)).filter((f) => f.endsWith(".json")).sort()) {
    if (filter && !file.includes(filter)) continue;
    const groups = JSON.parse(readFileSync(path.join(suite, draft, file), "utf8"));
    const row = { file, tests: 0, ours: 0, ajv: 0 };
    for (const [g, group] of groups.entries()) {
      const tests = group.tests;
      row.tests += tests.length;
      const dialect = draft === "draft7" ? "http://json-schema.org/draft-07/schema#" : "https://json-schema.org/draft/2020-12/schema";
      // Ajv's verdicts, from the group's own schema
      const options = { strict: false, allErrors: true, logger: false };
      let ajvCheck;
      try {
        const ajv = addFormats(draft === "draft7" ? new Ajv(options) : new Ajv2020(options));
        ajvCheck = ajv.compile(group.schema);
      } catch {
        ajvCheck = undefined;
      }
      for (const t of tests) {
        let v;
        try {
          v = ajvCheck?.(t.data);
        } catch {
          v = undefined;
        }
        if (v === t.valid) row.ajv++;
      }
      // ours
      rmSync(work, { recursive: true, force: true });
      const version = path.join(work, "suite", "v1");
      mkdirSync(version, { recursive: true });
      writeFileSync(
        path.join(work, "suite", "provider.json"),
        JSON.stringify({ name: "suite", title: "Suite", event: { in: "header", name: "x-event" }, signing: { scheme: "standard-webhooks" } }),
      );
      const schema = typeof group.schema === "object" && group.schema !== null ? { $schema: dialect, ...group.schema } : group.schema;
      writeFileSync(path.join(version, "case.schema.json"), JSON.stringify(schema));
      let module;
      try {
        const [model] = buildModels((await loadCatalogue(work, { cwd: root })).providers);
        const coverage = validators.compilerCoverage?.(model) ?? { compiled: true };
        if (!coverage.compiled) {
          totals.fallback++;
          reasons.set(`fallback: ${coverage.reason.replace(/ at .*/, "")}`, (reasons.get(`fallback: ${coverage.reason.replace(/ at .*/, "")}`) ?? 0) + 1);
        }
        const code = validators.validatorModule(model);
        const out = path.join(work, `m${draft}-${file}-${g}.mjs`);
        writeFileSync(out, code);
        try {
          module = await import(pathToFileURL(out).href);
        } catch (e) {
          totals.broken++;
          reasons.set(`broken: ${String(e.message).slice(0, 80)}`, (reasons.get(`broken: ${String(e.message).slice(0, 80)}`) ?? 0) + 1);
        }
      } catch (e) {
        const message = String(e?.problems?.[0]?.message ?? e?.message ?? e);
        const key = e?.problems ? `refused: ${message.replace(/"[^"]*"/g, '"…"').slice(0, 90)}` : `crashed: ${message.slice(0, 90)}`;
        if (e?.problems) totals.refused++;
        else totals.crashed++;
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
      if (module === undefined) continue;
      const validate = module.validatorFor(module.eventNames[0]);
      for (const [i, t] of tests.entries()) {
        let got;
        try {
          got = validate(t.data);
        } catch (e) {
          got = `threw ${e.message}`;
        }
        if (got === t.valid) row.ours++;
        else if (process.env.SUITE_VERBOSE) console.log(`  miss ${draft}/${file} #${g} ${group.description} / ${t.description}: got ${got}`);
      }
    }
    rows.push(row);
    totals.tests += row.tests;
    totals.ours += row.ours;
    totals.ajv += row.ajv;
  }
  console.log(`\n${draft}`);
  console.log(`${"file".padEnd(34)} ${"tests".padStart(5)} ${"ours".padStart(5)} ${"ajv".padStart(5)}`);
  for (const r of rows) {
    const mark = r.ours < r.ajv ? "  <" : r.ours > r.ajv ? "  >" : "";
    console.log(`${r.file.padEnd(34)} ${String(r.tests).padStart(5)} ${String(r.ours).padStart(5)} ${String(r.ajv).padStart(5)}${mark}`);
  }
  console.log(`${"total".padEnd(34)} ${String(totals.tests).padStart(5)} ${String(totals.ours).padStart(5)} ${String(totals.ajv).padStart(5)}`);
  console.log(`groups refused ${totals.refused}, crashed ${totals.crashed}, Ajv fallback ${totals.fallback}, module broken ${totals.broken}`);
  for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(3)} ${reason}`);
}
rmSync(work, { recursive: true, force: true });
