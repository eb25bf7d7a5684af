import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { joinPointer, Problems, type Problem } from "../errors.js";
import { isPlainObject, readJsonFile } from "../json.js";
import { checkAgainstMeta } from "../meta.js";
import { displayPath } from "../paths.js";
import { stripTypeGeneratorKeywords } from "./extensions.js";
import { installedPackage, manifestCatalogues } from "./inputs.js";
import { convertOpenApi, isOpenApiDocument, isOpenApiFile, isYamlFile, readYamlFile, type OpenApiOperation } from "./openapi.js";
import type { RemoteDocuments } from "../model/resolve.js";
import { normalizeUri } from "../model/uri.js";
import type { Manifest, PackageSource } from "./manifest.js";
import { signingProblems } from "./signing.js";
import { compare } from "../order.js";

/**
 * Stage 1, load: read the catalogue from disk into memory, checking only what can be
 * checked file by file (JSON syntax, the manifest against its schema, folder names).
 * Nothing after this stage touches the file system.
 */
export interface Catalogue {
  root: string;
  providers: ProviderSource[];
  /** What loading changed in the input and the run goes on without (keywords removed). */
  warnings: Problem[];
}

export interface ProviderSource {
  name: string;
  /** Display path of the provider folder. */
  shown: string;
  manifest: Manifest;
  manifestText: string;
  versions: VersionSource[];
  /** The folders the manifest's `remotes` maps to URI prefixes, with their JSON files. */
  remotes?: RemoteDocuments[];
}

export interface VersionSource {
  name: string;
  shown: string;
  /** "<catalogue folder>/<provider>/<version>": names the source in banners, whatever the working directory. */
  source: string;
  /** Every JSON file of the version outside examples/ (and its *.openapi.yaml documents), by path relative to the version folder. */
  files: Map<string, SourceFile>;
  /** Event schemas: <event>.schema.json directly in the version folder. */
  events: { name: string; file: string }[];
  /** Documents holding many events (*.bundle.json), split by the model. */
  bundles: string[];
  /**
   * OpenAPI documents (*.openapi.json), whose `files` entry holds the document with its
   * schemas converted to JSON Schema (`src/load/openapi.ts`); the model names their events.
   */
  openapi?: { file: string; operations: OpenApiOperation[] }[];
  /** Sample payloads; the model matches each to its event by file name. */
  samples: SampleSource[];
  /** The manifest's remotes folders found inside this version folder (they come before the provider's). */
  remotes?: RemoteDocuments[];
}

export interface SourceFile {
  /** Relative to the version folder, with forward slashes. */
  rel: string;
  shown: string;
  text: string;
  json: unknown;
}

/** A sample payload, examples/<event>[.<case>].json; `expect` is set for known-bad ones. */
export interface SampleSource {
  file: string;
  shown: string;
  json: unknown;
  expect?: KnownBad;
}

/** examples/known-bad.json lists samples that must fail, with why and where. */
export interface KnownBad {
  reason: string;
  errors: { path: string; keyword?: string }[];
}

const eventSuffix = ".schema.json";
const bundleSuffix = ".bundle.json";
const knownBadFile = "known-bad.json";
const safeFolderName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export async function loadCatalogue(
  root: string,
  options: { providers?: readonly string[]; cwd: string },
): Promise<Catalogue> {
  const problems = new Problems();
  const shownRoot = displayPath(root, options.cwd);
  if (existsSync(root) && (await stat(root)).isFile()) return loadDocument(root, options);
  if (!existsSync(root) || !(await stat(root)).isDirectory()) {
    problems.add({
      code: "catalogue_missing",
      file: shownRoot,
      message: "schema catalogue folder not found",
      hint: "run codegen where schemas/ is, pass --schemas <dir>, or set \"schemas\" in codegen.config.json",
    });
    problems.throwIfAny();
  }

  const folders = await subfolders(root);
  const wanted = options.providers;
  for (const name of wanted ?? []) {
    if (!folders.includes(name)) {
      problems.add({
        code: "manifest_missing",
        file: `${shownRoot}/${name}`,
        message: `provider "${name}" is not in the catalogue (found: ${folders.join(", ") || "none"})`,
      });
    }
  }
  const providers: ProviderSource[] = [];
  for (const name of folders) {
    if (wanted && !wanted.includes(name)) continue;
    const provider = await loadProvider(root, name, options.cwd, problems);
    if (provider) providers.push(provider);
  }
  problems.throwIfAny();
  return { root, providers, warnings: problems.warnings };
}

