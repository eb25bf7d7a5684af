// The JSON-Schema-Test-Suite conformance run (test/suite.test.ts; `node scripts/suite.js` prints
// the table after `npm run build`, `--json=<file>` writes it as JSON too, `--write-baseline`
// records the current scores in test/suite-baseline.json).
//
// Every group (schema + tests) of the non-optional test files of tests/draft7 and
// tests/draft2020-12 becomes one catalogue version holding one event, test.schema.json (the
// schema, with the dialect's $schema when it names none). The versions of one test file are one
// provider ("d7-if-then-else"), and a dialect's providers are one catalogue, generated in one
// run of the library's generate(). A group the generator refuses with Problems is removed and
// the run repeated without it (it counts as wrong, with its reasons); an exception that is not a
// CodegenError is a crash, pinned to its group by generating that batch's groups one by one.
//
// The suite's remote documents (http://localhost:1234/<path>) are laid out in each version that
// mentions localhost:1234 as <version>/remotes/<path>, the suite's remotes/ folder as it is.
//
// Each emitted validators.js is imported and every test instance checked; Ajv (draft-07) or
// Ajv2020 (strict: false, ajv-formats, the remotes added) runs on the same groups. The result:
// per dialect and test file, the number of tests, ours right and Ajv right, plus the refusals,
// crashes, modules that did not load and the written types.ts files (for one tsc program).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));

export const dialects = [
  { name: "draft7", prefix: "d7", schema: "http://json-schema.org/draft-07/schema#", remoteFolder: "draft7" },
  { name: "draft2020-12", prefix: "d2020", schema: "https://json-schema.org/draft/2020-12/schema", remoteFolder: "draft2020-12" },
];

const remoteBase = "http://localhost:1234/";

