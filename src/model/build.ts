import { createHash } from "node:crypto";
import path from "node:path";
import { joinPointer, Problems } from "../errors.js";
import { isPlainObject } from "../json.js";
import type { ProviderSource, SampleSource, SourceFile, VersionSource } from "../load/catalogue.js";
import { pointerSegments, type Manifest } from "../load/manifest.js";
import { supportedFormats } from "../runtime.js";
import { NameRegistry, pascalCase } from "./names.js";
import {
  definitionKeywords,
  schemaArrayKeywords,
  schemaMapKeywords,
  singleSchemaKeywords,
} from "./schema-walk.js";

/**
 * Stage 2, model: one self-contained document per provider and version. Every schema
 * that is referred to (across files or within one) becomes one named definition, and
 * every `$ref` points at `#/definitions/<Name>`; so a definition shared by several
 * events exists once, and the emitters never resolve a file or a pointer again.
 */
export type JsonSchema = Record<string, unknown>;

export type Dialect = "draft-07" | "2020-12";

export interface VersionModel {
  provider: { name: string; title: string; manifest: Manifest };
  version: string;
  /** Display path of the version folder, as written into banners. */
  source: string;
  dialect: Dialect;
  /** Named definitions, sorted by name; `$ref`s are all `#/definitions/<Name>`. */
  definitions: Record<string, JsonSchema>;
  /** Sorted by event name. */
  events: EventModel[];
  /** Hash of the manifest and every schema file of the version. */
  hash: string;
  samples: SampleSource[];
}

export interface EventModel {
  /** The event's name: its file name, and one of the values its discriminator allows. */
  name: string;
  /** Every value the discriminator may hold for this event (e.g. message.received and message.received.spam). */
  names: string[];
  /** The definition holding the event's payload schema (also its TypeScript type name). */
  typeName: string;
  file: string;
}

export function buildModels(providers: ProviderSource[]): VersionModel[] {
  const problems = new Problems();
  const models: VersionModel[] = [];
  for (const provider of providers) {
    for (const version of provider.versions) {
      const model = buildVersion(provider, version, problems);
      if (model) models.push(model);
    }
  }
  problems.throwIfAny();
  return models;
}

const dialects: Record<string, Dialect> = {
  "http://json-schema.org/draft-07/schema": "draft-07",
  "https://json-schema.org/draft-07/schema": "draft-07",
  "https://json-schema.org/draft/2020-12/schema": "2020-12",
};

function buildVersion(
  provider: ProviderSource,
  version: VersionSource,
  problems: Problems,
): VersionModel | undefined {
  const before = problems.size;
  const title = provider.manifest.title;
  const dialect = versionDialect(version, problems);
  const names = new NameRegistry([`${title}Event`, `${title}EventMap`, `${title}EventName`]);
  const definitions = new Map<string, JsonSchema>();
  const targetNames = new Map<string, string>(); // "<file>#<pointer>" → definition name
  const queue: { file: SourceFile; pointer: string; name: string }[] = [];

  const events = [...version.events].sort((a, b) => compare(a.name, b.name));
  for (const event of events) {
    const name = names.claim(pascalCase(event.name));
    targetNames.set(`${event.file}#`, name);
    queue.push({ file: version.files.get(event.file)!, pointer: "", name });
  }

  const refName = (from: SourceFile, at: string, ref: string): string | undefined => {
    const target = resolveRef(version, from, at, ref, problems);
    if (!target) return undefined;
    const key = `${target.file.rel}#${target.pointer}`;
    let name = targetNames.get(key);
    if (name === undefined) {
      name = names.claim(definitionName(target.file, target.pointer, target.node));
      targetNames.set(key, name);
      queue.push({ file: target.file, pointer: target.pointer, name });
    }
    return name;
  };

  for (let item = queue.shift(); item; item = queue.shift()) {
    const node = nodeAt(item.file.json, item.pointer);
    const copy = rewrite(node, item.file, item.pointer, refName, problems);
    if (isPlainObject(copy)) copy["title"] = item.name;
    definitions.set(item.name, isPlainObject(copy) ? copy : { allOf: [copy] });
  }

  const sortedDefinitions = Object.fromEntries([...definitions].sort(([a], [b]) => compare(a, b)));
  const eventModels = events.map((event): EventModel => {
    const typeName = targetNames.get(`${event.file}#`)!;
    const shown = version.files.get(event.file)!.shown;
    return {
      name: event.name,
      names: discriminatorValues(provider.manifest, event.name, typeName, sortedDefinitions, shown, problems),
      typeName,
      file: event.file,
    };
  });
  checkDistinctNames(eventModels, version, problems);
  if (problems.size > before) return undefined;

  return {
    provider: { name: provider.name, title, manifest: provider.manifest },
    version: version.name,
    source: version.source,
    dialect,
    definitions: sortedDefinitions,
    events: eventModels,
    hash: hashSources(provider.manifestText, version),
    samples: version.samples,
  };
}

