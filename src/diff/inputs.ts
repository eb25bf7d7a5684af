import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../config.js";
import { CodegenError, type Problem } from "../errors.js";
import { loadCatalogue } from "../load/catalogue.js";
import { buildModels, type VersionModel } from "../model/build.js";
import { compare } from "../order.js";
import { displayPath, packageRoot } from "../paths.js";

/**
 * What `codegen diff` compares, read through the same load and model stages as
 * `codegen`: two version folders, two published documents (or one of each), or two
 * versions of the configured catalogue named by `--from` and `--to`.
 */
export interface DiffInputs {
  /** Version folders or document files, as given on the command line. */
  old?: string | undefined;
  new?: string | undefined;
  /** With `from` and `to`: version names in the catalogue. */
  from?: string | undefined;
  to?: string | undefined;
  provider?: string | undefined;
  /** The catalogue for `from`/`to` (default: the config file's, else ./schemas), relative to `cwd`. */
  schemas?: string | undefined;
  /** The config file naming the catalogue (default: ./codegen.config.json when present). */
  config?: string | undefined;
  cwd: string;
}

export async function loadDiffModels(inputs: DiffInputs): Promise<{ before: VersionModel; after: VersionModel }> {
  const byPath = inputs.old !== undefined || inputs.new !== undefined;
  const byName = inputs.from !== undefined || inputs.to !== undefined;
  if (byPath && byName) fail({ code: "config_invalid", file: usage, message: "give either <old> <new> or --from and --to, not both" });
  if (byName) return loadFromCatalogue(inputs);
  if (inputs.old === undefined || inputs.new === undefined) {
    fail({
      code: "config_invalid",
      file: usage,
      message: "nothing to compare",
      hint: "codegen diff <old> <new> (version folders or schema documents), or codegen diff --provider p --from v1 --to v2",
    });
  }
  const before = await loadSide(inputs.old!, inputs);
  const after = await loadSide(inputs.new!, inputs);
  if (before.provider.name !== after.provider.name) {
    fail({
      code: "config_invalid",
      file: inputs.new!,
      message: `compares ${before.provider.name} with ${after.provider.name}: both sides must be the same provider's`,
    });
  }
  return { before, after };
}

/** Problems with the command line itself are reported against it. */
const usage = "command line";

function fail(problem: Problem): never {
  throw new CodegenError([problem]);
}

/** A version folder `<catalogue>/<provider>/<version>`, split into its parts. */
export function versionFolder(dir: string): { catalogue: string; provider: string; version: string } {
  const providerDir = path.dirname(dir);
  return { catalogue: path.dirname(providerDir), provider: path.basename(providerDir), version: path.basename(dir) };
}

async function loadSide(given: string, inputs: DiffInputs): Promise<VersionModel> {
  const absolute = path.resolve(inputs.cwd, given);
  const shown = given.split(path.sep).join("/"); // as the user wrote it: reports name it so
  if (!existsSync(absolute)) {
    fail({ code: "catalogue_missing", file: shown, message: "not found", hint: "give a version folder (schemas/<provider>/<version>) or a schema document (.json)" });
  }
  const model = statSync(absolute).isDirectory()
    ? await loadVersionFolder(absolute, shown, inputs)
    : await loadDocument(absolute, shown, inputs);
  return { ...model, source: shown };
}

async function loadVersionFolder(dir: string, shown: string, inputs: DiffInputs): Promise<VersionModel> {
  const { catalogue, provider, version } = versionFolder(dir);
  if (!existsSync(path.join(catalogue, provider, "provider.json"))) {
    fail({
      code: "manifest_missing",
      file: shown,
      message: `not a version folder: no ${provider}/provider.json beside it`,
      hint: "give <catalogue>/<provider>/<version>, such as schemas/plain/2024-09-18",
    });
  }
  if (inputs.provider !== undefined && inputs.provider !== provider) {
    fail({ code: "config_invalid", file: shown, message: `is a version of ${provider}, not of --provider ${inputs.provider}` });
  }
  const loaded = await loadCatalogue(catalogue, { providers: [provider], cwd: inputs.cwd });
  return buildModels(loaded.providers).find((m) => m.version === version)!;
}

