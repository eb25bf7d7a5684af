import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels } from "../src/model/build.js";
import { compareWithAjv, perEvent } from "./differential.js";
import { repoRoot } from "./helpers.js";
import type { Json } from "./mutate.js";

// As test/differential.test.ts, on each revision of Plain's published document (split into
// events as `codegen --schemas <document>` does), seeded with Plain's docs examples too.
const corpus = path.resolve(repoRoot, "..", "shared", "corpus");
const revisions = path.join(corpus, "plain", "schema-history");
const examplesDir = path.join(corpus, "plain", "examples");
const present = existsSync(revisions);
const suite = present ? "differential on the corpus (../shared/corpus)" : "differential on the corpus: SKIPPED, ../shared/corpus not found beside this checkout";
if (!present) console.warn(`differential corpus tests skipped: ${corpus} not found`);

const files = present ? readdirSync(revisions).filter((f) => f.endsWith(".json")).sort() : [];
const examples = present
  ? readdirSync(examplesDir).filter((f) => f.endsWith(".json")).sort().map((f) => JSON.parse(readFileSync(path.join(examplesDir, f), "utf8")) as Json)
  : [];

describe.skipIf(!present)(suite, () => {
  describe.each(files)("Plain's published document %s", (file) => {
    it(`is compiled, and agrees with Ajv on ${perEvent} payloads per event`, async () => {
      const catalogue = await loadCatalogue(path.join(revisions, file), { cwd: repoRoot, providers: ["plain"] });
      const [model] = buildModels(catalogue.providers);
      const { report, disagreements } = await compareWithAjv(model!, examples);
      expect(disagreements).toEqual([]);
      expect(report).toHaveLength(model!.events.length);
    });
  });
});
