import { createHash } from "node:crypto";
import path from "node:path";
import { joinPointer, Problems, type Problem } from "../errors.js";
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
  /** The version every event's schema pins at the manifest's version pointer, if they do. */
  pinnedVersion?: string;
  /** Hash of the manifest and every schema file of the version. */
  hash: string;
  samples: Sample[];
}

/** A sample payload, matched to its event by its file name (<event>[.<case>].json). */
export interface Sample extends SampleSource {
  event: string;
  case?: string;
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
  const queue: { file: SourceFile; pointer: string; name: string; node?: unknown }[] = [];

  const events: EventSource[] = [
    ...version.events.map((e) => ({ name: e.name, file: version.files.get(e.file)!, pointer: "" })),
    ...version.bundles.flatMap((rel) => splitBundle(version.files.get(rel)!, provider.manifest, problems)),
  ].sort((a, b) => compare(a.name, b.name));
  for (const event of events) {
    const name = names.claim(pascalCase(event.name));
    targetNames.set(`${event.file.rel}#${event.pointer}`, name);
    queue.push({ file: event.file, pointer: event.pointer, name, ...(event.node ? { node: event.node } : {}) });
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
    const node = item.node ?? nodeAt(item.file.json, item.pointer);
    const copy = rewrite(node, item.file, item.pointer, refName, problems);
    if (isPlainObject(copy)) copy["title"] = item.name;
    definitions.set(item.name, isPlainObject(copy) ? copy : { allOf: [copy] });
  }

  const sortedDefinitions = Object.fromEntries([...definitions].sort(([a], [b]) => compare(a, b)));
  const origins = new Map([...targetNames].map(([key, name]) => [name, key]));
  checkRefCycles(sortedDefinitions, (name) => `${version.shown}/${origins.get(name) ?? name}`, problems);
  const unpinned: Problem[] = [];
  const eventModels = events.map((event): EventModel => {
    const typeName = targetNames.get(`${event.file.rel}#${event.pointer}`)!;
    const shown = event.pointer === "" ? event.file.shown : `${event.file.shown}#${event.pointer}`;
    return {
      name: event.name,
      names: discriminatorValues(provider.manifest, event.name, typeName, sortedDefinitions, shown, problems, unpinned),
      typeName,
      file: shown,
    };
  });
  reportUnpinned(provider, eventModels, sortedDefinitions, unpinned, problems);
  checkDistinctNames(eventModels, problems);
  const samples = matchSamples(version, eventModels, problems);
  const pinnedVersion = versionPinned(provider.manifest, eventModels, sortedDefinitions, version, problems);
  if (problems.size > before) return undefined;

  return {
    provider: { name: provider.name, title, manifest: provider.manifest },
    version: version.name,
    source: version.source,
    dialect,
    definitions: sortedDefinitions,
    events: eventModels,
    ...(pinnedVersion === undefined ? {} : { pinnedVersion }),
    hash: hashSources(provider.manifestText, version),
    samples,
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
  // A schema key may be "__proto__" (a property of that name): define, never assign.
  const set = (key: string, value: unknown) =>
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(node)) {
    const at = joinPointer(pointer, key);
    if (key === "$id" || key === "$schema" || definitionKeywords.has(key)) continue;
    if (key === "$ref") {
      if (typeof value !== "string") {
        problems.add({ code: "schema_invalid", file: file.shown, pointer: at, message: "$ref must be a string" });
        continue;
      }
      const name = refName(file, at, value);
      if (name !== undefined) set(key, `#/definitions/${name}`);
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
      set(key, value);
    } else if (key === "enum" && Array.isArray(value) && value.length === 0) {
      // the validators (Ajv's meta-schema too) have no check for it: a clear refusal, not a crash
      problems.add({ code: "unsupported", file: file.shown, pointer: at, message: "enum lists no value: no payload could ever match", hint: "list the allowed values, or use \"not\": {} for a schema nothing matches" });
    } else if (key === "pattern" && typeof value === "string") {
      set(key, unicodePattern(value, file, at, problems));
    } else if (singleSchemaKeywords.has(key) && (isPlainObject(value) || typeof value === "boolean")) {
      set(key, rewrite(value, file, at, refName, problems));
    } else if (schemaArrayKeywords.has(key) && Array.isArray(value)) {
      set(key, value.map((v, i) => rewrite(v, file, joinPointer(at, i), refName, problems)));
    } else if (schemaMapKeywords.has(key) && isPlainObject(value)) {
      set(key, Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          // draft-07 "dependencies" may list property names instead of a schema
          Array.isArray(v) ? v : rewrite(v, file, joinPointer(at, k), refName, problems),
        ]),
      ));
    } else {
      set(key, value);
    }
  }
  return out;
}