/** Every non-optional group of the suite, in file order. */
export function loadSuite(suiteDir) {
  const groups = [];
  for (const dialect of dialects) {
    const dir = path.join(suiteDir, "tests", dialect.name);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      const keyword = file.slice(0, -".json".length);
      const provider = `${dialect.prefix}-${keyword.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
      JSON.parse(readFileSync(path.join(dir, file), "utf8")).forEach((group, index) => {
        groups.push({
          dialect: dialect.name,
          keyword,
          provider,
          version: `g${String(index).padStart(3, "0")}`,
          description: group.description,
          schema: group.schema,
          tests: group.tests,
          remote: keyword === "refRemote" || needsRemote(group.schema),
        });
      });
    }
  }
  return groups;
}

/** A group needs a remote document when it refers to a localhost:1234 document it does not declare itself. */
function needsRemote(schema) {
  const declared = new Set();
  const referred = [];
  (function walk(node) {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$id" && typeof value === "string") declared.add(value.split("#")[0]);
      else if ((key === "$ref" || key === "$dynamicRef" || key === "$schema") && typeof value === "string") referred.push(value.split("#")[0]);
      else walk(value);
    }
  })(schema);
  return referred.some((ref) => ref.startsWith(remoteBase) && !declared.has(ref));
}

function title(provider) {
  return provider.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

/** Writes the catalogue of `groups` (one dialect) under `dir`/schemas. */
function writeCatalogue(dir, groups, suiteDir) {
  const schemas = path.join(dir, "schemas");
  rmSync(dir, { recursive: true, force: true });
  for (const group of groups) {
    const providerDir = path.join(schemas, group.provider);
    if (!existsSync(providerDir)) {
      mkdirSync(providerDir, { recursive: true });
      const manifest = { name: group.provider, title: title(group.provider), event: { in: "header", name: "x-event" }, signing: { scheme: "standard-webhooks" }, remotes: { [remoteBase]: "remotes" } };
      writeFileSync(path.join(providerDir, "provider.json"), JSON.stringify(manifest, null, 2));
    }
    const versionDir = path.join(providerDir, group.version);
    mkdirSync(versionDir, { recursive: true });
    const dialect = dialects.find((d) => d.name === group.dialect);
    const schema = group.schema !== null && typeof group.schema === "object" && !("$schema" in group.schema) ? { $schema: dialect.schema, ...group.schema } : group.schema;
    writeFileSync(path.join(versionDir, "test.schema.json"), JSON.stringify(schema, null, 2));
    if (JSON.stringify(group.schema).includes("localhost:1234")) layOutRemotes(suiteDir, dialect, path.join(versionDir, "remotes"));
  }
  return schemas;
}

/**
 * The suite's remotes/ as <version>/remotes/<path> for http://localhost:1234/<path>: the
 * documents of the group's dialect. The 2020-12 tests refer to remotes/draft2020-12/ only; the
 * draft-07 ones to the rest, but for the other drafts' folders and v1/ (a future dialect).
 */
function layOutRemotes(suiteDir, dialect, to) {
  const from = path.join(suiteDir, "remotes");
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const own = entry.name === dialect.remoteFolder;
    if (!own && (dialect.name !== "draft7" || /^(draft|v\d)/.test(entry.name))) continue;
    cpSync(path.join(from, entry.name), path.join(to, entry.name), { recursive: true });
  }
}

const groupOf = (groups, text) => groups.find((g) => text.includes(`/${g.provider}/${g.version}/`) || text.endsWith(`/${g.provider}/${g.version}`));

/**
 * Generates `groups` in one run, dropping the groups the generator refuses until it succeeds.
 * Returns the files, the refusals (group → problems) and whether it crashed (an exception that
 * is not a CodegenError, with the message).
 */
async function generateBatch(lib, dir, groups, suiteDir) {
  const refused = new Map();
  let left = [...groups];
  for (;;) {
    if (left.length === 0) return { files: [], refused, left };
    const schemas = writeCatalogue(dir, left, suiteDir);
    try {
      const files = await lib.generate({ schemas, out: path.join(dir, "out"), cwd: dir, format: lib.format ?? true });
      return { files, refused, left };
    } catch (error) {
      if (!(error instanceof lib.CodegenError)) return { crash: error, refused, left };
      const dropped = new Set();
      for (const problem of error.problems) {
        const group = groupOf(left, `${problem.file}/`);
        if (!group) return { crash: new Error(`a problem no group owns: ${lib.formatProblem(problem)}`), refused, left };
        refused.set(group, [...(refused.get(group) ?? []), problem]);
        dropped.add(group);
      }
      left = left.filter((g) => !dropped.has(g));
    }
  }
}

function writeFiles(out, files) {
  rmSync(out, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(path.dirname(path.join(out, file.path)), { recursive: true });
    writeFileSync(path.join(out, file.path), file.content);
  }
}

function ajvFor(dialect, suiteDir) {
  const { Ajv } = require("ajv");
  const { Ajv2020 } = require("ajv/dist/2020.js");
  const addFormats = require("ajv-formats").default;
  const options = { strict: false, logger: false };
  const ajv = dialect === "draft7" ? new Ajv(options) : new Ajv2020(options);
  addFormats(ajv);
  const remotes = path.join(suiteDir, "remotes");
  const own = dialects.find((d) => d.name === dialect).remoteFolder;
  (function walk(dir, rel) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (rel !== "" || entry.name === own || !/^draft/.test(entry.name)) walk(path.join(dir, entry.name), `${rel}${entry.name}/`);
      } else if (entry.name.endsWith(".json")) {
        try {
          ajv.addSchema(JSON.parse(readFileSync(path.join(dir, entry.name), "utf8")), `${remoteBase}${rel}${entry.name}`);
        } catch {
          // a remote this dialect cannot hold (another draft's meta-schema)
        }
      }
    }
  })(remotes, "");
  return ajv;
}

function ajvVerdicts(group, suiteDir) {
  try {
    const validate = ajvFor(group.dialect, suiteDir).compile(group.schema);
    return group.tests.map((test) => {
      try {
        return validate(test.data) === test.valid;
      } catch {
        return false;
      }
    });
  } catch {
    return group.tests.map(() => false);
  }
}

/**
 * Runs the suite. `lib`: { generate, CodegenError, formatProblem, format? }, from src/ (the
 * tests) or dist/ (the command line). `work`: a folder inside the project (the emitted modules
 * import nothing).
 */
export async function runSuite({ lib, suiteDir, work, only, log = () => {} }) {
  const groups = loadSuite(suiteDir).filter((g) => !only || only(g));
  const results = new Map(groups.map((g) => [g, { ours: g.tests.map(() => false), ajv: ajvVerdicts(g, suiteDir) }]));
  const refusals = [];
  const crashes = [];
  const notLoaded = [];
  const typesFiles = [];
  for (const dialect of dialects) {
    const mine = groups.filter((g) => g.dialect === dialect.name);
    if (mine.length === 0) continue;
    const dir = path.join(work, dialect.name);
    const started = Date.now();
    let batches = [{ groups: mine, dir }];
    const done = [];
    while (batches.length > 0) {
      const batch = batches.shift();
      const result = await generateBatch(lib, batch.dir, batch.groups, suiteDir);
      for (const [group, problems] of result.refused) refusals.push({ group, problems: problems.map((p) => ({ code: p.code, text: lib.formatProblem(p) })) });
      if (result.crash) {
        if (result.left.length === 1) {
          crashes.push({ group: result.left[0], error: String(result.crash?.stack ?? result.crash) });
        } else {
          // pin the crash down: the batch in halves
          const half = Math.ceil(result.left.length / 2);
          for (const part of [result.left.slice(0, half), result.left.slice(half)]) batches.push({ groups: part, dir: `${batch.dir}-${batches.length + done.length + crashes.length}` });
        }
        continue;
      }
      done.push({ dir: batch.dir, files: result.files, groups: result.left });
    }
    log(`${dialect.name}: generated in ${Date.now() - started} ms`);
    for (const { dir, files, groups: generated } of done) {
      const out = path.join(dir, "out");
      writeFiles(out, files);
      for (const group of generated) {
        const folder = path.join(out, group.provider, group.version);
        const types = path.join(folder, "types.ts");
        if (existsSync(types)) typesFiles.push(types);
        let module;
        try {
          module = await import(pathToFileURL(path.join(folder, "validators.js")).href);
        } catch (error) {
          notLoaded.push({ group, error: String(error) });
          continue;
        }
        const validate = module.validatorFor("test");
        results.get(group).ours = group.tests.map((test) => {
          try {
            return validate(test.data) === test.valid;
          } catch {
            return false;
          }
        });
      }
    }
  }
  return { groups, results, refusals, crashes, notLoaded, typesFiles };
}

/** Per dialect and test file: tests, ours right, Ajv right; plus the same for the totals. */
export function table(run) {
  const rows = [];
  for (const dialect of dialects) {
    const keywords = [...new Set(run.groups.filter((g) => g.dialect === dialect.name).map((g) => g.keyword))];
    for (const keyword of keywords) {
      const row = { dialect: dialect.name, keyword, groups: 0, tests: 0, ours: 0, ajv: 0, refused: 0 };
      for (const group of run.groups.filter((g) => g.dialect === dialect.name && g.keyword === keyword)) {
        const { ours, ajv } = run.results.get(group);
        row.groups++;
        row.tests += group.tests.length;
        row.ours += ours.filter(Boolean).length;
        row.ajv += ajv.filter(Boolean).length;
        if (run.refusals.some((r) => r.group === group)) row.refused++;
      }
      rows.push(row);
    }
  }
  const totals = [];
  for (const dialect of dialects) {
    for (const remote of [false, true]) {
      const total = { dialect: dialect.name, remote, groups: 0, refused: 0, tests: 0, ours: 0, ajv: 0 };
      for (const group of run.groups.filter((g) => g.dialect === dialect.name && g.remote === remote)) {
        const { ours, ajv } = run.results.get(group);
        total.groups++;
        if (run.refusals.some((r) => r.group === group)) total.refused++;
        total.tests += group.tests.length;
        total.ours += ours.filter(Boolean).length;
        total.ajv += ajv.filter(Boolean).length;
      }
      if (total.tests > 0) totals.push(total);
    }
  }
  return { rows, totals };
}

/** The table as text. */
export function formatTable({ rows, totals }) {
  const lines = [];
  const pad = (s, n) => String(s).padEnd(n);
  const num = (s, n) => String(s).padStart(n);
  lines.push(`${pad("dialect", 13)} ${pad("file", 24)} ${num("groups", 6)} ${num("refused", 7)} ${num("tests", 5)} ${num("ours", 5)} ${num("Ajv", 5)}`);
  for (const r of rows) lines.push(`${pad(r.dialect, 13)} ${pad(r.keyword, 24)} ${num(r.groups, 6)} ${num(r.refused, 7)} ${num(r.tests, 5)} ${num(r.ours, 5)} ${num(r.ajv, 5)}`);
  lines.push("");
  for (const t of totals) lines.push(`${pad(t.dialect, 13)} ${pad(t.remote ? "needing a remote" : "needing no remote", 24)} ${num(t.groups, 6)} ${num(t.refused, 7)} ${num(t.tests, 5)} ${num(t.ours, 5)} ${num(t.ajv, 5)}`);
  return lines.join("\n");
}

/** The refusals grouped by cause: the problem's message with names, paths and values blurred. */
export function refusalsByCause(run) {
  const causes = new Map();
  for (const { group, problems } of run.refusals) {
    for (const problem of problems) {
      const message = problem.text.replace(/^[^:]*: /, "").split("\n")[0];
      const blurred = message
        .replace(/\(provider [^)]*\)/g, "")
        .replace(/\bd(7|2020)-[a-z0-9-]+\/g\d+\/?/g, "<version>/")
        .replace(/"[^"]*"/g, '"…"')
        .replace(/\S*localhost:1234\S*/g, "<remote>")
        .replace(/(file|nothing at) \S+/g, "$1 …")
        .replace(/, in \S+$/, "");
      const cause = `${problem.code}: ${blurred}`;
      const list = causes.get(cause) ?? [];
      list.push(`${group.dialect}/${group.keyword} #${group.version.slice(1)} ${group.description}`);
      causes.set(cause, list);
    }
  }
  return [...causes.entries()].sort((a, b) => b[1].length - a[1].length).map(([cause, groups]) => ({ cause, groups: [...new Set(groups)] }));
}