/** A published document: the provider is --provider, else the one provider whose manifest finds events in it. */
async function loadDocument(file: string, shown: string, inputs: DiffInputs): Promise<VersionModel> {
  if (inputs.provider !== undefined) return documentModel(file, inputs.provider, inputs.cwd);
  const found: VersionModel[] = [];
  for (const provider of knownProviders(inputs.cwd)) {
    const model = await documentModel(file, provider, inputs.cwd).catch((error: unknown) => {
      if (error instanceof CodegenError) return undefined;
      throw error;
    });
    if (model && model.events.length > 0) found.push(model);
  }
  if (found.length === 1) return found[0]!;
  return fail({
    code: "config_invalid",
    file: shown,
    message:
      found.length === 0
        ? `no provider's manifest finds events in this document (tried ${knownProviders(inputs.cwd).join(", ") || "none"})`
        : `the manifests of ${found.map((m) => m.provider.name).join(" and ")} all find events in this document`,
    hint: `say whose it is: --provider <name>`,
  });
}

async function documentModel(file: string, provider: string, cwd: string): Promise<VersionModel> {
  const loaded = await loadCatalogue(file, { providers: [provider], cwd });
  return buildModels(loaded.providers)[0]!;
}

/** Providers whose manifest a document can be read with: ./schemas, then the package's catalogue (as the loader looks). */
function knownProviders(cwd: string): string[] {
  const names = new Set<string>();
  for (const catalogue of [path.join(cwd, "schemas"), path.join(packageRoot, "schemas")]) {
    if (!existsSync(catalogue)) continue;
    for (const entry of readdirSync(catalogue, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(path.join(catalogue, entry.name, "provider.json"))) names.add(entry.name);
    }
  }
  return [...names].sort(compare);
}

async function loadFromCatalogue(inputs: DiffInputs): Promise<{ before: VersionModel; after: VersionModel }> {
  const schemas =
    inputs.schemas === undefined
      ? (await loadConfig({ cwd: inputs.cwd, ...(inputs.config === undefined ? {} : { file: inputs.config }) })).schemas
      : path.resolve(inputs.cwd, inputs.schemas);
  const shown = displayPath(schemas, inputs.cwd);
  if (inputs.from === undefined || inputs.to === undefined) {
    fail({ code: "config_invalid", file: usage, message: "--from and --to go together", hint: "codegen diff --provider p --from v1 --to v2" });
  }
  const loaded = await loadCatalogue(schemas, { cwd: inputs.cwd, ...(inputs.provider ? { providers: [inputs.provider] } : {}) });
  const models = buildModels(loaded.providers);
  const providers = [...new Set(models.map((m) => m.provider.name))].filter(
    (p) => models.some((m) => m.provider.name === p && m.version === inputs.from) && models.some((m) => m.provider.name === p && m.version === inputs.to),
  );
  if (providers.length !== 1) {
    const versions = models.map((m) => `${m.provider.name}/${m.version}`).join(", ");
    fail({
      code: "config_invalid",
      file: shown,
      message:
        providers.length === 0
          ? `no provider${inputs.provider ? ` ${inputs.provider}` : ""} has both versions ${inputs.from} and ${inputs.to} (found: ${versions})`
          : `${providers.join(" and ")} all have versions ${inputs.from} and ${inputs.to}`,
      hint: providers.length === 0 ? "name version folders that exist" : "say which: --provider <name>",
    });
  }
  const pick = (version: string) => models.find((m) => m.provider.name === providers[0] && m.version === version)!;
  return { before: pick(inputs.from!), after: pick(inputs.to!) };
}
