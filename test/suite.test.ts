import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatTable, refusalsByCause, runSuite, scores, table, typecheck, type SuiteRun } from "../scripts/suite.js";
import { CodegenError, formatProblem } from "../src/errors.js";
import { generate } from "../src/generate.js";
import { repoRoot } from "./helpers.js";

// The JSON-Schema-Test-Suite (../shared/corpus/json-schema-test-suite), every non-optional group
// of draft-07 and 2020-12 as a catalogue version of its own, generated, its validators.js
// imported and run on every test instance, beside Ajv on the same groups (scripts/suite.js;
// `node scripts/suite.js` prints the same table from the built package).
const suiteDir = path.resolve(repoRoot, "..", "shared", "corpus", "json-schema-test-suite");
const present = existsSync(path.join(suiteDir, "tests"));
const title = present ? "the JSON-Schema-Test-Suite (../shared/corpus/json-schema-test-suite)" : "the JSON-Schema-Test-Suite: SKIPPED, ../shared/corpus not found beside this checkout";
if (!present) console.warn(`JSON-Schema-Test-Suite tests skipped: ${suiteDir} not found`);

const baselineFile = path.join(repoRoot, "test", "suite-baseline.json");
const work = path.join(repoRoot, "node_modules", ".cache", "webhook-codegen-suite-test");

describe.skipIf(!present)(title, () => {
  let run: SuiteRun;
  beforeAll(async () => {
    run = await runSuite({ lib: { generate, CodegenError, formatProblem }, suiteDir, work });
    const result = table(run);
    writeFileSync(path.join(work, "table.json"), JSON.stringify({ ...result, refusals: refusalsByCause(run) }, null, 2) + "\n");
    console.log(`${formatTable(result)}\n(also as JSON: ${path.relative(repoRoot, path.join(work, "table.json"))})`);
  }, 600_000);

  it("crashes on no group: every schema ends in a module or in problems", () => {
    expect(run.crashes.map((c) => `${c.group.dialect}/${c.group.keyword} ${c.group.version}: ${c.error}`)).toEqual([]);
  });

  it("every module it writes loads", () => {
    expect(run.notLoaded.map((n) => `${n.group.dialect}/${n.group.keyword} ${n.group.version}: ${n.error}`)).toEqual([]);
  });

  it("every types.ts it writes passes strict tsc (one program over all of them)", () => {
    expect(run.typesFiles.length).toBeGreaterThan(300);
    expect(typecheck(run.typesFiles)).toEqual([]);
  });

  it("every refusal names a file of the group's version", () => {
    for (const { group, problems } of run.refusals) {
      for (const problem of problems) expect(problem.text).toContain(`${group.provider}/${group.version}`);
    }
  });

  it("gets at least the committed baseline right, test file by test file (test/suite-baseline.json)", () => {
    const baseline = JSON.parse(readFileSync(baselineFile, "utf8")) as Record<string, number>;
    const now = scores(run);
    const fallen = Object.entries(baseline).filter(([file, right]) => (now[file] ?? 0) < right).map(([file, right]) => `${file}: ${now[file] ?? 0} < ${right}`);
    expect(fallen).toEqual([]);
  });
});