/** tsc (strict) over every types.ts at once: the diagnostics, as text. */
export function typecheck(files) {
  if (files.length === 0) return [];
  const ts = require("typescript");
  const options = { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], noUnusedLocals: false };
  const program = ts.createProgram(files, options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

/** The committed baseline: per dialect/file, the number of tests ours gets right. */
export function scores(run) {
  return Object.fromEntries(table(run).rows.map((r) => [`${r.dialect}/${r.keyword}`, r.ours]));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const suiteDir = path.resolve(root, "..", "shared", "corpus", "json-schema-test-suite");
  if (!existsSync(suiteDir)) {
    console.log(`skipped: ${suiteDir} not found`);
    process.exit(0);
  }
  const fromDist = (file) => import(pathToFileURL(path.join(root, "dist", file)).href);
  const [{ generate }, { CodegenError, formatProblem }] = await Promise.all([fromDist("generate.js"), fromDist("errors.js")]);
  const work = path.join(root, "node_modules", ".cache", "webhook-codegen-suite");
  const started = Date.now();
  const run = await runSuite({ lib: { generate, CodegenError, formatProblem }, suiteDir, work, log: (s) => console.error(s) });
  const result = table(run);
  console.log(formatTable(result));
  const diagnostics = typecheck(run.typesFiles);
  console.log(`\n${run.crashes.length} crashes, ${run.notLoaded.length} modules that do not load, ${diagnostics.length} tsc diagnostics over ${run.typesFiles.length} types.ts, ${run.refusals.length} groups refused (${Date.now() - started} ms)`);
  for (const c of run.crashes) console.log(`crash: ${c.group.dialect}/${c.group.keyword} ${c.group.version} ${c.group.description}\n  ${c.error.split("\n").slice(0, 3).join("\n  ")}`);
  for (const n of run.notLoaded) console.log(`does not load: ${n.group.dialect}/${n.group.keyword} ${n.group.version}: ${n.error.split("\n")[0]}`);
  for (const d of diagnostics.slice(0, 20)) console.log(`tsc: ${d}`);
  console.log("\nrefusals by cause:");
  for (const { cause, groups } of refusalsByCause(run)) console.log(`  ${groups.length} × ${cause}\n    ${groups.slice(0, 4).join("\n    ")}${groups.length > 4 ? "\n    …" : ""}`);
  if (process.argv.includes("--write-baseline")) {
    const baseline = path.join(root, "test", "suite-baseline.json");
    writeFileSync(baseline, JSON.stringify(scores(run), null, 2) + "\n");
    console.log(`wrote ${path.relative(root, baseline)}`);
  }
  const json = process.argv.find((a) => a.startsWith("--json="));
  if (json) writeFileSync(json.slice("--json=".length), JSON.stringify({ ...result, refusals: refusalsByCause(run) }, null, 2) + "\n");
}