function versionDialect(version: VersionSource, problems: Problems): Dialect {
  const found = new Set<Dialect>();
  for (const file of version.files.values()) {
    const declared = isPlainObject(file.json) ? file.json["$schema"] : undefined;
    if (declared === undefined) continue;
    const dialect = typeof declared === "string" ? dialects[declared.replace(/#$/, "")] : undefined;
    if (dialect) found.add(dialect);
    else {
      problems.add({
        code: "unsupported",
        file: file.shown,
        pointer: "/$schema",
        message: `unsupported JSON Schema dialect ${JSON.stringify(declared)}`,
        hint: 'use "http://json-schema.org/draft-07/schema#" or "https://json-schema.org/draft/2020-12/schema"',
      });
    }
  }
  if (found.size > 1) {
    problems.add({
      code: "unsupported",
      file: version.shown,
      message: "the schemas of one version mix draft-07 and 2020-12",
      hint: "declare one $schema for every file of the version",
    });
  }
  return found.has("2020-12") ? "2020-12" : "draft-07";
}

/** Deep-copies a schema, rewriting `$ref`s to named definitions and checking formats. */
function rewrite(
  node: unknown,
  file: SourceFile,
  pointer: string,
  refName: (from: SourceFile, at: string, ref: string) => string | undefined,
  problems: Problems,
): unknown {
  if (typeof node === "boolean") return node;
  if (!isPlainObject(node)) {
    problems.add({
      code: "schema_invalid",
      file: file.shown,
      pointer,
      message: `a schema must be an object or a boolean, not ${node === null ? "null" : typeof node}`,
    });
    return {};
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    const at = joinPointer(pointer, key);
    if (key === "$id" || key === "$schema" || definitionKeywords.has(key)) continue;
    if (key === "$ref") {
      if (typeof value !== "string") {
        problems.add({ code: "schema_invalid", file: file.shown, pointer: at, message: "$ref must be a string" });
        continue;
      }
      const name = refName(file, at, value);
      if (name !== undefined) out[key] = `#/definitions/${name}`;
    } else if (key === "format" && typeof value === "string") {
      if (!supportedFormats.has(value)) {
        problems.add({
          code: "unsupported",
          file: file.shown,
          pointer: at,
          message: `format "${value}" is not supported: no self-contained check for it`,
          hint: `supported formats: ${[...supportedFormats].sort().join(", ")}`,
        });
      }
      out[key] = value;
    } else if (singleSchemaKeywords.has(key) && (isPlainObject(value) || typeof value === "boolean")) {
      out[key] = rewrite(value, file, at, refName, problems);
    } else if (schemaArrayKeywords.has(key) && Array.isArray(value)) {
      out[key] = value.map((v, i) => rewrite(v, file, joinPointer(at, i), refName, problems));
    } else if (schemaMapKeywords.has(key) && isPlainObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          // draft-07 "dependencies" may list property names instead of a schema
          Array.isArray(v) ? v : rewrite(v, file, joinPointer(at, k), refName, problems),
        ]),
      );
    } else {
      out[key] = value;
    }
  }
  return out;
}

interface RefTarget {
  file: SourceFile;
  pointer: string;
  node: unknown;
}

function resolveRef(
  version: VersionSource,
  from: SourceFile,
  at: string,
  ref: string,
  problems: Problems,
): RefTarget | undefined {
  const fail = (message: string, hint?: string): undefined => {
    problems.add({ code: "ref_unresolved", file: from.shown, pointer: at, message, ...(hint ? { hint } : {}) });
    return undefined;
  };
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(ref)) {
    return fail(
      `$ref ${JSON.stringify(ref)} points outside the catalogue; remote references are not fetched`,
      "copy the referenced schema into the version folder and refer to it by a relative path",
    );
  }
  const hashAt = ref.indexOf("#");
  const filePart = hashAt === -1 ? ref : ref.slice(0, hashAt);
  const fragment = hashAt === -1 ? "" : decodeURIComponent(ref.slice(hashAt + 1));
  let file = from;
  if (filePart !== "") {
    const rel = path.posix.normalize(path.posix.join(path.posix.dirname(from.rel), decodeURIComponent(filePart)));
    if (rel.startsWith("../") || rel === ".." || path.posix.isAbsolute(rel)) {
      return fail(
        `$ref ${JSON.stringify(ref)} leaves the version folder ${version.shown}`,
        "a version's schemas may refer only to files of the same version",
      );
    }
    const target = version.files.get(rel);
    if (!target) return fail(`$ref ${JSON.stringify(ref)}: file ${version.shown}/${rel} not found`);
    file = target;
  }
  if (fragment !== "" && !fragment.startsWith("/")) {
    return fail(`$ref ${JSON.stringify(ref)}: only JSON-pointer fragments (#/...) are supported, not anchors`);
  }
  const node = nodeAt(file.json, fragment);
  if (node === undefined) {
    return fail(`$ref ${JSON.stringify(ref)}: nothing at ${fragment || "the root"} of ${file.shown}`);
  }
  return { file, pointer: fragment, node };
}

function nodeAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(segment)) node = node[Number(segment)];
    else if (isPlainObject(node) && Object.prototype.hasOwnProperty.call(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** A definition is named by its title, else by where it sits, else by its file. */
function definitionName(file: SourceFile, pointer: string, node: unknown): string {
  const title = isPlainObject(node) ? node["title"] : undefined;
  if (typeof title === "string" && /[A-Za-z]/.test(title)) return pascalCase(title);
  const segments = pointerSegments(pointer).filter((s) => !definitionKeywords.has(s) && s !== "properties");
  if (segments.length > 0) return pascalCase(segments.join(" "));
  return pascalCase(path.posix.basename(file.rel).replace(/(\.schema)?\.json$/, ""));
}

/** The values the manifest's event pointer may take in this event's payloads. */
function discriminatorValues(
  manifest: Manifest,
  event: string,
  typeName: string,
  definitions: Record<string, JsonSchema>,
  shown: string,
  problems: Problems,
): string[] {
  if (manifest.event.in !== "body") return [event];
  const pointer = manifest.event.pointer;
  const values = valuesAt(definitions[typeName], pointerSegments(pointer), definitions, 0);
  if (values === undefined || values.length === 0) {
    problems.add({
      code: "schema_invalid",
      file: shown,
      message: `the schema does not pin the event name at ${pointer}`,
      hint: `give that property "const": ${JSON.stringify(event)} (or an "enum" of the names this payload is sent under)`,
    });
    return [event];
  }
  if (!values.includes(event)) {
    problems.add({
      code: "name_invalid",
      file: shown,
      message: `the file is named for event "${event}" but the schema pins ${pointer} to ${values.map((v) => JSON.stringify(v)).join(", ")}`,
      hint: "rename the file <event>.schema.json after the event it describes",
    });
  }
  return [...new Set(values)].sort(compare);
}

function valuesAt(
  schema: unknown,
  segments: string[],
  definitions: Record<string, JsonSchema>,
  depth: number,
): string[] | undefined {
  if (!isPlainObject(schema) || depth > 64) return undefined;
  const found: string[] = [];
  let pinned = false;
  const take = (values: string[] | undefined) => {
    if (values) {
      pinned = true;
      found.push(...values);
    }
  };
  const ref = schema["$ref"];
  if (typeof ref === "string") take(valuesAt(definitions[ref.replace("#/definitions/", "")], segments, definitions, depth + 1));
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    const branches = schema[keyword];
    if (Array.isArray(branches)) for (const b of branches) take(valuesAt(b, segments, definitions, depth + 1));
  }
  if (segments.length === 0) {
    if (typeof schema["const"] === "string") take([schema["const"]]);
    const values = schema["enum"];
    if (Array.isArray(values) && values.every((v) => typeof v === "string")) take(values as string[]);
  } else {
    const properties = schema["properties"];
    if (isPlainObject(properties) && Object.prototype.hasOwnProperty.call(properties, segments[0]!)) {
      take(valuesAt(properties[segments[0]!], segments.slice(1), definitions, depth + 1));
    }
  }
  return pinned ? found : undefined;
}

function checkDistinctNames(events: EventModel[], version: VersionSource, problems: Problems): void {
  const owner = new Map<string, string>();
  for (const event of events) {
    for (const name of event.names) {
      const previous = owner.get(name);
      if (previous !== undefined && previous !== event.name) {
        problems.add({
          code: "name_collision",
          file: version.files.get(event.file)!.shown,
          message: `event name "${name}" is also claimed by ${previous}.schema.json`,
          hint: "each event name must belong to exactly one schema",
        });
      }
      owner.set(name, event.name);
    }
  }
}

function hashSources(manifestText: string, version: VersionSource): string {
  const hash = createHash("sha256");
  hash.update(`provider.json\0${manifestText}\0`);
  for (const rel of [...version.files.keys()].sort(compare)) hash.update(`${rel}\0${version.files.get(rel)!.text}\0`);
  return `sha256:${hash.digest("hex").slice(0, 16)}`;
}

/** Code-unit order, the same on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
