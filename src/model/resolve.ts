import { readFileSync } from "node:fs";
import path from "node:path";
import { joinPointer } from "../errors.js";
import { isPlainObject } from "../json.js";
import { pointerSegments } from "../load/manifest.js";
import { packageRoot } from "../paths.js";
import { definitionKeywords, schemaArrayKeywords, schemaMapKeywords, singleSchemaKeywords } from "./schema-walk.js";
import { hasScheme, normalizeUri, resolveUri, splitFragment } from "./uri.js";

/**
 * Where a `$ref` leads, as the JSON Schema specs define it (draft-07 and 2020-12): every
 * schema document the version can reach is indexed by the URIs it declares (`$id`, draft-07's
 * `"$id": "#name"`, `$anchor`, `$dynamicAnchor`), and a reference is resolved, RFC 3986, against
 * the base URI in effect where it is written, then looked up by URI and fragment (a JSON
 * pointer from the resource's root, or an anchor name).
 *
 * A document is one of: a file of the version (identified by its path under
 * `catalogue:/version/`), a file of a folder the manifest maps to a URI prefix (`remotes`), or a
 * dialect meta-schema shipped in meta/dialects/. Documents other than the version's files are
 * indexed when a reference first needs them, so an unused remote changes nothing.
 */
export type Dialect = "draft-07" | "2020-12";

export interface SchemaDoc {
  /** Unique among the documents of one version. */
  key: string;
  /** Retrieval URI: the base of the document's root. */
  uri: string;
  /** Shown in problems. */
  shown: string;
  /** A path-like name, for naming its definitions by file. */
  rel: string;
  json: unknown;
  text: string;
  /** The dialect the document declares by `$schema`, if it declares a known one. */
  declared?: Dialect;
  /** The dialect its keywords are read in: the declared one, else the version's. */
  dialect: Dialect;
  kind: "version" | "remote" | "meta";
  /** Whether its text may declare an identifier at all ($id, $anchor, $dynamicAnchor); when not, nothing needs indexing. */
  hasIds?: boolean;
}

export interface Location {
  doc: SchemaDoc;
  /** JSON pointer from the document's root. */
  pointer: string;
}

export interface Target extends Location {
  node: unknown;
  /** The `$dynamicAnchor` the reference named by its fragment, if it did (a `$dynamicRef` to it is dynamic). */
  dynamicAnchor?: string;
}

export type Resolution = { ok: true; target: Target } | { ok: false; message: string; hint?: string };

/** A remotes folder: documents retrievable under a URI prefix. */
export interface RemoteDocuments {
  prefix: string;
  /** The folder, as shown in messages. */
  shown: string;
  /** Files by path relative to the folder. */
  files: Map<string, { shown: string; text: string; json: unknown }>;
}

export const versionBase = "catalogue:/version/";

export const dialectUris: Record<string, Dialect> = {
  "http://json-schema.org/draft-07/schema": "draft-07",
  "https://json-schema.org/draft-07/schema": "draft-07",
  "https://json-schema.org/draft/2020-12/schema": "2020-12",
};

/** The meta-schemas shipped in meta/dialects/, by URI. */
const metaSchemaFiles: Record<string, string> = {
  "http://json-schema.org/draft-07/schema": "draft-07.json",
  "https://json-schema.org/draft/2020-12/schema": "2020-12/schema.json",
  ...Object.fromEntries(
    ["core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "content"].map((v) => [
      `https://json-schema.org/draft/2020-12/meta/${v}`,
      `2020-12/meta/${v}.json`,
    ]),
  ),
};

const metaSchemaTexts = new Map<string, string>();
function metaSchemaText(file: string): string {
  let text = metaSchemaTexts.get(file);
  if (text === undefined) {
    text = readFileSync(path.join(packageRoot, "meta", "dialects", file), "utf8");
    metaSchemaTexts.set(file, text);
  }
  return text;
}

