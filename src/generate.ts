import { cacheDir, cacheKey, readCache, writeCache } from "./cache.js";
import type { CodegenConfig } from "./config.js";
import { emitProviderIndex, emitRuntime } from "./emit/receiver.js";
import { emitStubs } from "./emit/stubs.js";
import { emitTypes, type FormatTs } from "./emit/types.js";
import { emitValidators } from "./emit/validators.js";
import { formatFiles, formatText, startWorker } from "./format.js";
import { loadCatalogue } from "./load/catalogue.js";
import { buildModels, compare, type VersionModel } from "./model/build.js";
import { Problems } from "./errors.js";
import { banner, type FileOutput } from "./output.js";
import { toolVersion } from "./paths.js";

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
 * returns the earlier output from the cache and no models.
 */
export async function generateWithModels(
  config: CodegenConfig,
  options: { cache?: boolean } = {},
): Promise<{ files: FileOutput[]; models: VersionModel[]; cached: boolean }> {
  const cwd = config.cwd ?? process.cwd();
  const catalogue = await loadCatalogue(config.schemas, { cwd, ...(config.providers ? { providers: config.providers } : {}) });
  const dir = options.cache ? cacheDir(cwd) : undefined;
  const key = dir ? cacheKey(catalogue, config) : "";
  const hit = await readCache(dir, key);
  if (hit) return { files: hit, models: [], cached: true };
  // prettier goes to a worker thread, which starts loading it now, while we build
  const worker = config.format === false ? undefined : startWorker();
  try {
    const formatTs: FormatTs | undefined = config.format === false ? undefined : (text) => (worker ? worker.format(text, "babel-ts") : formatText(text, "babel-ts"));
    const models = chooseVersions(buildModels(catalogue.providers), config);
    const files = [
      ...(await Promise.all(models.map((model) => emitVersion(model, formatTs)))).flat(),
      ...byProvider(models).flatMap((group) => emitProvider(group, config)),
      ...(models.length > 0 ? [emitRuntime()] : []),
    ];
    const output = (config.format === false ? files : await formatFiles(files, worker)).sort((a, b) => compare(a.path, b.path));
    await writeCache(dir, key, output);
    return { files: output, models, cached: false };
  } finally {
    await worker?.close();
  }
}

/** The emitters of a provider see every version of it, oldest first. */
function emitProvider(models: VersionModel[], config: CodegenConfig): FileOutput[] {
  const hash = models.map((m) => m.hash).join("+");
  const source = models.map((m) => m.source).join(", ");
  const header = banner({ version: toolVersion, source, hash });
  const choice = config.versions?.[models[0]!.provider.name];
  return [
    emitProviderIndex(models, header, choice?.unknown ? { unknownVersion: choice.unknown } : {}),
    ...(config.handlers ? emitStubs(models, { out: config.out, handlers: config.handlers }, header) : []),
  ];
}

/** Keeps the versions the config accepts; naming one that does not exist is an error. */
function chooseVersions(models: VersionModel[], config: CodegenConfig): VersionModel[] {
  const problems = new Problems();
  for (const [provider, choice] of Object.entries(config.versions ?? {})) {
    const known = models.filter((m) => m.provider.name === provider).map((m) => m.version);
    for (const version of choice.accept ?? []) {
      if (!known.includes(version)) {
        problems.add({
          code: "config_invalid",
          file: "codegen.config.json",
          pointer: `/versions/${provider}/accept`,
          message: `${provider} has no version "${version}" (it has: ${known.join(", ") || "none"})`,
        });
      }
    }
  }
  problems.throwIfAny();
  return models.filter((m) => {
    const accept = config.versions?.[m.provider.name]?.accept;
    return accept === undefined || accept.includes(m.version);
  });
}

function byProvider(models: VersionModel[]): VersionModel[][] {
  const groups = new Map<string, VersionModel[]>();
  for (const model of models) groups.set(model.provider.name, [...(groups.get(model.provider.name) ?? []), model]);
  return [...groups.values()].map((group) => group.sort((a, b) => compare(a.version, b.version)));
}

/** The emitters of a version are functions of its model. */
async function emitVersion(model: VersionModel, formatTs: FormatTs | undefined): Promise<FileOutput[]> {
  const header = banner({ version: toolVersion, source: model.source, hash: model.hash });
  const types = emitTypes(model, header, formatTs); // its declarations are formatted as they compile
  const validators = emitValidators(model, header);
  return [await types, ...validators];
}
