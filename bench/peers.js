// The peers' validators, set up on the same versions the bench measures (see run.js):
//
//   (e) @exodus/schemasafe: `validator(document, { includeErrors: true, allErrors: false,
//       isJSON: true })`, default mode (it refuses keywords it does not know; none of Plain's or
//       AgentMail's documents needed another option). Its own formats (date-time with the
//       calendar checked, email, uri, uuid, …) and the schemas' patterns are checked; on a
//       failure it makes the first error, as Ajv (b) does. isJSON: the input is parsed JSON.
//   (f) TypeBox's TypeCompiler (@sinclair/typebox): TypeBox compiles its own schemas, which are
//       JSON Schema with a Kind symbol on each node; the document is given to it as that: the
//       same keywords, each node tagged with the Kind its keywords make (an object, a string,
//       anyOf a Union, allOf or several kinds at once an Intersect, a $ref a Ref), the nodes
//       the $refs point at as its references. A keyword TypeBox has no kind for stops
//       the version with its name (it is then listed as skipped). The formats are registered in
//       TypeBox's FormatRegistry with ajv-formats' functions, the ones Ajv (b) and ours check
//       (a format ajv-formats does not have is accepted, as Ajv with strict: false does). It
//       counts string lengths in UTF-16 units (JSON Schema counts code points) and returns a
//       boolean without errors.
//   (g) typia: `typia.createIs<Event>()` over the TypeScript types `codegen` generated for the
//       version, turned into code by typia's own generator (`typia generate`) in the bench's
//       work directory and transpiled by TypeScript. Types only: no formats, no patterns, no
//       lengths, extra properties allowed (a reference for the cost of checking shapes alone).
//
// A peer that cannot be set up on a version, or throws on one of its payloads, is left out of
// that version's rows and listed in the bench's "Skipped" with the reason.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

export const peerNames = {
  schemasafe: "(e) schemasafe",
  typebox: "(f) TypeBox TypeCompiler",
  typia: "(g) typia is<T> (types only)",
};

const firstLine = (error) => String(error?.message ?? error).split("\n")[0];

// ---------------------------------------------------------------------------------------
// (e) schemasafe

function schemasafe(document) {
  const { validator } = require("@exodus/schemasafe");
  return validator(document, { includeErrors: true, allErrors: false, isJSON: true });
}

// ---------------------------------------------------------------------------------------
// (f) TypeBox: the document's nodes tagged with TypeBox's kinds.