async function loadProvider(
  root: string,
  name: string,
  cwd: string,
  problems: Problems,
  options: { skipVersions?: boolean } = {},
): Promise<ProviderSource | undefined> {
  const dir = path.join(root, name);
  const shown = displayPath(dir, cwd);
  const manifestPath = path.join(dir, "provider.json");
  const manifestShown = displayPath(manifestPath, cwd);
  if (!existsSync(manifestPath)) {
    problems.add({
      code: "manifest_missing",
      file: manifestShown,
      message: "provider manifest not found",
      hint: "every folder in the catalogue is a provider and needs a provider.json (see the README)",
    });
    return undefined;
  }
  const read = await readJsonFile(manifestPath, manifestShown, problems);
  if (!read) return undefined;
  const metaProblems = checkAgainstMeta("provider", read.json, manifestShown, "manifest_invalid");
  metaProblems.forEach((p) => problems.add(p));
  if (metaProblems.length > 0) return undefined;
  const manifest = read.json as Manifest;
  const unworkable = signingProblems(manifest.signing);
  // read nowhere yet: refused rather than silently ignored
  if (manifest.version?.in === "header")
    unworkable.push({ pointer: "/version", message: "a version named by a header is not supported: give a body pointer, or omit version and use dated snapshot folders" });
  if (manifest.event.in === "header" && manifest.event.definition !== undefined) {
    const problem = definitionPatternProblem(manifest.event.definition);
    if (problem !== undefined) unworkable.push({ pointer: "/event/definition", message: problem });
  }
  for (const problem of unworkable)
    problems.add({ code: "manifest_invalid", file: manifestShown, pointer: problem.pointer, message: problem.message });
  if (unworkable.length > 0) return undefined;
  if (manifest.name !== name) {
    problems.add({
      code: "manifest_invalid",
      file: manifestShown,
      pointer: "/name",
      message: `name "${manifest.name}" does not match the folder name "${name}"`,
    });
    return undefined;
  }

  const remotes = await loadRemotes(dir, shown, manifestShown, manifest, problems);
  if (remotes === undefined) return undefined;
  const remoteFolders = new Set(Object.values(manifest.remotes ?? {}));
  const versions: VersionSource[] = [];
  if (options.skipVersions) return { name, shown, manifest, manifestText: read.text, versions, remotes };
  const folders = await subfolders(dir);
  for (const [version, source] of Object.entries(manifest.sources ?? {}).sort(([a], [b]) => compare(a, b))) {
    if (folders.includes(version)) {
      problems.add({
        code: "manifest_invalid",
        file: manifestShown,
        pointer: joinPointer("/sources", version),
        message: `version "${version}" is both a folder of ${shown} and a published source`,
        hint: "remove the folder, or the sources entry",
      });
      continue;
    }
    const loaded = await loadSourceVersion(version, source, `${path.basename(root)}/${name}/${version}`, manifestShown, cwd, problems);
    if (loaded) versions.push(loaded);
  }
  for (const version of folders) {
    if (remoteFolders.has(version)) continue;
    const source = `${path.basename(root)}/${name}/${version}`;
    const loaded = await loadVersion(path.join(dir, version), version, source, cwd, problems, manifest.remotes ?? {}, manifest.event.in === "header");
    if (loaded) versions.push(loaded);
  }
  if (versions.length === 0 && manifest.sources === undefined) {
    problems.add({
      code: "catalogue_missing",
      file: shown,
      message: "provider has no version folders",
      hint: "add <version>/<event>.schema.json (a dated snapshot folder for unversioned providers)",
    });
  }
  return { name, shown, manifest, manifestText: read.text, versions, remotes };
}

/** Why a manifest's event.definition cannot read a header value from a definition's name, if it cannot. */
function definitionPatternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
  } catch (error) {
    return `not a regular expression: ${(error as Error).message}`;
  }
  // with one more alternative, which matches "", the match says how many groups there are
  const groups = new RegExp(`(?:${pattern})|`).exec("")!.length - 1;
  return groups === 0 ? "the pattern has no capture group: its first group is the header's value" : undefined;
}

