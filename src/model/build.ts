import { createHash } from "node:crypto";
import path from "node:path";
import { joinPointer, Problems, type Problem } from "../errors.js";
import { isPlainObject } from "../json.js";
import type { ProviderSource, SampleSource, SourceFile, VersionSource } from "../load/catalogue.js";
import { pointerSegments, spellHeaderValue, type HeaderEventLocation, type Manifest } from "../load/manifest.js";
import type { OpenApiOperation } from "../load/openapi.js";
import { supportedFormats } from "../runtime.js";
import { compare } from "../order.js";
import { NameRegistry, pascalCase } from "./names.js";
import {
  declaredDialect,
  dialectUris,
  nodeAt,
  Resolver,
  safeDecode,
  shownUri,
  versionFileUri,
  type Dialect,
  type RemoteDocuments,
  type SchemaDoc,
  type Target,
} from "./resolve.js";
import { normalizeUri, resolveUri } from "./uri.js";
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

export type { Dialect } from "./resolve.js";

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
  /** What the run reports about the version but goes on with (an unknown format). */
  warnings?: Problem[];
  /** Where each definition comes from: the file (as shown in messages) and the JSON pointer in it. */
  origins?: Record<string, { file: string; pointer: string }>;
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

/** Beyond this many dynamic contexts for one schema, a `$dynamicRef` is refused. */
export const maxSpecialisations = 16;

/**
 * The dynamic scope, as far as `$dynamicRef` can tell: for each `$dynamicAnchor` name, the
 * outermost schema resource on the path from the entry point that declares it.
 */
type DynamicContext = readonly (readonly [name: string, resource: string])[];

function contextKey(context: DynamicContext): string {
  if (context.length === 0) return "";
  return context
    .map(([name, resource]) => `${name}=${resource}`)
    .sort(compare)
    .join(" ");
}

