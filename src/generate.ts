import { cacheDir, cacheKey, readCache, writeCache } from "./cache.js";
import type { CodegenConfig } from "./config.js";
import { CodegenError } from "./errors.js";
import { moduleFormatProblem } from "./project.js";
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
 * from the input (see load/extensions.ts) and what the model stage let through unchecked (an
 * unknown format), for the command line to print.
 */
export async function generateWithModels(
  config: CodegenConfig,
  options: { cache?: boolean } = {},
): Promise<{ files: FileOutput[]; models: VersionModel[]; cached: boolean; warnings: Problem[] }> {
  const cwd = config.cwd ?? process.cwd();
  if (config.moduleFormat === "cjs") {
    throw new CodegenError([moduleFormatProblem(config.module ?? { importExtension: { value: ".js", from: "default" }, moduleFormat: { value: "cjs", from: "moduleFormat" } })!]);
  }
  const dir = options.cache ? cacheDir(cwd) : undefined;
  // the key is read from the inputs' text: a hit loads and parses nothing more
  const key = dir ? cacheKey(config) : undefined;
  const hit = key === undefined ? undefined : await readCache(dir, key);
  if (hit) return { files: hit.files, models: [], cached: true, warnings: hit.warnings };
  const { loadCatalogue } = await import("./load/catalogue.js");
  const catalogue = await loadCatalogue(config.schemas, { cwd, ...(config.providers ? { providers: config.providers } : {}) });
  const testPayloads = config.tests ? await import("./load/payloads.js").then(({ loadTestPayloads }) => loadTestPayloads(config, catalogue.providers.map((p) => p.name))) : {};
  // the worker (validators, prettier) starts now, while this thread loads model → emit → format,
  // which a run answered from the cache never loads
  const worker = config.format === false ? undefined : (await import("./format.js")).startWorker();
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= worker?.close());
  try {
    const { compile } = await import("./compile.js");
    const compiled = compile(catalogue, config, worker, testPayloads);
    // an input changed while it was loaded: the output is not that of the inputs the key read, and
    // is not kept under it (read again once compile has handed its work to the workers)
    const keep = key !== undefined && cacheKey(config) === key ? key : undefined;
    const { files, models } = await compiled;
    void close()?.catch(() => {}); // the threads stop while the cache entry is written (a failure to stop is thrown below)
    // what loading and the model stage warned about (a keyword removed, a format not checked) is
    // kept with the output, so that a run answered from the cache says it again
    const warnings = [...catalogue.warnings, ...models.flatMap((model) => model.warnings ?? [])];
    if (keep !== undefined) await writeCache(dir, keep, files, warnings);
    return { files, models, cached: false, warnings };
  } finally {
    await close();
  }
}