/**
 * The folders the manifest's `remotes` names, where they sit beside the version folders (each
 * then not a version): every JSON file in them, served under the URI prefix it is mapped to.
 * A folder may also sit inside a version folder, for that version alone (`loadVersion`), or
 * nowhere: the prefix then serves nothing, and a reference under it says where it looked.
 */
async function loadRemotes(
  dir: string,
  shown: string,
  manifestShown: string,
  manifest: Manifest,
  problems: Problems,
): Promise<RemoteDocuments[] | undefined> {
  const remotes: RemoteDocuments[] = [];
  let ok = true;
  for (const [prefix, folder] of Object.entries(manifest.remotes ?? {}).sort(([a], [b]) => compare(a, b))) {
    const folderPath = path.join(dir, folder);
    if (!existsSync(folderPath)) {
      remotes.push({ prefix: normalizeUri(prefix), shown: `${shown}/${folder}`, files: new Map() });
      continue;
    }
    if (!(await stat(folderPath)).isDirectory()) {
      problems.add({
        code: "manifest_invalid",
        file: manifestShown,
        pointer: joinPointer("/remotes", prefix),
        message: `${shown}/${folder} is not a folder`,
        hint: "remotes maps a URI prefix to a folder beside the version folders of this provider, or inside a version folder for that version alone",
      });
      ok = false;
      continue;
    }
    remotes.push({ prefix: normalizeUri(prefix), shown: `${shown}/${folder}`, files: await remoteFiles(folderPath, `${shown}/${folder}`, problems) });
  }
  return ok ? remotes : undefined;
}

async function loadVersion(
  dir: string,
  name: string,
  source: string,
  cwd: string,
  problems: Problems,
  remoteMap: Record<string, string> = {},
  nestedEvents = false,
): Promise<VersionSource | undefined> {
  const shown = displayPath(dir, cwd);
  if (!safeFolderName.test(name)) {
    problems.add({
      code: "name_invalid",
      file: shown,
      message: `version folder name "${name}" may hold only letters, digits, ".", "_" and "-"`,
    });
    return undefined;
  }
  const files = new Map<string, SourceFile>();
  const openapi: { file: string; operations: OpenApiOperation[] }[] = [];
  const remoteFolders = Object.values(remoteMap);
  const yamlDocuments = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && !e.name.startsWith(".") && isOpenApiFile(e.name) && isYamlFile(e.name))
    .map((e) => e.name);
  let unread = 0; // files that are there but could not be read or converted: a problem each already
  for (const rel of [...(await jsonFilesUnder(dir, ["examples", ...remoteFolders])), ...yamlDocuments].sort()) {
    const fileShown = `${shown}/${rel}`;
    const read = isYamlFile(rel) ? await readYamlFile(path.join(dir, rel), fileShown, problems) : await readJsonFile(path.join(dir, rel), fileShown, problems);
    if (!read) {
      unread++;
      continue;
    }
    if (isOpenApiFile(rel)) {
      const converted = convertOpenApi(read.json, fileShown, problems);
      if (!converted) {
        unread++;
        continue;
      }
      read.json = converted.json;
      if (!rel.includes("/")) openapi.push({ file: rel, operations: converted.operations });
    }
    stripTypeGeneratorKeywords(read.json, fileShown).forEach((w) => problems.warn(w));
    files.set(rel, { rel, shown: fileShown, ...read });
  }
  const topLevel = [...files.keys()].filter((rel) => !rel.includes("/"));
  // a header-named provider's event names are the header's values, which may hold a "/"
  // (Shopify's X-Shopify-Topic: orders/create is orders/create.schema.json)
  const events = (nestedEvents ? [...files.keys()] : topLevel)
    .filter((rel) => rel.endsWith(eventSuffix))
    .map((rel) => ({ name: rel.slice(0, -eventSuffix.length), file: rel }));
  const bundles = topLevel.filter((rel) => rel.endsWith(bundleSuffix));
  if (events.length === 0 && bundles.length === 0 && openapi.length === 0 && unread === 0) {
    problems.add({
      code: "catalogue_missing",
      file: shown,
      message: "version folder holds no <event>.schema.json, *.bundle.json or *.openapi.json files",
    });
  }
  const samples = await loadSamples(path.join(dir, "examples"), `${shown}/examples`, problems);
  const remotes: RemoteDocuments[] = [];
  for (const [prefix, folder] of Object.entries(remoteMap).sort(([a], [b]) => compare(a, b))) {
    if (!existsSync(path.join(dir, folder))) continue;
    remotes.push({ prefix: normalizeUri(prefix), shown: `${shown}/${folder}`, files: await remoteFiles(path.join(dir, folder), `${shown}/${folder}`, problems) });
  }
  return { name, shown, source, files, events, bundles, ...(openapi.length ? { openapi } : {}), samples, ...(remotes.length ? { remotes } : {}) };
}

