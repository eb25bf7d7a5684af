import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { Problems } from "../errors.js";
import { isPlainObject, readJsonFile } from "../json.js";
import { checkAgainstMeta } from "../meta.js";
import { displayPath } from "../paths.js";
import type { Manifest } from "./manifest.js";

/**
 * Stage 1, load: read the catalogue from disk into memory, checking only what can be
 * checked file by file (JSON syntax, the manifest against its schema, folder names).
 * Nothing after this stage touches the file system.
 */
export interface Catalogue {
  root: string;
  providers: ProviderSource[];
}

export interface ProviderSource {
  name: string;
  /** Display path of the provider folder. */
  shown: string;
  manifest: Manifest;
  manifestText: string;
  versions: VersionSource[];
}

export interface VersionSource {
  name: string;
  shown: string;
  /** "<catalogue folder>/<provider>/<version>": names the source in banners, whatever the working directory. */
  source: string;
  /** Every JSON file of the version outside examples/, by path relative to the version folder. */
  files: Map<string, SourceFile>;
  /** Event schemas: <event>.schema.json directly in the version folder. */
  events: { name: string; file: string }[];
  samples: SampleSource[];
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
  event: string;
  case?: string;
  json: unknown;
  expect?: KnownBad;
}

/** examples/known-bad.json lists samples that must fail, with why and where. */
export interface KnownBad {
  reason: string;
  errors: { path: string; keyword?: string }[];
}

const eventSuffix = ".schema.json";
const knownBadFile = "known-bad.json";
const safeFolderName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export async function loadCatalogue(
  root: string,
  options: { providers?: readonly string[]; cwd: string },
): Promise<Catalogue> {
  const problems = new Problems();
  const shownRoot = displayPath(root, options.cwd);
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
  return { root, providers };
}

async function loadProvider(
  root: string,
  name: string,
  cwd: string,
  problems: Problems,
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
  if (manifest.name !== name) {
    problems.add({
      code: "manifest_invalid",
      file: manifestShown,
      pointer: "/name",
      message: `name "${manifest.name}" does not match the folder name "${name}"`,
    });
    return undefined;
  }

  const versions: VersionSource[] = [];
  for (const version of await subfolders(dir)) {
    const source = `${path.basename(root)}/${name}/${version}`;
    const loaded = await loadVersion(path.join(dir, version), version, source, cwd, problems);
    if (loaded) versions.push(loaded);
  }
  if (versions.length === 0) {
    problems.add({
      code: "catalogue_missing",
      file: shown,
      message: "provider has no version folders",
      hint: "add <version>/<event>.schema.json (a dated snapshot folder for unversioned providers)",
    });
  }
  return { name, shown, manifest, manifestText: read.text, versions };
}

async function loadVersion(
  dir: string,
  name: string,
  source: string,
  cwd: string,
  problems: Problems,
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
  for (const rel of await jsonFilesUnder(dir, ["examples"])) {
    const fileShown = `${shown}/${rel}`;
    const read = await readJsonFile(path.join(dir, rel), fileShown, problems);
    if (read) files.set(rel, { rel, shown: fileShown, ...read });
  }
  const events = [...files.keys()]
    .filter((rel) => !rel.includes("/") && rel.endsWith(eventSuffix))
    .map((rel) => ({ name: rel.slice(0, -eventSuffix.length), file: rel }));
  if (events.length === 0) {
    problems.add({
      code: "catalogue_missing",
      file: shown,
      message: "version folder holds no <event>.schema.json files",
    });
  }
  const samples = await loadSamples(
    path.join(dir, "examples"),
    `${shown}/examples`,
    events.map((e) => e.name),
    problems,
  );
  return { name, shown, source, files, events, samples };
}

async function loadSamples(
  dir: string,
  shown: string,
  events: string[],
  problems: Problems,
): Promise<SampleSource[]> {
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
  // Event names hold dots too: match the longest event name that prefixes the file name.
  const byLength = [...events].sort((a, b) => b.length - a.length);
  const samples: SampleSource[] = [];
  for (const file of names) {
    if (file === knownBadFile) continue;
    const base = file.slice(0, -".json".length);
    const event = byLength.find((e) => base === e || base.startsWith(e + "."));
    if (!event) {
      problems.add({
        code: "sample_invalid",
        file: `${shown}/${file}`,
        message: `sample does not name an event of this version (expected <event>[.<case>].json; events: ${events.join(", ")})`,
      });
      continue;
    }
    const read = await readJsonFile(path.join(dir, file), `${shown}/${file}`, problems);
    if (!read) continue;
    const expect = knownBad[file];
    samples.push({
      file,
      shown: `${shown}/${file}`,
      event,
      ...(base === event ? {} : { case: base.slice(event.length + 1) }),
      json: read.json,
      ...(expect ? { expect } : {}),
    });
  }
  for (const listed of Object.keys(knownBad)) {
    if (!names.includes(listed)) {
      problems.add({
        code: "sample_invalid",
        file: `${shown}/${knownBadFile}`,
        pointer: `/${listed.replace(/~/g, "~0").replace(/\//g, "~1")}`,
        message: `lists "${listed}", which is not in the examples folder`,
      });
    }
  }
  return samples;
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
async function jsonFilesUnder(dir: string, skip: string[]): Promise<string[]> {
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
