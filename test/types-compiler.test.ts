import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { declarationOf, loadTypeCompiler, rawDeclarations } from "../src/emit/types.js";
import type { JsonSchema } from "../src/model/build.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels } from "../src/model/build.js";
import { catalogueDir, generatedProviders, repoRoot } from "./helpers.js";

// emit/types.ts runs json-schema-to-typescript's stages itself, without its deep copy and its
// $ref crawl (a prepared schema has no $ref): the text must be compile()'s, byte for byte.
const revisions = path.resolve(repoRoot, "..", "shared", "corpus", "plain", "schema-history");
const github = existsSync(path.join(repoRoot, "node_modules", "@octokit", "openapi-webhooks"));
const sources: [label: string, file: string, providers: string[]][] = [
  ["the catalogue", catalogueDir, generatedProviders],
  ...(github ? [["GitHub's published document", catalogueDir, ["github"]] as [string, string, string[]]] : []),
  ...(existsSync(revisions) ? readdirSync(revisions).sort().map((f): [string, string, string[]] => [`Plain ${f}`, path.join(revisions, f), ["plain"]]) : []),
];

/** Each schema the stages were given (as JSON, before they ran) with its name and their text. */
async function throughStages(run: () => Promise<void>): Promise<[json: string, name: string, text: string | undefined][]> {
  const compiler = loadTypeCompiler();
  const stages = compiler.stages;
  const seen: [string, string, string | undefined][] = [];
  compiler.stages = (schema, name) => {
    const json = JSON.stringify(schema);
    const text = stages(schema, name);
    seen.push([json, name, text]);
    return text;
  };
  try {
    await run();
  } finally {
    compiler.stages = stages;
  }
  return seen;
}

describe("json-schema-to-typescript's stages run without compile()", () => {
  if (!existsSync(revisions)) it.skip("../shared/corpus not found beside this checkout: Plain's published revisions are not compared", () => {});
  if (!github) it.skip("@octokit/openapi-webhooks is not installed (npm ci): GitHub's definitions are not compared", () => {});

  it.each(sources)("%s: every definition's declaration is compile()'s", async (_label, file, providers) => {
    const models = buildModels((await loadCatalogue(file, { cwd: repoRoot, providers })).providers);
    const seen = await throughStages(async () => {
      for (const model of models) for await (const _ of rawDeclarations(model));
    });
    expect(seen.length).toBeGreaterThanOrEqual(models.reduce((n, m) => n + Object.keys(m.definitions).length, 0));
    for (const [json, name, text] of seen) expect(text, name).toBe(await loadTypeCompiler().compile(JSON.parse(json) as JsonSchema, name));
  });

  it("leaves a schema that still holds a $ref key (a property so named) to compile()", async () => {
    const schema = { type: "object", properties: { $ref: { type: "string" }, n: { type: "integer" } }, required: ["$ref"] };
    const seen = await throughStages(async () => void (await declarationOf("Odd", JSON.stringify(schema), false, false)));
    expect(seen).toEqual([]);
    expect(await declarationOf("Odd", JSON.stringify(schema), false, false)).toBe(await loadTypeCompiler().compile(structuredClone(schema), "Odd"));
  });

  it("leaves a schema json-schema-to-typescript rejects to compile(), which says why", async () => {
    const schema = { type: "array", items: { type: "string" }, minItems: 3, maxItems: 1 };
    const seen = await throughStages(async () => void (await declarationOf("Bad", JSON.stringify(schema), false, false).catch(() => {})));
    expect(seen.map(([, , text]) => text)).toEqual([undefined]);
    await expect(declarationOf("Bad", JSON.stringify(schema), false, false)).rejects.toThrow();
  });
});
