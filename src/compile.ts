import { availableParallelism } from "node:os";
import type { CodegenConfig } from "./config.js";
import { emitProviderIndex, emitRuntime } from "./emit/receiver.js";
import { emitFixtures } from "./emit/fixtures.js";
import { adaptValidatorFiles } from "./emit/specifiers.js";
import { emitStubs } from "./emit/stubs.js";
import { emitTests } from "./emit/tests.js";
import { declarationPiece, emitTypes, pieceOf, type CompiledTypes, type Declare, type LayOut } from "./emit/types.js";
import { originOf, verifyOutput } from "./emit/verify.js";
import { Problems } from "./errors.js";
import { formatFiles, type GenerationWorker } from "./format.js";
import type { Catalogue } from "./load/catalogue.js";
import type { TestPayload } from "./load/payloads.js";
import { typeGeneratorKeywordsIn } from "./load/extensions.js";
import { buildModels, type VersionModel } from "./model/build.js";
import { compare } from "./order.js";
import { eventNameCollisions, type NamedEvent } from "./model/names.js";
import { banner, type FileOutput } from "./output.js";
import { toolVersion } from "./paths.js";

/**
 * model → emit → format: the part of generate() after loading, which a run answered from
 * the cache skips (generate.ts imports this module only when it compiles).
 */
export async function compile(
  catalogue: Catalogue,
  config: CodegenConfig,
  worker?: GenerationWorker,
  testPayloads: Readonly<Record<string, TestPayload[]>> = {},
): Promise<{ files: FileOutput[]; models: VersionModel[] }> {
  const format = config.format !== false;
  const extension = config.importExtension ?? ".js";
  const models = chooseVersions(buildModels(catalogue.providers), config);
  checkTypeGeneratorKeywords(models);
  checkEventNames(models);
  const header = (model: VersionModel) => banner({ version: toolVersion, source: model.source, hash: model.hash });
  const laidOut = (files: FileOutput[]) => (format ? formatFiles(files, worker) : Promise.resolve(files));
  // the workers compile the validators and the types (this thread loads neither compiler) and format what
  // is left to prettier
  // the worker checks the validators it returns (verifyOutput), and each piece of a types.ts (emitTypes
  // adds them up); this thread checks everything else
  const checked = new Set<string>();
  // workers up to one per core: each version's validators and each definition's type (compiled, laid
  // out and checked there) go to the next thread free
  worker?.grow(poolSize(models.reduce((n, model) => n + Object.keys(model.definitions).length, 0), availableParallelism()));
  // the validators first (a version's take longest), then the types (their jobs queue behind),
  // then what this thread makes while the workers compile
  const validators = models.map(async (model) => {
    if (!worker) return adaptValidatorFiles(await laidOut((await import("./emit/validators/index.js")).emitValidators(model, header(model))), extension);
    const files = adaptValidatorFiles(await worker.validators(model, header(model), format), extension);
    for (const file of files) checked.add(file.path);
    return files;
  });
  const compiled: CompiledTypes = new Map(); // a definition the versions share is compiled once
  // Nothing broken is ever written: each file is checked (verifyOutput) as soon as it is made, in the
  // worker when there is one (the validators where they are made, each piece of a types.ts where it
  // is compiled and laid out), while this thread goes on
  const declare: Declare = (name, json, anything, nothing) =>
    worker ? worker.declare(name, json, anything, nothing, format) : declarationPiece(name, json, anything, nothing, format);
  const layOut: LayOut = worker ? (...args) => worker.piece(...args) : pieceOf;
  const types = models.map((model) => emitTypes(model, header(model), format, compiled, declare, layOut));
  // (an emitter that throws rejects this promise, and the others are still awaited)
  const rest = (async () =>
    laidOut([
      ...byProvider(models).flatMap((group) => emitProvider(group, config, testPayloads[group[0]!.provider.name] ?? [])),
      ...(config.fixtures ? models.map((model) => emitFixtures(model, header(model), extension)) : []),
      ...(models.length > 0 ? [emitRuntime()] : []),
    ]))();
  // awaited together, so that a failure on one side leaves no promise of the others unhandled
  const [typeFiles, validatorFiles, restFiles] = await Promise.all([Promise.all(types), Promise.all(validators), rest]);
  const files = [...typeFiles, ...validatorFiles.flat(), ...restFiles];
  const verify = (files: FileOutput[], checked: VersionModel[]) =>
    worker ? worker.verify(files, checked.map(originOf)) : verifyOutput(files, checked.map(originOf));
  await verify(files.filter((f) => !checked.has(f.path) && !typeFiles.includes(f)), models); // emitTypes checked the types
  return { files: files.sort((a, b) => compare(a.path, b.path)), models };
}

