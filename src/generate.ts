import type { CodegenConfig } from "./config.js";
import { emitTypes } from "./emit/types.js";
import { emitValidators } from "./emit/validators.js";
import { formatFiles } from "./format.js";
import { loadCatalogue } from "./load/catalogue.js";
import { buildModels, compare, type VersionModel } from "./model/build.js";
import { banner, type FileOutput } from "./output.js";
import { toolVersion } from "./paths.js";

/**
 * The whole pipeline: load → model → emit → format. Returns the files in memory and
 * writes nothing; bad input throws a CodegenError listing every problem found.
 */
export async function generate(config: CodegenConfig): Promise<FileOutput[]> {
  const cwd = config.cwd ?? process.cwd();
  const catalogue = await loadCatalogue(config.schemas, { cwd, ...(config.providers ? { providers: config.providers } : {}) });
  const models = buildModels(catalogue.providers);
  const files = (await Promise.all(models.map(emitVersion))).flat();
  const output = config.format === false ? files : await formatFiles(files);
  return output.sort((a, b) => compare(a.path, b.path));
}

/** Every emitter is a function of one version's model. */
async function emitVersion(model: VersionModel): Promise<FileOutput[]> {
  const header = banner({ version: toolVersion, source: model.source, hash: model.hash });
  return [await emitTypes(model, header), ...emitValidators(model, header)];
}