const annotations = new Set(["title", "description", "default", "examples", "$schema", "$comment", "deprecated", "readOnly", "writeOnly", "definitions"]);
const byType = {
  string: ["minLength", "maxLength", "pattern", "format"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  integer: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  object: ["properties", "required", "additionalProperties", "minProperties", "maxProperties"],
  array: ["items", "minItems", "maxItems", "uniqueItems"],
  boolean: [],
  null: [],
};
const kinds = { string: "String", number: "Number", integer: "Integer", object: "Object", array: "Array", boolean: "Boolean", null: "Null" };
const typed = new Set(Object.values(byType).flat());

function typeBoxKinds(document) {
  const { Kind, FormatRegistry } = require("@sinclair/typebox");
  const tag = (kind, rest = {}) => ({ ...rest, [Kind]: kind });
  const literal = (value, at) => {
    if (value === null) return tag("Null", { type: "null" });
    if (["string", "number", "boolean"].includes(typeof value)) return tag("Literal", { const: value });
    throw new Error(`an enum or const value that is not a string, number, boolean or null, at ${at}`);
  };
  const union = (members) => (members.length === 1 ? members[0] : tag("Union", { anyOf: members }));

  // every node a $ref points at (a definition, or a JSON pointer into one), once, by its pointer
  const references = new Map();
  function reference(ref, at) {
    if (!ref.startsWith("#/")) throw new Error(`a $ref outside the document (${ref}), at ${at}`);
    const id = ref.slice(2);
    if (!references.has(id)) {
      references.set(id, undefined);
      const keys = id.split("/").map((k) => decodeURIComponent(k).replace(/~1/g, "/").replace(/~0/g, "~"));
      const target = keys.reduce((node, key) => (node !== null && typeof node === "object" ? node[key] : undefined), document);
      if (target === undefined) throw new Error(`a $ref to nothing (${ref}), at ${at}`);
      references.set(id, { ...convert(target, ref), $id: id });
    }
    return tag("Ref", { $ref: id });
  }

  function convert(node, at) {
    if (node === true) return tag("Unknown");
    if (node === false) return tag("Never", { not: {} });
    const keys = Object.keys(node).filter((k) => !annotations.has(k));
    const unknown = keys.find((k) => !typed.has(k) && !["type", "$ref", "enum", "const", "anyOf", "allOf", "not"].includes(k));
    if (unknown !== undefined) throw new Error(`no TypeBox kind for the keyword ${unknown}, at ${at}`);
    const types = node.type === undefined ? [] : [node.type].flat();
    const orphan = keys.find((k) => typed.has(k) && !types.some((t) => byType[t]?.includes(k)));
    if (orphan !== undefined) throw new Error(`${orphan} without the type it applies to (TypeBox has no conditional kind), at ${at}`);
    const parts = [];
    if (node.$ref !== undefined) parts.push(reference(node.$ref, at));
    if (node.enum !== undefined) parts.push(union(node.enum.map((v) => literal(v, at))));
    if (node.const !== undefined) parts.push(literal(node.const, at));
    if (types.length > 0) parts.push(union(types.map((t) => typeNode(t, node, at))));
    if (node.anyOf !== undefined) parts.push(union(node.anyOf.map((s, i) => convert(s, `${at}/anyOf/${i}`))));
    if (node.allOf !== undefined) parts.push(...node.allOf.map((s, i) => convert(s, `${at}/allOf/${i}`)));
    if (node.not !== undefined) parts.push(tag("Not", { not: convert(node.not, `${at}/not`) }));
    if (parts.length === 0) return tag("Unknown");
    return parts.length === 1 ? parts[0] : tag("Intersect", { allOf: parts });
  }

  function typeNode(type, node, at) {
    if (!(type in kinds)) throw new Error(`the type ${type}, at ${at}`);
    const kept = Object.fromEntries(byType[type].filter((k) => node[k] !== undefined).map((k) => [k, node[k]]));
    // a format ajv-formats does not have: accepted, as Ajv with strict: false does (TypeBox would reject)
    if (type === "string" && typeof node.format === "string" && !FormatRegistry.Has(node.format)) FormatRegistry.Set(node.format, () => true);
    if (type === "object") {
      kept.properties = Object.fromEntries(Object.entries(node.properties ?? {}).map(([k, s]) => [k, convert(s, `${at}/properties/${k}`)]));
      if (node.additionalProperties === true) delete kept.additionalProperties;
      else if (typeof node.additionalProperties === "object") kept.additionalProperties = convert(node.additionalProperties, `${at}/additionalProperties`);
    }
    if (type === "array") {
      if (Array.isArray(node.items)) throw new Error(`items as a list (a tuple), at ${at}`);
      kept.items = node.items === undefined ? tag("Unknown") : convert(node.items, `${at}/items`);
    }
    return tag(kinds[type], { type, ...kept });
  }

  return { root: convert(document, "#"), references: [...references.values()] };
}

let formatsRegistered = false;
function registerFormats() {
  if (formatsRegistered) return;
  const { FormatRegistry } = require("@sinclair/typebox");
  const { fullFormats } = require("ajv-formats/dist/formats");
  for (const [name, format] of Object.entries(fullFormats)) {
    const check = format instanceof RegExp || typeof format === "function" ? format : format.validate;
    FormatRegistry.Set(name, check instanceof RegExp ? (value) => check.test(value) : check);
  }
  formatsRegistered = true;
}

function typebox(document) {
  const { TypeCompiler } = require("@sinclair/typebox/compiler");
  registerFormats();
  const { root, references } = typeBoxKinds(document);
  const check = TypeCompiler.Compile(root, references);
  return (payload) => check.Check(payload);
}

// ---------------------------------------------------------------------------------------
// (g) typia: one generator run for every version, in the bench's work directory.

const eventType = (v) => `${v.model.provider.title}Event`;

/** Why typia cannot be given the version's types, if it cannot (it would take a type it does not find as any). */
function withoutTypes(v) {
  if (!existsSync(v.typesFile)) return `no generated types at ${v.typesFile}`;
  if (!new RegExp(`^export type ${eventType(v)}\\b`, "m").test(readFileSync(v.typesFile, "utf8"))) return `${v.typesFile} exports no ${eventType(v)}`;
  return undefined;
}

async function typia(work, versions, { root, progress }) {
  const dir = path.join(work, "typia");
  const input = path.join(dir, "in");
  const output = path.join(dir, "out");
  mkdirSync(input, { recursive: true });
  const slug = (v) => v.label.replace(/[^\w.-]+/g, "_");
  for (const v of versions) {
    const types = path.relative(input, v.typesFile).split(path.sep).join("/").replace(/\.ts$/, ".js");
    const type = eventType(v);
    writeFileSync(path.join(input, `${slug(v)}.ts`), `import typia from "typia";\nimport type { ${type} } from ${JSON.stringify(types)};\n\nexport const is = typia.createIs<${type}>();\n`);
  }
  const tsconfig = path.join(dir, "tsconfig.json");
  const compilerOptions = { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", strict: true, skipLibCheck: true, noEmit: true };
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions, include: ["in"] }, null, 2));
  progress("typia generate");
  const bin = path.join(path.dirname(require.resolve("typia/package.json")), require("typia/package.json").bin.typia);
  const run = spawnSync(process.execPath, [bin, "generate", "--input", input, "--output", output, "--project", tsconfig], { cwd: root, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`typia generate exited with ${run.status}: ${firstLine(run.stderr || run.stdout)}`);
  const ts = require("typescript");
  const result = new Map();
  for (const v of versions) {
    const generated = readFileSync(path.join(output, `${slug(v)}.ts`), "utf8");
    if (generated.includes("typia.createIs")) throw new Error(`typia generate left ${slug(v)}.ts untransformed`);
    const file = path.join(dir, `${slug(v)}.mjs`);
    writeFileSync(file, ts.transpileModule(generated, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText);
    result.set(v, (await import(pathToFileURL(file).href)).is);
  }
  return result;
}

// ---------------------------------------------------------------------------------------

/**
 * Sets the peers up on each version ({ label, document, model, typesFile }): a map from the
 * version to its contenders, { [peer name]: (payload) => boolean }. What could not be set up
 * is pushed to `skipped`.
 */
export async function preparePeers(versions, { root, work, progress, skipped }) {
  const peers = new Map(versions.map((v) => [v, {}]));
  for (const v of versions) {
    for (const [key, make] of [["schemasafe", schemasafe], ["typebox", typebox]]) {
      try {
        peers.get(v)[peerNames[key]] = make(v.document);
      } catch (error) {
        skipped.push(`${peerNames[key]} on ${v.label}: ${firstLine(error)}`);
      }
    }
  }
  const typed = versions.filter((v) => {
    const reason = withoutTypes(v);
    if (reason !== undefined) skipped.push(`${peerNames.typia} on ${v.label}: ${reason}`);
    return reason === undefined;
  });
  if (typed.length === 0) return peers;
  try {
    for (const [v, is] of await typia(work, typed, { root, progress })) peers.get(v)[peerNames.typia] = is;
  } catch (error) {
    skipped.push(`${peerNames.typia}: ${firstLine(error)}`);
  }
  return peers;
}

/**
 * Runs each peer of a version over a payload set once: a peer that throws is removed (and
 * listed as skipped); verdicts that differ from Ajv (b)'s are returned as notes.
 */
export function checkPeers(label, peers, { valid, invalid }, skipped) {
  const notes = [];
  for (const [name, validate] of Object.entries(peers)) {
    try {
      const rejected = valid.filter((p) => !validate(p)).length;
      const accepted = invalid.filter((p) => validate(p)).length;
      if (rejected > 0) notes.push(`${label}: ${name} rejects ${rejected} of the ${valid.length} payloads (b) accepts`);
      if (accepted > 0) notes.push(`${label}: ${name} accepts ${accepted} of the ${invalid.length} payloads (b) rejects`);
    } catch (error) {
      delete peers[name];
      skipped.push(`${name} on ${label}: threw on a payload: ${firstLine(error)}`);
    }
  }
  return notes;
}