async function loadSamples(dir: string, shown: string, problems: Problems): Promise<SampleSource[]> {
  if (!existsSync(dir)) return [];
  const names = (await jsonFilesUnder(dir, [])).filter((f) => !f.includes("/"));
  let knownBad: Record<string, KnownBad> = {};
  if (names.includes(knownBadFile)) {
    const read = await readJsonFile(path.join(dir, knownBadFile), `${shown}/${knownBadFile}`, problems);
    if (read && isKnownBadList(read.json)) knownBad = read.json;
    else if (read) {
      problems.add({
        code: "schema_invalid",
        file: `${shown}/${knownBadFile}`,
        message: 'must map sample file names to { "reason": string, "errors": [{ "path": string, "keyword"?: string }] }',
      });
    }
  }
  const samples: SampleSource[] = [];
  for (const file of names) {
    if (file === knownBadFile) continue;
    const read = await readJsonFile(path.join(dir, file), `${shown}/${file}`, problems);
    if (!read) continue;
    const expect = knownBad[file];
    samples.push({ file, shown: `${shown}/${file}`, json: read.json, ...(expect ? { expect } : {}) });
  }
  for (const listed of Object.keys(knownBad)) {
    if (!names.includes(listed)) {
      problems.add({
        code: "sample_invalid",
        file: `${shown}/${knownBadFile}`,
        pointer: joinPointer("", listed),
        message: `lists "${listed}", which is not in the examples folder`,
      });
    }
  }
  return samples;
}

/**
 * One published document given as the catalogue (`--schemas document.json --provider p`):
 * a single version, named after the file, with the provider's manifest taken from
 * ./schemas/<p>/provider.json or, failing that, from the catalogue shipped in the package.
 */
async function loadDocument(file: string, options: { providers?: readonly string[]; cwd: string }): Promise<Catalogue> {
  const problems = new Problems();
  const shown = displayPath(file, options.cwd);
  const provider = options.providers?.length === 1 ? options.providers[0]! : undefined;
  if (provider === undefined) {
    problems.add({
      code: "config_invalid",
      file: shown,
      message: "a single schema document needs exactly one --provider to say whose it is",
      hint: `e.g. codegen --schemas ${shown} --provider plain`,
    });
    problems.throwIfAny();
  }
  const catalogue = manifestCatalogues(options.cwd).find((dir) => existsSync(path.join(dir, provider!, "provider.json")));
  if (catalogue === undefined) {
    problems.add({
      code: "manifest_missing",
      file: `schemas/${provider}/provider.json`,
      message: `no manifest for provider "${provider}" in ./schemas or in the package's catalogue`,
      hint: "add schemas/<provider>/provider.json (see the README)",
    });
    problems.throwIfAny();
  }
  const loaded = await loadProvider(catalogue!, provider!, options.cwd, problems, { skipVersions: true });
  problems.throwIfAny();
  // the file's name names the version: a folder of the output, and a module path in index.ts
  const base = path.basename(file);
  const version = await documentVersion(file, shown, versionNameOf(base), base, problems);
  problems.throwIfAny();
  return { root: file, providers: [{ ...loaded!, versions: [version!] }], warnings: problems.warnings };
}

/** One document as a whole version: an OpenAPI document's webhooks, or a bundle of event schemas. */
async function documentVersion(file: string, shown: string, name: string, source: string, problems: Problems): Promise<VersionSource | undefined> {
  const read = isYamlFile(file) ? await readYamlFile(file, shown, problems) : await readJsonFile(file, shown, problems);
  if (!read) return undefined;
  const base = path.basename(file);
  const converted = isOpenApiFile(base) || isOpenApiDocument(read.json) ? convertOpenApi(read.json, shown, problems) : undefined;
  if (converted) read.json = converted.json;
  else if (isOpenApiFile(base) || isOpenApiDocument(read.json)) return undefined;
  stripTypeGeneratorKeywords(read.json, shown).forEach((w) => problems.warn(w));
  return {
    name,
    shown,
    source,
    files: new Map([[base, { rel: base, shown, ...read }]]),
    events: [],
    bundles: converted ? [] : [base],
    ...(converted ? { openapi: [{ file: base, operations: converted.operations }] } : {}),
    samples: [],
  };
}

