import type { CodegenConfig } from "./config.js";
import { emitProviderIndex, emitRuntime } from "./emit/receiver.js";
import { emitStubs } from "./emit/stubs.js";
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
  const files = [
    ...(await Promise.all(models.map(emitVersion))).flat(),
    ...byProvider(models).flatMap((group) => emitProvider(group, config)),
    ...(models.length > 0 ? [emitRuntime()] : []),
  ];
  const output = config.format === false ? files : await formatFiles(files);
  return output.sort((a, b) => compare(a.path, b.path));
}

/** The emitters of a provider see every version of it, oldest first. */
function emitProvider(models: VersionModel[], config: CodegenConfig): FileOutput[] {
  const hash = models.map((m) => m.hash).join("+");
  const source = models.map((m) => m.source).join(", ");
  const header = banner({ version: toolVersion, source, hash });
  return [
    emitProviderIndex(models, header),
    ...(config.handlers ? emitStubs(models, { out: config.out, handlers: config.handlers }, header) : []),
  ];
}

function byProvider(models: VersionModel[]): VersionModel[][] {
  const groups = new Map<string, VersionModel[]>();
  for (const model of models) groups.set(model.provider.name, [...(groups.get(model.provider.name) ?? []), model]);
  return [...groups.values()].map((group) => group.sort((a, b) => compare(a.version, b.version)));
}

/** The emitters of a version are functions of its model. */
async function emitVersion(model: VersionModel): Promise<FileOutput[]> {
  const header = banner({ version: toolVersion, source: model.source, hash: model.hash });
  return [await emitTypes(model, header), ...emitValidators(model, header)];
}