function buildVersion(
  provider: ProviderSource,
  version: VersionSource,
  problems: Problems,
): VersionModel | undefined {
  const before = problems.size;
  const warnedBefore = problems.warnings.length;
  const title = provider.manifest.title;
  const remotes = [...(version.remotes ?? []), ...(provider.remotes ?? [])];
  const { dialect, ignored } = versionDialect(version, remotes, problems);
  const resolver = new Resolver(version.shown, dialect, version.files.values(), remotes);
  const names = new NameRegistry([`${title}Event`, `${title}EventMap`, `${title}EventName`]);
  const definitions = new Map<string, JsonSchema>();
  const targetNames = new Map<string, string>(); // "<doc>#<pointer>@<dynamic context>" → definition name
  const origins = new Map<string, string>(); // definition name → where its schema is, for messages
  const contexts = new Map<string, number>(); // "<doc>#<pointer>" → dynamic contexts seen
  type Item = { doc: SchemaDoc; pointer: string; name: string; node?: unknown; outerBase: string; context: DynamicContext };
  const queue: Item[] = [];
  /** A definition to build: queued, and where its schema is remembered for messages. */
  const enqueue = (item: Item): void => {
    origins.set(item.name, item.pointer === "" ? item.doc.shown : `${item.doc.shown}#${item.pointer}`);
    queue.push(item);
  };

  const enter = (context: DynamicContext, resource: string): DynamicContext => {
    if (!resolver.hasDynamicAnchors()) return context;
    const added = resolver.dynamicAnchorsOf(resource).filter((name) => !context.some(([n]) => n === name));
    return added.length === 0 ? context : [...context, ...added.map((name) => [name, resource] as const)];
  };

  const events: (EventSource & { doc: SchemaDoc })[] = [
    ...version.events.map((e) => ({ name: e.name, file: version.files.get(e.file)!, pointer: "" })),
    ...version.bundles.flatMap((rel) => splitBundle(version.files.get(rel)!, provider.manifest, problems)),
    ...(version.openapi ?? []).flatMap((doc) => openApiEvents(version.files.get(doc.file)!, doc.operations, provider.manifest, problems)),
  ]
    .sort((a, b) => compare(a.name, b.name))
    .map((event) => ({ ...event, doc: resolver.versionDoc(event.file.rel)! }));
  const eventKeys = new Map<EventSource, string>();
  for (const event of events) {
    const name = names.claim(pascalCase(event.name));
    const start = event.node ? resolver.applyId(event.node, event.doc.uri, event.doc.dialect) : resolver.baseAt(event.doc, event.pointer);
    const context = enter([], start);
    const key = `${event.doc.key}#${event.pointer}@${contextKey(context)}`;
    targetNames.set(key, name);
    eventKeys.set(event, key);
    enqueue({
      doc: event.doc,
      pointer: event.pointer,
      name,
      ...(event.node ? { node: event.node } : {}),
      outerBase: event.node ? event.doc.uri : resolver.outerBaseAt(event.doc, event.pointer),
      context,
    });
  }

  /** The definition for a reference's target in a dynamic context, named and queued on first sight. */
  const definitionFor = (target: Target, context: DynamicContext, from: SchemaDoc, at: string, keyword: string, ref: string): string | undefined => {
    if (target.doc.declared !== undefined && target.doc.declared !== dialect) {
      problems.add({
        code: "unsupported",
        file: from.shown,
        pointer: at,
        message: `${keyword} ${JSON.stringify(ref)} leads to a ${target.doc.declared} schema (${target.doc.shown}) from a ${dialect} version`,
        hint: "the schemas of one version are read in one dialect; refer to a schema of the same dialect",
      });
      return undefined;
    }
    const entered = enter(context, resolver.baseAt(target.doc, target.pointer));
    const where = `${target.doc.key}#${target.pointer}`;
    const key = `${where}@${contextKey(entered)}`;
    let name = targetNames.get(key);
    if (name === undefined) {
      const seen = (contexts.get(where) ?? 0) + 1;
      contexts.set(where, seen);
      if (seen > maxSpecialisations) {
        if (seen === maxSpecialisations + 1) {
          problems.add({
            code: "unsupported",
            file: from.shown,
            pointer: at,
            message: `${keyword} ${JSON.stringify(ref)}: the schema it reaches (${target.doc.shown}#${target.pointer}) would need more than ${maxSpecialisations} copies, one per dynamic scope ($dynamicAnchor bindings) it is reached in`,
            hint: "the generated code has no dynamic scope at run time: each $dynamicRef target is fixed per path from an event; simplify the recursion",
          });
        }
        return undefined;
      }
      name = names.claim(definitionName(target.doc.rel, target.pointer, target.node));
      targetNames.set(key, name);
      enqueue({
        doc: target.doc,
        pointer: target.pointer,
        name,
        outerBase: resolver.outerBaseAt(target.doc, target.pointer),
        context: entered,
      });
    }
    return name;
  };

  const refName: RefNamer = (ref, dynamic, from, at, base, context) => {
    const resolution = resolver.resolve(ref, base);
    if (!resolution.ok) {
      problems.add({
        code: "ref_unresolved",
        file: from.shown,
        pointer: at,
        message: `${dynamic ? "$dynamicRef" : "$ref"} ${JSON.stringify(ref)}: ${resolution.message}`,
        ...(resolution.hint ? { hint: resolution.hint } : {}),
      });
      return undefined;
    }
    let target = resolution.target;
    const anchor = target.dynamicAnchor;
    if (dynamic && anchor !== undefined) {
      // the outermost resource in the dynamic scope that declares the same $dynamicAnchor
      const outermost = context.find(([name]) => name === anchor);
      if (outermost) target = resolver.dynamicAnchor(outermost[1], anchor) ?? target;
    }
    return definitionFor(target, context, from, at, dynamic ? "$dynamicRef" : "$ref", ref);
  };

  for (let item = queue.shift(); item; item = queue.shift()) {
    const node = item.node ?? nodeAt(item.doc.json, item.pointer);
    const walk: Walk = { doc: item.doc, resolver, refName, problems, ignored: (item.doc.kind === "version" && ignored.get(item.doc.rel)) || noKeywords };
    const copy = rewrite(node, item.pointer, item.outerBase, item.context, walk);
    if (isPlainObject(copy)) copy["title"] = item.name;
    definitions.set(item.name, isPlainObject(copy) ? copy : { allOf: [copy] });
  }

  for (const { uri, first, second } of resolver.duplicates) {
    problems.add({
      code: "schema_invalid",
      file: second.doc.shown,
      pointer: joinPointer(second.pointer, "$id"),
      message: `$id ${shownUri(uri)} is already declared by ${first.doc.shown}${first.pointer ? `#${first.pointer}` : ""}`,
      hint: "each schema resource needs an $id of its own",
    });
  }
  const sortedDefinitions = Object.fromEntries([...definitions].sort(([a], [b]) => compare(a, b)));
  checkRefCycles(sortedDefinitions, (name) => origins.get(name) ?? `${version.shown}/${name}`, problems);
  const unpinned: Problem[] = [];
  const eventModels = events.map((event): EventModel => {
    const typeName = targetNames.get(eventKeys.get(event)!)!;
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
    hash: hashSources(provider.manifestText, version, resolver.documents().filter((d) => d.kind === "remote")),
    samples,
    ...(problems.warnings.length > warnedBefore ? { warnings: problems.warnings.slice(warnedBefore) } : {}),
    origins: Object.fromEntries(
      // "<file as shown>" or "<file as shown>#<pointer>"
      [...origins].map(([name, where]) => {
        const at = where.indexOf("#");
        return [name, at < 0 ? { file: where, pointer: "" } : { file: where.slice(0, at), pointer: where.slice(at + 1) }];
      }),
    ),
  };
}

/** The keywords of 2020-12's assertion and applicator vocabularies, which a custom meta-schema may leave out. */
const vocabularyKeywords: Record<string, readonly string[]> = {
  "https://json-schema.org/draft/2020-12/vocab/validation": [
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
    "maxProperties", "minProperties", "required", "dependentRequired",
  ],
  "https://json-schema.org/draft/2020-12/vocab/applicator": [
    "prefixItems", "items", "contains", "additionalProperties", "properties", "patternProperties",
    "dependentSchemas", "propertyNames", "if", "then", "else", "allOf", "anyOf", "oneOf", "not",
  ],
  "https://json-schema.org/draft/2020-12/vocab/unevaluated": ["unevaluatedItems", "unevaluatedProperties"],
};
const knownVocabularies = new Set([
  ...Object.keys(vocabularyKeywords),
  ...["core", "meta-data", "format-annotation", "format-assertion", "content"].map((v) => `https://json-schema.org/draft/2020-12/vocab/${v}`),
]);

interface VersionDialect {
  dialect: Dialect;
  /** Per version file: the keywords its custom meta-schema's $vocabulary leaves out (ignored, as the spec says). */
  ignored: Map<string, ReadonlySet<string>>;
}

/**
 * The dialect of a version: what its files' `$schema` declare, directly or through a custom
 * meta-schema (a file of the version or of a remotes folder, found by its URI) whose own
 * `$schema` is a known dialect; such a meta-schema's `$vocabulary` says which keywords count.
 */
function versionDialect(version: VersionSource, remotes: readonly RemoteDocuments[], problems: Problems): VersionDialect {
  const found = new Set<Dialect>();
  const ignored = new Map<string, ReadonlySet<string>>();
  for (const file of version.files.values()) {
    const declared = isPlainObject(file.json) ? file.json["$schema"] : undefined;
    if (declared === undefined) continue;
    const dialect = typeof declared === "string" ? dialectUris[declared.replace(/#$/, "")] : undefined;
    if (dialect) {
      found.add(dialect);
      continue;
    }
    const meta = typeof declared === "string" ? customMetaSchema(declared, version, remotes) : undefined;
    const metaDialect = meta ? declaredDialect(meta.json) : undefined;
    if (meta && metaDialect) {
      found.add(metaDialect);
      const vocabulary = isPlainObject(meta.json) ? meta.json["$vocabulary"] : undefined;
      if (metaDialect === "2020-12" && isPlainObject(vocabulary)) {
        const unknown = Object.entries(vocabulary).filter(([uri, required]) => required === true && !knownVocabularies.has(uri));
        if (unknown.length > 0) {
          problems.add({
            code: "unsupported",
            file: meta.shown,
            pointer: "/$vocabulary",
            message: `the meta-schema requires vocabularies this tool does not know: ${unknown.map(([uri]) => uri).join(", ")}`,
            hint: "mark them false (optional) if validation does not depend on them",
          });
        }
        const left = Object.entries(vocabularyKeywords).filter(([uri]) => vocabulary[uri] === undefined).flatMap(([, keywords]) => keywords);
        if (left.length > 0) ignored.set(file.rel, new Set(left));
      }
      continue;
    }
    problems.add({
      code: "unsupported",
      file: file.shown,
      pointer: "/$schema",
      message: `unsupported JSON Schema dialect ${JSON.stringify(declared)}`,
      hint: 'use "http://json-schema.org/draft-07/schema#" or "https://json-schema.org/draft/2020-12/schema", or the URI of a meta-schema of the catalogue based on one of them',
    });
  }
  if (found.size > 1) {
    problems.add({
      code: "unsupported",
      file: version.shown,
      message: "the schemas of one version mix draft-07 and 2020-12",
      hint: "declare one $schema for every file of the version",
    });
  }
  return { dialect: found.has("2020-12") ? "2020-12" : "draft-07", ignored };
}

/** A meta-schema the catalogue holds: a version file whose root `$id` is the URI, or a remotes file served at it. */
function customMetaSchema(uri: string, version: VersionSource, remotes: readonly RemoteDocuments[]): { json: unknown; shown: string } | undefined {
  const wanted = normalizeUri(uri.replace(/#$/, ""));
  for (const file of version.files.values()) {
    const id = isPlainObject(file.json) ? file.json["$id"] : undefined;
    if (typeof id === "string" && normalizeUri(resolveUri(id, versionFileUri(file.rel))?.replace(/#$/, "") ?? "") === wanted) return file;
  }
  for (const remote of remotes) {
    if (!wanted.startsWith(remote.prefix)) continue;
    const file = remote.files.get(safeDecode(wanted.slice(remote.prefix.length)));
    if (file) return file;
  }
  return undefined;
}

type RefNamer = (
  ref: string,
  dynamic: boolean,
  from: SchemaDoc,
  at: string,
  base: string,
  context: DynamicContext,
) => string | undefined;

interface Walk {
  doc: SchemaDoc;
  resolver: Resolver;
  refName: RefNamer;
  problems: Problems;
  /** Keywords the document's vocabularies leave out. */
  ignored: ReadonlySet<string>;
}

const noKeywords: ReadonlySet<string> = new Set();

/** What a draft-07 schema with a `$ref` keeps: the spec ignores every other keyword beside it. */
const refAnnotations = new Set(["$ref", "title", "description", "$comment", "default", "examples", "readOnly", "writeOnly", "deprecated"]);

/** Identifiers, dialect and definition containers: resolved here, never seen by the emitters. */
const resolutionKeywords = new Set(["$id", "$schema", "$anchor", "$dynamicAnchor", "$vocabulary", "$recursiveAnchor"]);

/**
 * Deep-copies a schema, rewriting `$ref`s and `$dynamicRef`s to named definitions (resolved
 * against the base URI in effect, `outerBase` around the node and its own `$id` inside) and
 * checking formats.
 */
function rewrite(node: unknown, pointer: string, outerBase: string, outerContext: DynamicContext, walk: Walk): unknown {
  const { doc, resolver, refName, problems } = walk;
  if (typeof node === "boolean") return node;
  if (!isPlainObject(node)) {
    problems.add({
      code: "schema_invalid",
      file: doc.shown,
      pointer,
      message: `a schema must be an object or a boolean, not ${node === null ? "null" : typeof node}`,
    });
    return {};
  }
  const base = resolver.applyId(node, outerBase, doc.dialect);
  let context = outerContext;
  // a subschema with its own $id is a resource the dynamic scope enters
  if (base !== outerBase) {
    for (const name of resolver.dynamicAnchorsOf(base)) {
      if (!context.some(([n]) => n === name)) context = [...context, [name, base]];
    }
  }
  const out: JsonSchema = {};
  // A schema key may be "__proto__" (a property of that name): defined, never assigned.
  const set = (key: string, value: unknown) => {
    if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  };
  const onlyRef = doc.dialect === "draft-07" && typeof node["$ref"] === "string";
  const alsoAll: unknown[] = [];
  for (const [key, value] of Object.entries(node)) {
    const at = joinPointer(pointer, key);
    if (onlyRef && !refAnnotations.has(key)) continue;
    if (resolutionKeywords.has(key) || definitionKeywords.has(key) || walk.ignored.has(key)) continue;
    if (key === "$ref" || (key === "$dynamicRef" && doc.dialect === "2020-12")) {
      if (typeof value !== "string") {
        problems.add({ code: "schema_invalid", file: doc.shown, pointer: at, message: `${key} must be a string` });
        continue;
      }
      const name = refName(value, key === "$dynamicRef", doc, at, base, context);
      if (name === undefined) continue;
      // a schema with both $ref and $dynamicRef must pass both: the second joins allOf
      if (Object.prototype.hasOwnProperty.call(out, "$ref")) alsoAll.push({ $ref: `#/definitions/${name}` });
      else set("$ref", `#/definitions/${name}`);
    } else if (key === "$recursiveRef" && doc.dialect === "2020-12") {
      problems.add({
        code: "unsupported",
        file: doc.shown,
        pointer: at,
        message: "$recursiveRef is draft 2019-09's keyword, not 2020-12's",
        hint: 'use "$dynamicRef" with a "$dynamicAnchor" (2020-12)',
      });
    } else if (key === "format" && typeof value === "string") {
      // an unknown format is not asserted (Ajv's behaviour with strict: false), but said
      if (!supportedFormats.has(value)) {
        problems.warn({
          code: "unsupported",
          file: doc.shown,
          pointer: at,
          message: `format "${value}" is unknown: it is not checked`,
          hint: `checked formats: ${[...supportedFormats].sort().join(", ")}`,
        });
      }
      set(key, value);
    } else if (key === "pattern" && typeof value === "string") {
      set(key, unicodePattern(value, doc.shown, at, problems));
    } else if (singleSchemaKeywords.has(key) && (isPlainObject(value) || typeof value === "boolean")) {
      set(key, rewrite(value, at, base, context, walk));
    } else if (schemaArrayKeywords.has(key) && Array.isArray(value)) {
      set(key, value.map((v, i) => rewrite(v, joinPointer(at, i), base, context, walk)));
    } else if (schemaMapKeywords.has(key) && isPlainObject(value)) {
      set(key, Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          // draft-07 "dependencies" may list property names instead of a schema
          Array.isArray(v) ? v : rewrite(v, joinPointer(at, k), base, context, walk),
        ]),
      ));
    } else {
      set(key, value);
    }
  }
  if (alsoAll.length > 0) set("allOf", [...(Array.isArray(out["allOf"]) ? out["allOf"] : []), ...alsoAll]);
  return out;
}

/**
 * Validators compile patterns as Unicode regular expressions (flag u), where escaping a
 * character that needs no escape, such as \" in Plain's older email pattern, is a syntax
 * error. Without the flag such an escape means the character itself, so dropping the
 * backslash keeps the pattern's meaning and lets it compile with the flag.
 */
function unicodePattern(pattern: string, shown: string, at: string, problems: Problems): string {
  if (compiles(pattern, "u")) return pattern;
  const relaxed = pattern.replace(/\\(.)/gsu, (escape, char: string) =>
    /[\^$\\.*+?()[\]{}|\/\-A-Za-z0-9]/.test(char) ? escape : char,
  );
  if (compiles(relaxed, "u") && compiles(pattern, "")) return relaxed;
  problems.add({
    code: "schema_invalid",
    file: shown,
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

/** A definition is named by its title, else by where it sits, else by its file. */
function definitionName(rel: string, pointer: string, node: unknown): string {
  const title = isPlainObject(node) ? node["title"] : undefined;
  if (typeof title === "string" && /[A-Za-z]/.test(title)) return pascalCase(title);
  // an OpenAPI document's shared schemas are named by their key, as definitions are
  const segments = pointerSegments(pointer.startsWith("/components/schemas/") ? pointer.slice("/components".length) : pointer).filter((s) => !definitionKeywords.has(s) && s !== "properties");
  if (segments.length > 0) return pascalCase(segments.join(" "));
  return pascalCase(path.posix.basename(rel).replace(/(\.schema)?\.json$/, ""));
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
  if (manifest.event.in !== "body") {
    // a header-named event is its file's name; with refine, a name <header>.<value> must end
    // with a value the schema pins there (the header's value may itself contain ".")
    const refine = manifest.event.refine;
    if (refine !== undefined && event.includes(".")) {
      const values = valuesAt(definitions[typeName], pointerSegments(refine), byName(definitions), 0);
      if (values !== undefined && values.length > 0 && !values.some((value) => event.endsWith(`.${value}`))) {
        problems.add({
          code: "name_invalid",
          file: shown,
          message: `the file is named for event "${event}" but the schema pins ${refine} to ${values.map((v) => JSON.stringify(v)).join(", ")}`,
          hint: `name the file <${manifest.event.name} value>.<${refine} value>.schema.json`,
        });
      }
    }
    return [event];
  }
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
  const resolve: Resolve = (ref) => (ref.startsWith("#") ? nodeAt(file.json, safeDecode(ref.slice(1))) : undefined);
  if (manifest.event.in !== "body") return splitHeaderBundle(file, manifest.event, resolve, problems);
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

/** Keywords of a combined document's root (or of an event's union) that say nothing about a payload. */
const wrapperOnly = new Set(["$schema", "$id", "$comment", "title", "description", "definitions", "$defs"]);

/**
 * Splits a combined document of a provider that names its events in a header (octokit's
 * schema.json): the root's anyOf/oneOf has one `$ref` per header value, the value read from the
 * referenced definition's name by the manifest's `event.definition` pattern (check_run_event is
 * check_run). With `refine`, a branch whose schema pins one refine value is that one event
 * (check_run.completed); one that pins several must be a union whose branches pin one each, and
 * is split into them; one that pins none is the header's value alone (push). An event is the
 * definition its branch refers to, so its type keeps the document's definition; where the root or
 * the union says more than annotations, the event is that schema with its union replaced by the branch.
 */
function splitHeaderBundle(file: SourceFile, event: HeaderEventLocation, resolve: Resolve, problems: Problems): EventSource[] {
  const fail = (message: string, pointer?: string, hint?: string): EventSource[] => {
    problems.add({ code: "schema_invalid", file: file.shown, ...(pointer !== undefined ? { pointer } : {}), message, ...(hint ? { hint } : {}) });
    return [];
  };
  if (event.definition === undefined) {
    return fail(
      `the provider names events in the ${event.name} header, and the manifest does not say how to read its value from the document`,
      undefined,
      "set the manifest's event.definition to a pattern whose first group reads the header's value from the name of the definition each branch of the root's anyOf/oneOf refers to",
    );
  }
  const pattern = new RegExp(event.definition);
  const root = resolveRefs(file.json, "", resolve);
  const keyword = ["anyOf", "oneOf"].find((k) => isPlainObject(root.node) && Array.isArray(root.node[k]) && root.node[k].length > 0);
  if (keyword === undefined || !isPlainObject(root.node)) return fail("the document's root has no anyOf/oneOf of the events' schemas to split");
  const rootWrapper = wrapperOf(root.node, keyword);
  const events: EventSource[] = [];
  for (const [i, branch] of (root.node[keyword] as unknown[]).entries()) {
    const at = `${root.at}/${keyword}/${i}`;
    const ref = isPlainObject(branch) && typeof branch["$ref"] === "string" && branch["$ref"].startsWith("#") ? branch["$ref"] : undefined;
    const match = ref === undefined ? null : pattern.exec(pointerSegments(safeDecode(ref.slice(1))).pop() ?? "");
    if (ref === undefined || match === null || !match[1]) {
      fail(
        `the branch is not a $ref to a definition whose name the manifest's event.definition (${event.definition}) reads a ${event.name} value from`,
        at,
        "every branch of the root's union must refer to one definition per header value",
      );
      continue;
    }
    const header = spellHeaderValue(match[1], event.spelling);
    const target = resolveRefs(branch, at, resolve);
    const wrappers = rootWrapper ? [rootWrapper] : [];
    if (event.refine === undefined) {
      events.push(eventFrom(header, file, target.at, at, wrappers));
      continue;
    }
    const segments = pointerSegments(event.refine);
    const values = [...new Set(valuesAt(target.node, segments, resolve, 0) ?? [])];
    if (values.length <= 1) {
      events.push(eventFrom(values.length === 1 ? `${header}.${values[0]}` : header, file, target.at, at, wrappers));
      continue;
    }
    const union = ["anyOf", "oneOf"].find((k) => isPlainObject(target.node) && Array.isArray(target.node[k]));
    const branches = union === undefined ? [] : ((target.node as JsonSchema)[union] as unknown[]);
    const each = branches.map((b) => [...new Set(valuesAt(b, segments, resolve, 0) ?? [])]);
    if (union === undefined || !each.every((v) => v.length === 1) || new Set(each.map((v) => v[0])).size !== each.length) {
      fail(
        `the schema of ${header} pins ${event.refine} to ${values.length} values (${values.sort(compare).join(", ")}) but is no anyOf/oneOf whose branches pin one each`,
        target.at,
        "give each action a schema of its own, and the event the union of them",
      );
      continue;
    }
    const inner = wrapperOf(target.node as JsonSchema, union);
    for (const [j, actionBranch] of branches.entries()) {
      const branchAt = `${target.at}/${union}/${j}`;
      events.push(eventFrom(`${header}.${each[j]![0]}`, file, resolveRefs(actionBranch, branchAt, resolve).at, branchAt, inner ? [...wrappers, inner] : wrappers));
    }
  }
  return events;
}

/** A node with its local `$ref`s followed, and the pointer where it is. */
function resolveRefs(node: unknown, at: string, resolve: Resolve): { node: unknown; at: string } {
  for (let hops = 0; isPlainObject(node) && typeof node["$ref"] === "string" && node["$ref"].startsWith("#") && hops < 32; hops++) {
    at = safeDecode(node["$ref"].slice(1));
    node = resolve(node["$ref"]);
  }
  return { node, at };
}

/** What a schema says beside its union `keyword`, if it says more than annotations and definitions. */
function wrapperOf(schema: JsonSchema, keyword: string): JsonSchema | undefined {
  const rest = withoutKey(schema, keyword);
  return Object.keys(rest).every((key) => wrapperOnly.has(key)) ? undefined : rest;
}

/**
 * One event of a combined document: the schema at `pointer`; where schemas wrap it, those
 * schemas around a `$ref` to it, named after the union branch at `branch`.
 */
function eventFrom(name: string, file: SourceFile, pointer: string, branch: string, wrappers: JsonSchema[]): EventSource {
  if (wrappers.length === 0) return { name, file, pointer };
  const ref: JsonSchema = { $ref: `#${pointer.split("/").map(encodeURIComponent).join("/")}` };
  return { name, file, pointer: branch, node: wrappers.reduceRight<JsonSchema>((inner, wrapper) => ({ ...wrapper, allOf: [inner] }), ref) };
}

/**
 * The events of an OpenAPI document (converted by `src/load/openapi.ts`): each operation found
 * (webhook, `x-webhooks`, callback) whose request body has a JSON schema, named by the one event
 * name that schema pins at the manifest's body pointer, else by the operation (operationId or
 * key). A document without such operations (an export that lists only `components/schemas`, as
 * AgentMail's does) has for events the component schemas that each pin one name at the pointer.
 */
function openApiEvents(file: SourceFile, operations: OpenApiOperation[], manifest: Manifest, problems: Problems): EventSource[] {
  const resolve: Resolve = (ref) => (ref.startsWith("#") ? nodeAt(file.json, safeDecode(ref.slice(1))) : undefined);
  const segments = manifest.event.in === "body" ? pointerSegments(manifest.event.pointer) : undefined;
  const pinned = (schema: unknown): string[] => (segments ? [...new Set(valuesAt(schema, segments, resolve, 0) ?? [])] : []);
  if (operations.length > 0 && manifest.event.in === "header") {
    const event = manifest.event;
    return operations.flatMap((operation): EventSource[] => {
      const name = headerEventName(file, operation, event, resolve, problems);
      return name === undefined ? [] : [{ name, file, pointer: operation.pointer }];
    });
  }
  if (operations.length > 0) {
    return operations.flatMap((operation): EventSource[] => {
      const names = pinned(nodeAt(file.json, operation.pointer));
      if (names.length > 1) {
        problems.add({
          code: "schema_invalid",
          file: file.shown,
          pointer: operation.pointer,
          message: `the request body of "${operation.operation}" pins ${names.length} event names at ${manifest.event.in === "body" ? manifest.event.pointer : ""} (${names.sort(compare).join(", ")})`,
          hint: "give each event a webhook of its own, or publish the union as a *.bundle.json",
        });
        return [];
      }
      return [{ name: names[0] ?? operation.operation, file, pointer: operation.pointer }];
    });
  }
  const components = isPlainObject(file.json) ? file.json["components"] : undefined;
  const schemas = isPlainObject(components) && isPlainObject(components["schemas"]) ? components["schemas"] : {};
  const events: EventSource[] = [];
  for (const key of Object.keys(schemas).sort(compare)) {
    const names = pinned(schemas[key]);
    if (names.length === 1) events.push({ name: names[0]!, file, pointer: joinPointer("/components/schemas", key) });
  }
  if (events.length === 0) {
    problems.add({
      code: "schema_invalid",
      file: file.shown,
      message: `the OpenAPI document has no webhook (webhooks, x-webhooks, callbacks) with an application/json request body${segments ? `, and no components/schemas entry pins one event name at ${manifest.event.in === "body" ? manifest.event.pointer : ""}` : ""}`,
      hint: "describe each event as a webhook whose request body is its payload's schema",
    });
  }
  return events;
}

/**
 * The event name of one webhook of a provider that names its events in a header: the header's
 * value, which the operation says by the string at the manifest's `event.operation` pointer
 * (GitHub's /x-github/subcategory, spelt as the header does by `event.spelling`) or by its
 * header parameter of that name pinning one value
 * (`const`, or an `enum` of one); with `refine`, followed by "." and the one value the request
 * body pins at the refining pointer (pull_request + opened is pull_request.opened). An operation
 * that says neither is a problem: its deliveries could never be recognised.
 */
function headerEventName(
  file: SourceFile,
  operation: OpenApiOperation,
  event: HeaderEventLocation,
  resolve: Resolve,
  problems: Problems,
): string | undefined {
  const node = nodeAt(file.json, operation.at);
  const named = event.operation !== undefined ? nodeAt(node, event.operation) : undefined;
  let header: unknown = typeof named === "string" ? spellHeaderValue(named, event.spelling) : named;
  if (header === undefined && isPlainObject(node) && Array.isArray(node["parameters"])) {
    for (let parameter of node["parameters"]) {
      for (let hops = 0; isPlainObject(parameter) && typeof parameter["$ref"] === "string" && hops < 8; hops++) parameter = resolve(parameter["$ref"]);
      if (!isPlainObject(parameter) || parameter["in"] !== "header" || typeof parameter["name"] !== "string") continue;
      if (parameter["name"].toLowerCase() !== event.name.toLowerCase() || !isPlainObject(parameter["schema"])) continue;
      const schema = parameter["schema"];
      const values = "const" in schema ? [schema["const"]] : Array.isArray(schema["enum"]) ? schema["enum"] : [];
      if (values.length === 1) header = values[0];
    }
  }
  if (typeof header !== "string" || header === "") {
    problems.add({
      code: "schema_invalid",
      file: file.shown,
      pointer: operation.at,
      message: `the webhook "${operation.operation}" does not say which ${event.name} value it is sent with`,
      hint: `give its ${event.name} header parameter a "const", or set the manifest's event.operation to the pointer inside each operation that holds it (GitHub: "/x-github/subcategory")`,
    });
    return undefined;
  }
  if (event.refine === undefined) return header;
  const refinements = [...new Set(valuesAt(nodeAt(file.json, operation.pointer), pointerSegments(event.refine), resolve, 0) ?? [])];
  if (refinements.length > 1) {
    problems.add({
      code: "schema_invalid",
      file: file.shown,
      pointer: operation.pointer,
      message: `the request body of "${operation.operation}" pins ${event.refine} to ${refinements.length} values (${refinements.sort(compare).join(", ")}): it is not one event`,
      hint: "give each action a webhook of its own",
    });
    return undefined;
  }
  return refinements.length === 1 ? `${header}.${refinements[0]}` : header;
}

/**
 * A copy of `root` in which the node at `path` (keys, refs followed) is `replacement`. The
 * other inline schemas beside the path (an envelope's `type` enum, say) become `$ref`s to where
 * they are in the document, so every event shares one definition of them instead of a copy each.
 */
function replaceAt(root: unknown, path: string[], resolve: Resolve, replacement: JsonSchema, at = ""): JsonSchema {
  let node = root;
  for (let hops = 0; isPlainObject(node) && typeof node["$ref"] === "string" && hops < 32; hops++) {
    at = node["$ref"].startsWith("#") ? safeDecode(node["$ref"].slice(1)) : at;
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

function hashSources(manifestText: string, version: VersionSource, remotes: SchemaDoc[]): string {
  const hash = createHash("sha256");
  hash.update(`provider.json\0${manifestText}\0`);
  for (const rel of [...version.files.keys()].sort(compare)) hash.update(`${rel}\0${version.files.get(rel)!.text}\0`);
  for (const doc of [...remotes].sort((a, b) => compare(a.uri, b.uri))) hash.update(`${doc.uri}\0${doc.text}\0`);
  return `sha256:${hash.digest("hex").slice(0, 16)}`;
}