/**
 * A version the manifest's `sources` names: a file of an npm package installed in the
 * project (GitHub's OpenAPI document in @octokit/openapi-webhooks), found as Node finds a
 * package, from the working directory up through node_modules, and never copied into the
 * catalogue. A package that is not installed is a problem that names it.
 */
async function loadSourceVersion(
  name: string,
  source: PackageSource,
  sourceName: string,
  manifestShown: string,
  cwd: string,
  problems: Problems,
): Promise<VersionSource | undefined> {
  const pointer = joinPointer("/sources", name);
  if (!safeFolderName.test(name)) {
    problems.add({ code: "manifest_invalid", file: manifestShown, pointer, message: `version name "${name}" may hold only letters, digits, ".", "_" and "-"` });
    return undefined;
  }
  const packageDir = installedPackage(source.npm, cwd);
  if (packageDir === undefined) {
    problems.add({
      code: "source_missing",
      file: manifestShown,
      pointer,
      message: `version "${name}" is read from the npm package ${source.npm}, which is not installed here`,
      hint: `npm install --save-dev ${source.npm}`,
    });
    return undefined;
  }
  const file = path.resolve(packageDir, source.file);
  const shown = displayPath(file, cwd);
  if (path.relative(packageDir, file).startsWith("..") || !existsSync(file) || !(await stat(file)).isFile()) {
    problems.add({
      code: "source_missing",
      file: manifestShown,
      pointer: `${pointer}/file`,
      message: `${source.npm} has no file ${source.file} (looked for ${shown})`,
      hint: `the installed version of ${source.npm} may be older or newer than the manifest expects`,
    });
    return undefined;
  }
  return documentVersion(file, shown, name, sourceName, problems);
}

/**
 * A document's version name: its file name without .json (or .bundle.json, .openapi.json, .openapi.yaml), reduced to what
 * a version folder may hold ("plain (1).json" → "plain__1_"), so that it is a safe folder name.
 */
export function versionNameOf(fileName: string): string {
  const name = fileName.replace(/(\.bundle|\.openapi)?\.json$|\.openapi\.ya?ml$/, "").replace(/[^A-Za-z0-9._-]/g, "_");
  return safeFolderName.test(name) ? name : `v${name}`;
}

async function remoteFiles(dir: string, shown: string, problems: Problems): Promise<RemoteDocuments["files"]> {
  const files: RemoteDocuments["files"] = new Map();
  for (const rel of await jsonFilesUnder(dir, [])) {
    const read = await readJsonFile(path.join(dir, rel), `${shown}/${rel}`, problems);
    if (!read) continue;
    // a remote is catalogue input like any schema: it cannot add code either
    stripTypeGeneratorKeywords(read.json, `${shown}/${rel}`).forEach((w) => problems.warn(w));
    files.set(rel, { shown: `${shown}/${rel}`, ...read });
  }
  return files;
}

function isKnownBadList(value: unknown): value is Record<string, KnownBad> {
  return (
    isPlainObject(value) &&
    Object.values(value).every(
      (entry) =>
        isPlainObject(entry) &&
        typeof entry["reason"] === "string" &&
        Array.isArray(entry["errors"]) &&
        entry["errors"].every((e) => isPlainObject(e) && typeof e["path"] === "string"),
    )
  );
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
}

/** JSON files under `dir`, relative with forward slashes, sorted; `skip` names top-level folders to leave out. */
export async function jsonFilesUnder(dir: string, skip: string[]): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string, prefix: string): Promise<void> {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const rel = prefix + entry.name;
      if (entry.isDirectory()) {
        if (prefix === "" && skip.includes(entry.name)) continue;
        await walk(path.join(current, entry.name), rel + "/");
      } else if (entry.isFile() && entry.name.endsWith(".json")) {
        found.push(rel);
      }
    }
  }
  await walk(dir, "");
  return found.sort();
}