/**
 * Validators compile patterns as Unicode regular expressions (flag u), where escaping a
 * character that needs no escape, such as \" in Plain's older email pattern, is a syntax
 * error. Without the flag such an escape means the character itself, so dropping the
 * backslash keeps the pattern's meaning and lets it compile with the flag.
 */
function unicodePattern(pattern: string, file: SourceFile, at: string, problems: Problems): string {
  if (compiles(pattern, "u")) return pattern;
  const relaxed = pattern.replace(/\\(.)/gsu, (escape, char: string) =>
    /[\^$\\.*+?()[\]{}|\/\-A-Za-z0-9]/.test(char) ? escape : char,
  );
  if (compiles(relaxed, "u") && compiles(pattern, "")) return relaxed;
  problems.add({
    code: "schema_invalid",
    file: file.shown,
    pointer: at,
    message: `pattern ${JSON.stringify(pattern)} is not a valid Unicode regular expression`,
    hint: "JSON Schema patterns are ECMA-262 regular expressions; fix the escape or class it reports",
  });
  return pattern;
}

function compiles(pattern: string, flags: string): boolean {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
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

/**
 * When no event of the version pins its name at the manifest's pointer, the pointer is what
 * is wrong: one problem naming provider.json (and where the schemas do pin their names),
 * not one per schema.
 */
function reportUnpinned(provider: ProviderSource, events: EventModel[], definitions: Record<string, JsonSchema>, unpinned: Problem[], problems: Problems): void {
  if (unpinned.length === 0) return;
  if (unpinned.length < events.length || events.length < 2) {
    unpinned.forEach((problem) => problems.add(problem));
    return;
  }
  const found = events
    .map((event) => namePointer(definitions[event.typeName], event.name, byName(definitions), "", 0))
    .filter((pointer): pointer is string => pointer !== undefined);
  const likely = found.length > 0 ? [...new Set(found)].sort(compare)[0] : undefined;
  problems.add({
    code: "manifest_invalid",
    file: path.join(provider.shown, "provider.json"),
    pointer: "/event/pointer",
    message: `no event schema pins its name at ${provider.manifest.event.in === "body" ? provider.manifest.event.pointer : ""}`,
    hint: likely !== undefined ? `the schemas pin their event names at ${likely}: did you mean "pointer": ${JSON.stringify(likely)}?` : "point it at the property whose const is the event name",
  });
}

/** The instance pointer at which a schema pins the event's name, if it does anywhere (properties, $ref, allOf). */
function namePointer(schema: unknown, event: string, resolve: Resolve, at: string, depth: number): string | undefined {
  if (!isPlainObject(schema) || depth > 16) return undefined;
  if (schema["const"] === event || (Array.isArray(schema["enum"]) && schema["enum"].includes(event))) return at;
  const ref = schema["$ref"];
  const branches = [...(typeof ref === "string" ? [resolve(ref)] : []), ...(Array.isArray(schema["allOf"]) ? schema["allOf"] : [])];
  for (const branch of branches) {
    const found = namePointer(branch, event, resolve, at, depth + 1);
    if (found !== undefined) return found;
  }
  const properties = schema["properties"];
  if (!isPlainObject(properties)) return undefined;
  for (const key of Object.keys(properties).sort(compare)) {
    const found = namePointer(properties[key], event, resolve, joinPointer(at, key), depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The values the manifest's event pointer may take in this event's payloads. */
function discriminatorValues(
  manifest: Manifest,
  event: string,
  typeName: string,
  definitions: Record<string, JsonSchema>,
  shown: string,
  problems: Problems,
  unpinned: Problem[],
): string[] {
  if (manifest.event.in !== "body") return [event];
  const pointer = manifest.event.pointer;
  const values = valuesAt(definitions[typeName], pointerSegments(pointer), byName(definitions), 0);
  if (values === undefined || values.length === 0) {
    unpinned.push({
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

type Resolve = (ref: string) => unknown;

const byName =
  (definitions: Record<string, JsonSchema>): Resolve =>
  (ref) =>
    definitions[ref.replace("#/definitions/", "")];

/** The strings a schema allows at a path: the const or enum there, through refs and unions. */
function valuesAt(schema: unknown, segments: string[], resolve: Resolve, depth: number): string[] | undefined {
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
  if (typeof ref === "string") take(valuesAt(resolve(ref), segments, resolve, depth + 1));
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    const branches = schema[keyword];
    if (Array.isArray(branches)) for (const b of branches) take(valuesAt(b, segments, resolve, depth + 1));
  }
  if (segments.length === 0) {
    if (typeof schema["const"] === "string") take([schema["const"]]);
    const values = schema["enum"];
    if (Array.isArray(values) && values.every((v) => typeof v === "string")) take(values as string[]);
  } else {
    const properties = schema["properties"];
    if (isPlainObject(properties) && Object.prototype.hasOwnProperty.call(properties, segments[0]!)) {
      take(valuesAt(properties[segments[0]!], segments.slice(1), resolve, depth + 1));
    }
  }
  return pinned ? found : undefined;
}

interface EventSource {
  name: string;
  file: SourceFile;
  /** Where the event's schema is in the file ("" for a whole <event>.schema.json). */
  pointer: string;
  /** For an event split out of a bundle: its schema, built from the document's root. */
  node?: JsonSchema;
}

/**
 * Splits a published document that holds many events (Plain's: an object whose `payload`
 * is an `anyOf` over one definition per event) into one schema per event. Walking the
 * manifest's event pointer from the root, the first `anyOf`/`oneOf` whose every branch
 * pins the event name is the split point; each event's schema is the root with that union
 * replaced by its branch. References stay as they are, relative to the document.
 */
function splitBundle(file: SourceFile, manifest: Manifest, problems: Problems): EventSource[] {
  const fail = (message: string): EventSource[] => {
    problems.add({ code: "schema_invalid", file: file.shown, message, hint: "a bundle must hold a union of event schemas, each pinning its event name" });
    return [];
  };
  if (manifest.event.in !== "body") return fail("the provider names events in a header, so a bundle cannot be split by the payload");
  const resolve: Resolve = (ref) => (ref.startsWith("#") ? nodeAt(file.json, decodeURIComponent(ref.slice(1))) : undefined);
  const segments = pointerSegments(manifest.event.pointer);

  // path: the keys from the root to the union, through properties (refs are inlined on the way)
  let node: unknown = file.json;
  const path: string[] = [];
  for (let depth = 0; depth <= segments.length; depth++) {
    for (let hops = 0; isPlainObject(node) && typeof node["$ref"] === "string" && hops < 32; hops++) node = resolve(node["$ref"]);
    if (!isPlainObject(node)) break;
    const rest = segments.slice(depth);
    for (const keyword of ["anyOf", "oneOf"]) {
      const branches = node[keyword];
      if (!Array.isArray(branches) || branches.length === 0) continue;
      const pinned = branches.map((b) => valuesAt(b, rest, resolve, 0));
      if (!pinned.every((values) => values !== undefined && values.length > 0)) continue;
      const union = node;
      return branches.map((branch, i) => ({
        name: pinned[i]![0]!,
        file,
        pointer: `${path.length ? "/" + path.join("/") : ""}/${keyword}/${i}`,
        node: replaceAt(file.json, path, resolve, { ...withoutKey(union, keyword), allOf: [branch] }),
      }));
    }
    if (depth === segments.length) break;
    const properties = node["properties"];
    if (!isPlainObject(properties) || !Object.prototype.hasOwnProperty.call(properties, segments[depth]!)) break;
    path.push("properties", segments[depth]!);
    node = properties[segments[depth]!];
  }
  return fail(`no anyOf/oneOf along ${manifest.event.pointer} whose branches each pin an event name`);
}

/**
 * A copy of `root` in which the node at `path` (keys, refs followed) is `replacement`. The
 * other inline schemas beside the path (an envelope's `type` enum, say) become `$ref`s to where
 * they are in the document, so every event shares one definition of them instead of a copy each.
 */
function replaceAt(root: unknown, path: string[], resolve: Resolve, replacement: JsonSchema, at = ""): JsonSchema {
  let node = root;
  for (let hops = 0; isPlainObject(node) && typeof node["$ref"] === "string" && hops < 32; hops++) {
    at = node["$ref"].startsWith("#") ? decodeURIComponent(node["$ref"].slice(1)) : at;
    node = resolve(node["$ref"]);
  }
  if (path.length === 0) return replacement;
  const copy = { ...(node as JsonSchema) };
  const [key, ...rest] = path;
  const child = copy[key!];
  if (key === "properties" && rest.length > 0) {
    const [name, ...deeper] = rest;
    const properties: JsonSchema = {};
    for (const [sibling, schema] of Object.entries(child as JsonSchema)) {
      const here = joinPointer(`${at}/properties`, sibling);
      const value =
        sibling === name
          ? replaceAt(schema, deeper, resolve, replacement, here)
          : isPlainObject(schema) && typeof schema["$ref"] !== "string"
            ? { $ref: `#${here.split("/").map(encodeURIComponent).join("/")}` }
            : schema;
      Object.defineProperty(properties, sibling, { value, enumerable: true, writable: true, configurable: true });
    }
    copy["properties"] = properties;
  }
  return copy;
}

function withoutKey(schema: JsonSchema, key: string): JsonSchema {
  const { [key]: _, ...rest } = schema;
  return rest;
}

const annotations = new Set(["$ref", "title", "description", "$comment", "default", "examples", "deprecated"]);

/**
 * A definition that is nothing but a `$ref` to a definition that is nothing but a `$ref`…
 * back to the first describes no value at all (validating it would never end). Recursion
 * through a property (a thread whose parent is a thread) is fine and is not flagged.
 */
function checkRefCycles(
  definitions: Record<string, JsonSchema>,
  origin: (name: string) => string,
  problems: Problems,
): void {
  const target = (name: string): string | undefined => {
    const schema = definitions[name];
    if (!schema || !Object.keys(schema).every((k) => annotations.has(k))) return undefined;
    const ref = schema["$ref"];
    return typeof ref === "string" ? ref.replace("#/definitions/", "") : undefined;
  };
  const reported = new Set<string>();
  for (const start of Object.keys(definitions)) {
    const chain = [start];
    for (let next = target(start); next !== undefined; next = target(next)) {
      if (chain.includes(next)) {
        const cycle = chain.slice(chain.indexOf(next));
        if (!cycle.some((n) => reported.has(n))) {
          cycle.forEach((n) => reported.add(n));
          problems.add({
            code: "ref_unresolved",
            file: origin(cycle[0]!),
            message: `$ref cycle with no schema in between: ${[...cycle, next].map(origin).join(" → ")}`,
            hint: "one of these definitions must describe a value, not only refer to the next",
          });
        }
        break;
      }
      chain.push(next);
    }
  }
}

/** The one version constant the events' schemas agree on at the manifest's version pointer. */
function versionPinned(
  manifest: Manifest,
  events: EventModel[],
  definitions: Record<string, JsonSchema>,
  version: VersionSource,
  problems: Problems,
): string | undefined {
  if (manifest.version?.in !== "body") return undefined;
  const segments = pointerSegments(manifest.version.pointer);
  const pinned = new Set(events.flatMap((e) => valuesAt(definitions[e.typeName], segments, byName(definitions), 0) ?? []));
  if (pinned.size > 1) {
    problems.add({
      code: "schema_invalid",
      file: version.shown,
      message: `the events of one version pin different versions at ${manifest.version.pointer}: ${[...pinned].sort(compare).join(", ")}`,
      hint: "put each version's schemas in a folder of their own",
    });
  }
  return pinned.size === 1 ? [...pinned][0] : undefined;
}

function checkDistinctNames(events: EventModel[], problems: Problems): void {
  const owner = new Map<string, EventModel>();
  for (const event of events) {
    for (const name of new Set([event.name, ...event.names])) {
      const previous = owner.get(name);
      if (previous !== undefined && previous !== event) {
        problems.add({
          code: "name_collision",
          file: event.file,
          message: `event name "${name}" is also claimed by ${previous.file}`,
          hint: "each event name must belong to exactly one schema",
        });
      }
      owner.set(name, event);
    }
  }
}

/** Matches each sample to the event whose name is the longest prefix of its file name. */
function matchSamples(version: VersionSource, events: EventModel[], problems: Problems): Sample[] {
  const byLength = events.map((e) => e.name).sort((a, b) => b.length - a.length);
  const samples: Sample[] = [];
  for (const sample of version.samples) {
    const base = sample.file.replace(/\.json$/, "");
    const event = byLength.find((e) => base === e || base.startsWith(e + "."));
    if (event === undefined) {
      problems.add({
        code: "sample_invalid",
        file: sample.shown,
        message: `sample does not name an event of this version (expected <event>[.<case>].json; events: ${events.map((e) => e.name).join(", ")})`,
      });
      continue;
    }
    samples.push({ ...sample, event, ...(base === event ? {} : { case: base.slice(event.length + 1) }) });
  }
  return samples;
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