export function declaredDialect(json: unknown): Dialect | undefined {
  const declared = isPlainObject(json) ? json["$schema"] : undefined;
  return typeof declared === "string" ? dialectUris[declared.replace(/#$/, "")] : undefined;
}

/** The URI of a version file: its path, each segment percent-encoded. */
export function versionFileUri(rel: string): string {
  return versionBase + rel.split("/").map(encodeURIComponent).join("/");
}

const noNames: readonly string[] = [];

interface Anchor extends Location {
  dynamic: boolean;
}

export class Resolver {
  /** Resource URI (no fragment) → its root. */
  private readonly resources = new Map<string, Location>();
  /** "<resource>#<name>" → the schema holding the anchor. */
  private readonly anchors = new Map<string, Anchor>();
  /** Resource URI → the `$dynamicAnchor` names it declares. */
  private readonly dynamicNames = new Map<string, string[]>();
  private readonly docs = new Map<string, SchemaDoc>();
  /** Two schemas declaring one URI: the first is the one references reach. */
  readonly duplicates: { uri: string; first: Location; second: Location }[] = [];
  /** The absolute `$id`s the version's own files declare, for messages. */
  readonly declaredIds: string[] = [];

  constructor(
    /** The version folder as shown in messages. */
    private readonly versionShown: string,
    private readonly dialect: Dialect,
    versionFiles: Iterable<{ rel: string; shown: string; text: string; json: unknown }>,
    private readonly remotes: readonly RemoteDocuments[],
  ) {
    for (const file of versionFiles) {
      const declared = declaredDialect(file.json);
      this.index({
        key: `version:${file.rel}`,
        uri: versionFileUri(file.rel),
        shown: file.shown,
        rel: file.rel,
        json: file.json,
        text: file.text,
        ...(declared ? { declared } : {}),
        dialect: declared ?? dialect,
        kind: "version",
      });
    }
    for (const uri of this.resources.keys()) if (!uri.startsWith(versionBase)) this.declaredIds.push(uri);
    this.declaredIds.sort();
  }

  /** Every document indexed so far (the version's files, and the others references reached). */
  documents(): SchemaDoc[] {
    return [...this.docs.values()];
  }

  versionDoc(rel: string): SchemaDoc | undefined {
    return this.docs.get(`version:${rel}`);
  }

  /** Whether any document indexed so far declares a `$dynamicAnchor`. */
  hasDynamicAnchors(): boolean {
    return this.dynamicNames.size > 0;
  }

  /** The dynamic anchor names a resource declares. */
  dynamicAnchorsOf(resource: string): readonly string[] {
    if (this.dynamicNames.size === 0) return noNames;
    return this.dynamicNames.get(normalizeUri(resource)) ?? noNames;
  }

  /**
   * The base URI a schema's own `$id` sets, given the base in effect around it (the same URI
   * when it has none). Draft-07 ignores every sibling of `$ref`, `$id` included.
   */
  applyId(node: unknown, base: string, dialect: Dialect): string {
    if (!isPlainObject(node)) return base;
    const id = node["$id"];
    if (typeof id !== "string") return base;
    if (dialect === "draft-07" && typeof node["$ref"] === "string") return base;
    if (id.startsWith("#")) return base;
    const resolved = resolveUri(id, base);
    return resolved === undefined ? base : splitFragment(resolved).resource;
  }

  /** The base URI in effect at a location, the node's own `$id` included. */
  baseAt(doc: SchemaDoc, pointer: string): string {
    if (!doc.hasIds) return doc.uri;
    const key = `${doc.key}#${pointer}`;
    let base = this.bases.get(key);
    if (base === undefined) {
      base = this.computeBaseAt(doc, pointer);
      this.bases.set(key, base);
    }
    return base;
  }

  private computeBaseAt(doc: SchemaDoc, pointer: string): string {
    let base = doc.uri;
    let node = doc.json;
    base = this.applyId(node, base, doc.dialect);
    for (const segment of pointerSegments(pointer)) {
      if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(segment)) node = node[Number(segment)];
      else if (isPlainObject(node) && Object.prototype.hasOwnProperty.call(node, segment)) node = node[segment];
      else return base;
      base = this.applyId(node, base, doc.dialect);
    }
    return base;
  }

  /** The base URI around a location: what its parent's base is (its own `$id` not applied). */
  outerBaseAt(doc: SchemaDoc, pointer: string): string {
    if (pointer === "") return doc.uri;
    return this.baseAt(doc, pointer.slice(0, pointer.lastIndexOf("/")));
  }

  private readonly resolved = new Map<string, Resolution>();
  private readonly bases = new Map<string, string>();

  /** Resolves a reference written where `base` is the base URI (a success is remembered). */
  resolve(ref: string, base: string): Resolution {
    const key = `${base}\0${ref}`;
    const known = this.resolved.get(key);
    if (known) return known;
    const resolution = this.resolveOnce(ref, base);
    if (resolution.ok) this.resolved.set(key, resolution);
    return resolution;
  }

  private resolveOnce(ref: string, base: string): Resolution {
    const absolute = resolveUri(ref, base);
    if (absolute === undefined) {
      return { ok: false, message: `cannot be resolved against the base URI ${shownUri(base)}` };
    }
    const { resource: rawResource, fragment: rawFragment } = splitFragment(absolute);
    const resource = normalizeUri(rawResource);
    let fragment: string;
    try {
      fragment = decodeURIComponent(rawFragment);
    } catch {
      return { ok: false, message: `its fragment "#${rawFragment}" is not valid percent-encoding` };
    }
    if (resource.startsWith("catalogue:") && !resource.startsWith(versionBase)) {
      return {
        ok: false,
        message: "leaves the version folder",
        hint: "a version's schemas may refer only to files of the same version, remotes the manifest maps, and the dialect meta-schemas",
      };
    }
    const root = this.resources.get(resource) ?? this.load(resource);
    if (root === undefined) return { ok: false, ...this.notFound(ref, resource, base) };
    if (fragment === "" || fragment.startsWith("/")) {
      const pointer = root.pointer + fragment;
      const node = nodeAt(root.doc.json, pointer);
      if (node === undefined) {
        return { ok: false, message: `nothing at ${fragment || "the root"} of ${shownUri(resource)} (${root.doc.shown})` };
      }
      return { ok: true, target: { doc: root.doc, pointer, node } };
    }
    const anchor = this.anchors.get(`${resource}#${fragment}`);
    if (anchor === undefined) {
      const known = [...this.anchors.keys()].filter((k) => k.startsWith(`${resource}#`)).map((k) => k.slice(resource.length));
      return {
        ok: false,
        message: `no anchor "${fragment}" in ${shownUri(resource)}${known.length ? ` (it declares ${known.sort().join(", ")})` : ""}`,
        hint: 'a plain-name fragment names a "$anchor" (2020-12) or an "$id": "#name" (draft-07) of that resource',
      };
    }
    const target: Target = { doc: anchor.doc, pointer: anchor.pointer, node: nodeAt(anchor.doc.json, anchor.pointer) };
    return { ok: true, target: anchor.dynamic ? { ...target, dynamicAnchor: fragment } : target };
  }

  /** The location a `$dynamicAnchor` of a resource names. */
  dynamicAnchor(resource: string, name: string): Target | undefined {
    const anchor = this.anchors.get(`${normalizeUri(resource)}#${name}`);
    if (!anchor || !anchor.dynamic) return undefined;
    return { doc: anchor.doc, pointer: anchor.pointer, node: nodeAt(anchor.doc.json, anchor.pointer), dynamicAnchor: name };
  }

  private notFound(ref: string, resource: string, base: string): { message: string; hint?: string } {
    const against = hasScheme(ref) ? "" : ` (resolved against the base URI ${shownUri(base)})`;
    if (resource.startsWith(versionBase)) {
      return { message: `file ${this.versionShown}/${safeDecode(resource.slice(versionBase.length))} not found${against}` };
    }
    const serving = this.remotes.filter((r) => resource.startsWith(r.prefix));
    if (serving.length > 0) {
      const rel = safeDecode(resource.slice(serving[0]!.prefix.length));
      return {
        message: `${shownUri(resource)}${against}: no file ${rel} in ${serving.map((r) => r.shown).join(" or ")} (the manifest's remotes serve ${serving[0]!.prefix} from there)`,
      };
    }
    const ids = this.declaredIds;
    const declared = ids.length === 0 ? "none" : ids.slice(0, 20).join(", ") + (ids.length > 20 ? ` and ${ids.length - 20} more` : "");
    const mapped = this.remotes.map((r) => r.prefix);
    return {
      message: `${shownUri(resource)}${against} is not a schema of the version: remote references are not fetched`,
      hint:
        `the version's files declare these $ids: ${declared}` +
        (mapped.length ? `; the manifest's remotes map ${mapped.join(", ")}` : "; a manifest's \"remotes\" can map a URI prefix to a folder of the catalogue") +
        "; the draft-07 and 2020-12 meta-schemas are built in",
    };
  }

  /** Indexes the remote or meta-schema document retrieved by this URI, if there is one. */
  private load(resource: string): Location | undefined {
    for (const remote of this.remotes) {
      if (!resource.startsWith(remote.prefix)) continue;
      let rel: string;
      try {
        rel = decodeURIComponent(resource.slice(remote.prefix.length));
      } catch {
        continue;
      }
      const file = remote.files.get(rel);
      if (!file) continue;
      const declared = declaredDialect(file.json);
      this.index({
        key: `remote:${resource}`,
        uri: resource,
        shown: file.shown,
        rel,
        json: file.json,
        text: file.text,
        ...(declared ? { declared } : {}),
        dialect: declared ?? this.dialect,
        kind: "remote",
      });
      return this.resources.get(resource);
    }
    const metaFile = metaSchemaFiles[resource];
    if (metaFile !== undefined) {
      const text = metaSchemaText(metaFile);
      const json = JSON.parse(text) as unknown;
      const declared = declaredDialect(json)!;
      this.index({
        key: `meta:${resource}`,
        uri: resource,
        shown: resource,
        rel: metaFile,
        json,
        text,
        declared,
        dialect: declared,
        kind: "meta",
      });
      return this.resources.get(resource);
    }
    return undefined;
  }

  private index(doc: SchemaDoc): void {
    this.docs.set(doc.key, doc);
    this.addResource(doc.uri, { doc, pointer: "" });
    // "$" may also be written \u0024 in JSON text
    doc.hasIds = /\$id|\$anchor|\$dynamicAnchor|\\u0024/i.test(doc.text);
    if (!doc.hasIds) return;
    const walk = (node: unknown, pointer: string, outer: string): void => {
      if (!isPlainObject(node)) return;
      const base = this.applyId(node, outer, doc.dialect);
      if (base !== outer) this.addResource(base, { doc, pointer });
      const id = node["$id"];
      if (doc.dialect === "draft-07" && typeof id === "string" && typeof node["$ref"] !== "string") {
        // draft-07 also names a schema by a fragment id: "#foo", or "other.json#foo"
        const resolved = resolveUri(id, outer);
        const fragment = resolved === undefined ? "" : splitFragment(resolved).fragment;
        if (fragment !== "" && !fragment.startsWith("/")) this.addAnchor(base, safeDecode(fragment), { doc, pointer, dynamic: false });
      }
      if (doc.dialect === "2020-12") {
        const anchor = node["$anchor"];
        if (typeof anchor === "string") this.addAnchor(base, anchor, { doc, pointer, dynamic: false });
        const dynamic = node["$dynamicAnchor"];
        if (typeof dynamic === "string") {
          this.addAnchor(base, dynamic, { doc, pointer, dynamic: true });
          const names = this.dynamicNames.get(normalizeUri(base)) ?? [];
          if (!names.includes(dynamic)) names.push(dynamic);
          this.dynamicNames.set(normalizeUri(base), names);
        }
      }
      for (const [key, value] of Object.entries(node)) {
        const at = joinPointer(pointer, key);
        if (singleSchemaKeywords.has(key)) walk(value, at, base);
        if (schemaArrayKeywords.has(key) && Array.isArray(value)) value.forEach((v, i) => walk(v, joinPointer(at, i), base));
        if ((schemaMapKeywords.has(key) || definitionKeywords.has(key)) && isPlainObject(value)) {
          for (const [k, v] of Object.entries(value)) walk(v, joinPointer(at, k), base);
        }
      }
    };
    walk(doc.json, "", doc.uri);
    // an OpenAPI document is no schema: its Schema Objects sit in components and in media types
    for (const [pointer, node] of openApiSchemas(doc.json)) walk(node, pointer, doc.uri);
  }

  private addResource(uri: string, location: Location): void {
    const key = normalizeUri(uri);
    const previous = this.resources.get(key);
    if (!previous) this.resources.set(key, location);
    else if (previous.doc !== location.doc || previous.pointer !== location.pointer) {
      this.duplicates.push({ uri: key, first: previous, second: location });
    }
  }

  private addAnchor(resource: string, name: string, anchor: Anchor): void {
    const key = `${normalizeUri(resource)}#${name}`;
    const previous = this.anchors.get(key);
    // a $dynamicAnchor is also a plain anchor; an $anchor of the same name in the same resource is an error we do not diagnose
    if (!previous) this.anchors.set(key, anchor);
  }
}

/** Percent-decoded text, or the text as it is when it is not valid percent-encoding. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A URI as the user wrote it: version files by their path. */
export function shownUri(uri: string): string {
  return uri.startsWith(versionBase) ? safeDecode(uri.slice(versionBase.length)) || "the version folder" : uri;
}

export function nodeAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(segment)) node = node[Number(segment)];
    else if (isPlainObject(node) && Object.prototype.hasOwnProperty.call(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

/**
 * The Schema Objects of an OpenAPI document (its root names the "openapi" version) that the
 * identifier walk starts from: every `components/schemas` entry and every `schema` of a media
 * type, parameter or header elsewhere in the document. Any other document has none.
 */
function openApiSchemas(json: unknown): [pointer: string, node: unknown][] {
  if (!isPlainObject(json) || typeof json["openapi"] !== "string") return [];
  const found: [string, unknown][] = [];
  const scan = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) return node.forEach((v, i) => scan(v, joinPointer(pointer, i)));
    if (!isPlainObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const at = joinPointer(pointer, key);
      if (key === "example" || key === "examples") continue; // data
      if (key === "schema" && isPlainObject(value)) found.push([at, value]);
      else if (pointer === "/components" && key === "schemas" && isPlainObject(value)) {
        for (const [name, schema] of Object.entries(value)) found.push([joinPointer(at, name), schema]);
      } else scan(value, at);
    }
  };
  scan(json, "");
  return found;
}
