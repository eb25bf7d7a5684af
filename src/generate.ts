import { cacheDir, cacheKey, readCache, writeCache } from "./cache.js";
import type { CodegenConfig } from "./config.js";
import { CodegenError } from "./errors.js";
import { moduleFormatProblem } from "./project.js";
import { startWorker } from "./format.js";
import { loadCatalogue } from "./load/catalogue.js";
import { loadTestPayloads } from "./load/payloads.js";
import type { Problem } from "./errors.js";
import type { VersionModel } from "./model/build.js";
import type { FileOutput } from "./output.js";

/**
 * The whole pipeline: load → model → emit → format. Returns the files in memory and
 * writes nothing; bad input throws a CodegenError listing every problem found.
 */
export async function generate(config: CodegenConfig): Promise<FileOutput[]> {
  return (await generateWithModels(config)).files;
}

/**
 * generate(), also handing back the models it built (the command line compares versions
 * with them). With `cache` (the command line's default) a run whose inputs are unchanged
 * returns the earlier output from the cache and no models. `warnings`: what loading removed
 * from the input (see load/extensions.ts), for the command line to print.
 */
export async function generateWithModels(
  config: CodegenConfig,
  options: { cache?: boolean } = {},
): Promise<{ files: FileOutput[]; models: VersionModel[]; cached: boolean; warnings: Problem[] }> {
  const cwd = config.cwd ?? process.cwd();
  if (config.moduleFormat === "cjs") {
    throw new CodegenError([moduleFormatProblem(config.module ?? { importExtension: { value: ".js", from: "default" }, moduleFormat: { value: "cjs", from: "moduleFormat" } })!]);
  }
  const catalogue = await loadCatalogue(config.schemas, { cwd, ...(config.providers ? { providers: config.providers } : {}) });
  const testPayloads = config.tests ? await loadTestPayloads(config, catalogue.providers.map((p) => p.name)) : {};
  const dir = options.cache ? cacheDir(cwd) : undefined;
  const key = dir ? cacheKey(catalogue, config, testPayloads) : "";
  const hit = await readCache(dir, key);
  const warnings = catalogue.warnings;
  if (hit) return { files: hit, models: [], cached: true, warnings };
  // the worker (validators, prettier) starts now, while this thread loads model → emit → format,
  // which a run answered from the cache never loads
  const worker = config.format === false ? undefined : startWorker();
  try {
    const { compile } = await import("./compile.js");
    const { files, models } = await compile(catalogue, config, worker, testPayloads);
    await writeCache(dir, key, files);
    return { files, models, cached: false, warnings };
  } finally {
    await worker?.close();
  }
}
