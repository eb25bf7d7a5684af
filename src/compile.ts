import type { CodegenConfig } from "./config.js";
import { emitProviderIndex, emitRuntime } from "./emit/receiver.js";
import { emitStubs } from "./emit/stubs.js";
import { emitTypes, type CompiledTypes, type FormatTs } from "./emit/types.js";
import { Problems } from "./errors.js";
import { formatFiles, formatText, type GenerationWorker } from "./format.js";
import type { Catalogue } from "./load/catalogue.js";
import { buildModels, compare, type VersionModel } from "./model/build.js";
import { banner, type FileOutput } from "./output.js";
import { toolVersion } from "./paths.js";

/**
 * model → emit → format: the part of generate() after loading, which a run answered from
 * the cache skips (generate.ts imports this module only when it compiles).
 */
export async function compile(catalogue: Catalogue, config: CodegenConfig, worker?: GenerationWorker): Promise<{ files: FileOutput[]; models: VersionModel[] }> {
  const format = config.format !== false;
  const models = chooseVersions(buildModels(catalogue.providers), config);
  const header = (model: VersionModel) => banner({ version: toolVersion, source: model.source, hash: model.hash });
  const laidOut = (files: FileOutput[]) => (format ? formatFiles(files, worker) : Promise.resolve(files));
  // the worker compiles the validators (this thread does not even load their compiler) and formats what is
  // left to prettier, while this thread compiles the types
  const others = [
    ...models.map(async (model) => (worker ? worker.validators(model, header(model), format) : laidOut((await import("./emit/validators/index.js")).emitValidators(model, header(model))))),
    laidOut([...byProvider(models).flatMap((group) => emitProvider(group, config)), ...(models.length > 0 ? [emitRuntime()] : [])]),
  ];
  const formatTs: FormatTs | undefined = format ? (text) => (worker ? worker.format(text, "babel-ts") : formatText(text, "babel-ts")) : undefined;
  // awaited together, so that a failure on one side leaves no promise of the other unhandled
  const compiled: CompiledTypes = new Map(); // a definition the versions share is compiled once
  const [types, rest] = await Promise.all([Promise.all(models.map((model) => emitTypes(model, header(model), formatTs, compiled))), Promise.all(others)]);
  const files = [...types, ...rest.flat()];
  return { files: files.sort((a, b) => compare(a.path, b.path)), models };
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