/**
 * How many worker threads a run of `definitions` definitions uses on `cores` cores: two where
 * there are two cores (the validators beside the types, as a small run needs), and one more
 * per 32 definitions up to one per core (a worker's start, json-schema-to-typescript loaded
 * in it, costs about what a few dozen definitions' types do).
 */
export function poolSize(definitions: number, cores: number): number {
  return Math.max(1, Math.min(cores, Math.max(2, Math.ceil(definitions / 32))));
}

/**
 * Loading removed json-schema-to-typescript's own keywords from every schema of the catalogue
 * (load/extensions.ts); one can still reach the model only in data that a `$ref` made into a
 * schema. The types are compiled only from schemas without them: the generator's `tsType`
 * (emit/types.ts) is the only one json-schema-to-typescript ever sees.
 */
function checkTypeGeneratorKeywords(models: VersionModel[]): void {
  const problems = new Problems();
  for (const model of models) {
    for (const [name, schema] of Object.entries(model.definitions)) {
      for (const pointer of typeGeneratorKeywordsIn(schema)) {
        problems.add({
          code: "schema_invalid",
          file: model.source,
          pointer: `/definitions/${name}${pointer}`,
          message: `definition ${name} holds "${pointer.split("/").pop()}", a keyword of json-schema-to-typescript that a schema cannot set; it is data (an enum, const, default or example value) that a $ref uses as a schema`,
          hint: "point the $ref at a schema, not into an enum, const, default or examples value",
        });
      }
    }
  }
  problems.throwIfAny();
}

/**
 * The event names of a provider, over all its versions, must stay distinct once they are
 * identifiers and file names (model/names.ts): otherwise one stub would stand for two events,
 * or a type's name would depend on another event's existence.
 */
function checkEventNames(models: VersionModel[]): void {
  const problems = new Problems();
  for (const group of byProvider(models)) {
    const events = new Map<string, NamedEvent>(); // each name once, where it is first declared
    for (const model of group) {
      for (const event of model.events) {
        for (const name of event.names) if (!events.has(name)) events.set(name, { name, file: event.file });
      }
    }
    for (const { a, b, as } of eventNameCollisions([...events.values()].sort((x, y) => compare(x.name, y.name)))) {
      problems.add({
        code: "name_collision",
        file: b.file,
        message: `event ${JSON.stringify(b.name)} and event ${JSON.stringify(a.name)} (${a.file}) would both be ${as}`,
        hint: "the generator cannot give both a type and a handler of their own: leave one of the two events out of the catalogue, or ask the provider which name is meant",
      });
    }
  }
  problems.throwIfAny();
}

/** The emitters of a provider see every version of it, oldest first. */
function emitProvider(models: VersionModel[], config: CodegenConfig, testPayloads: readonly TestPayload[]): FileOutput[] {
  const hash = models.map((m) => m.hash).join("+");
  const source = models.map((m) => m.source).join(", ");
  const header = banner({ version: toolVersion, source, hash });
  const choice = config.versions?.[models[0]!.provider.name];
  const extension = config.importExtension ?? ".js";
  return [
    emitProviderIndex(models, header, choice?.unknown ? { unknownVersion: choice.unknown } : {}, extension),
    ...(config.handlers ? emitStubs(models, { out: config.out, handlers: config.handlers }, header, extension) : []),
    ...(config.tests ? [emitTests(models, testPayloads, config.tests, header, extension)] : []),
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
