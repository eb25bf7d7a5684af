import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels } from "../src/model/build.js";
import { compareWithAjv, perEvent } from "./differential.js";
import { catalogueDir, generatedProviders, repoRoot } from "./helpers.js";

// The generated validators agree with Ajv, verdicts and errors (see ./differential.ts), on
// the embedded catalogue; test/differential-corpus.test.ts does the same on Plain's
// published documents.
const models = buildModels((await loadCatalogue(catalogueDir, { cwd: repoRoot, providers: generatedProviders })).providers);

describe.each(models.map((model) => ({ model, name: `${model.provider.name} ${model.version}` })))("differential: $name", ({ model }) => {
  it(`agrees with Ajv on ${perEvent} payloads per event, verdicts and errors`, async () => {
    const { report, disagreements } = await compareWithAjv(model);
    expect(disagreements).toEqual([]);
    expect(report).toHaveLength(model.events.length);
  });
});
