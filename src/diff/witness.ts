import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { emitValidators } from "../emit/validators/index.js";
import { isPlainObject } from "../json.js";
import type { JsonSchema, VersionModel } from "../model/build.js";
import { normalize, propertyNames, tagValue, typesOf, valuesOf, type Branch, type Definitions, type SchemaNode, type TypeName } from "./normalize.js";
import { canonical } from "./pair.js";
import { worse, type Change, type DiffReport, type Witness } from "./report.js";
import { candidateStrings, comparePatterns, regexOf, stringsFor } from "./strings.js";

/**
 * Proof by payload: for each change that breaks deployed receivers by its rule, a payload
 * the new validators accept and the old ones reject, found by running both versions'
 * generated validators (emitted in memory, imported from a data: URL, as `codegen
 * validate` does). The search starts from a sample of the event (else a payload generated
 * from the new schema), makes sure the change's path exists in it, then tries values
 * toward the new schema there. The old validators must reject the witness with an error
 * the payload without the mutation does not have, so the rejection is this change's.
 * A change without a witness is potentially breaking, "no witness found".
 */
interface Validators {
  validateEvent(payload: unknown, name?: string): { ok: boolean; kind?: string; errors?: { path: string; message: string; keyword?: string }[] };
}

async function importValidators(model: VersionModel): Promise<Validators> {
  const [module] = emitValidators(model, "");
  return (await import(`data:text/javascript;base64,${Buffer.from(module!.content).toString("base64")}`)) as Validators;
}

export async function addWitnesses(report: DiffReport, before: VersionModel, after: VersionModel): Promise<void> {
  const wanted = report.events.flatMap((e) => e.changes.filter((c) => c.receivers.classification === "breaking").map((c) => [e.name, c] as const));
  if (wanted.length === 0) return;
  let search: Search | undefined;
  let why = "no witness found: no payload tried passes the new validators and fails the old ones";
  try {
    const [oldValidators, newValidators] = await Promise.all([importValidators(before), importValidators(after)]);
    search = new Search(before, after, guarded(oldValidators), guarded(newValidators));
  } catch (error) {
    why = `no witness found: the validators could not be built (${(error as Error).message})`;
  }
  for (const [event, change] of wanted) {
    const witness = findSafely(search, event, change);
    change.witness = witness ?? null;
    if (witness === undefined) {
      change.receivers = { classification: "potentially-breaking", why };
      change.classification = worse(change.receivers.classification, change.code.classification);
    }
  }
}

/** A new value at the path, the property there removed, or a property added to the object there. */
/** A search that fails on a schema it does not understand finds no witness; it does not fail the diff. */
function findSafely(search: Search | undefined, event: string, change: Change): Witness | undefined {
  try {
    return search?.find(event, change);
  } catch {
    return undefined;
  }
}

/** A validator that throws (a payload nested too deep) counts as rejecting. */
function guarded(validators: Validators): Validators {
  return {
    validateEvent(payload, name) {
      try {
        return validators.validateEvent(payload, name);
      } catch (error) {
        return { ok: false, kind: "invalid_payload", errors: [{ path: "", message: `cannot be validated: ${(error as Error).message}` }] };
      }
    },
  };
}

type Mutation = { value: unknown } | { remove: true } | { add: string; value: unknown };

/** Where a change's path leads in a payload: the object or array holding it and the key. */
interface Location {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  pointer: string;
  /** The new and the old schema there (the old one when the path exists in it). */
  node: SchemaNode;
  oldNode?: SchemaNode;
}

const maxCandidates = 60;

/** Changes the payload as it is shows (a property removed, one added to the object): every other reference holds a value of the old schema there. */
const keepKinds = new Set<Change["kind"]>(["property-removed", "property-optional", "additional-properties-opened"]);

class Search {
  private readonly bases = new Map<string, { payload: unknown; from: string } | null>();

  constructor(
    private readonly before: VersionModel,
    private readonly after: VersionModel,
    private readonly old: Validators,
    private readonly now: Validators,
  ) {}

  find(event: string, change: Change): Witness | undefined {
    const base = this.base(event);
    if (base === null) return undefined;
    const eventModel = this.after.events.find((e) => e.name === event)!;
    const oldEvent = this.before.events.find((e) => e.name === event);
    for (const prepared of this.prepare(base.payload, eventModel.typeName, oldEvent?.typeName, change.path, event)) {
      const { payload, location } = prepared;
      const reference = { value: clone(payload) };
      this.toOld(locate(reference, `/value${location.pointer}`)!, change, location);
      const oldReference = this.old.validateEvent(reference.value, event);
      const known = new Set((oldReference.errors ?? []).map((e) => `${e.path} ${e.message}`));
      let tried = 0;
      for (const mutation of this.candidates(change, location)) {
        if (++tried > maxCandidates) break;
        const wrapped = { value: clone(payload) };
        const at = locate(wrapped, `/value${location.pointer}`);
        if (at === undefined) continue;
        apply(at, mutation);
        const candidate = wrapped.value;
        if (!this.now.validateEvent(candidate, event).ok) continue;
        const answer = this.old.validateEvent(candidate, event);
        if (answer.ok) continue;
        const fresh = (answer.errors ?? []).filter((e) => !known.has(`${e.path} ${e.message}`));
        if (!oldReference.ok && fresh.length === 0) continue;
        // the error at the witness's path says most; one inside it next; then any the change caused
        const here = location.pointer;
        const union = (e: { keyword?: string }) => e.keyword === "anyOf" || e.keyword === "oneOf";
        const first = fresh.find((e) => e.path === here && union(e)) ?? fresh.find((e) => e.path === here) ?? fresh.find((e) => e.path.startsWith(`${here}/`)) ?? fresh[0] ?? answer.errors?.[0];
        const shown = "add" in mutation ? `${location.pointer}/${escape(mutation.add)}` : location.pointer;
        return {
          event,
          path: shown || "/",
          ...("remove" in mutation ? { removed: true as const } : { value: mutation.value }),
          oldAnswer: answer.kind ?? "invalid_payload",
          ...(first ? { oldError: `${first.path || "/"}: ${first.message}` } : {}),
          from: base.from,
          payload: candidate,
        };
      }
    }
    return undefined;
  }

  /** A payload of the event the new validators accept: a sample (the new version's, then the old's), else one generated. */
  private base(event: string): { payload: unknown; from: string } | null {
    if (this.bases.has(event)) return this.bases.get(event)!;
    const samples = [...this.after.samples, ...this.before.samples].filter((s) => s.event === event);
    let found: { payload: unknown; from: string } | null = null;
    for (const sample of samples) {
      if (this.now.validateEvent(sample.json, event).ok) {
        found = { payload: sample.json, from: `sample ${sample.file}` };
        break;
      }
    }
    if (found === null) {
      const typeName = this.after.events.find((e) => e.name === event)!.typeName;
      for (const style of ["first", "last"] as const) {
        const payload = generate({ $ref: `#/definitions/${typeName}` }, this.after.definitions, { style, depth: 0 });
        if (this.now.validateEvent(payload, event).ok) {
          found = { payload, from: "generated" };
          break;
        }
      }
    }
    this.bases.set(event, found);
    return found;
  }

  /** The base payload made to reach the change's path (each way the path can be reached, at most a few). */
  private *prepare(base: unknown, typeName: string, oldTypeName: string | undefined, path: string, event: string): Generator<{ payload: unknown; location: Location }> {
    const root = { value: clone(base) };
    const location = reach(root, path, this.after.definitions, typeName);
    if (location === undefined) return;
    const payload = root.value;
    // what reaching the path generated must itself be valid, or no candidate can be
    if (!this.now.validateEvent(payload, event).ok && !this.now.validateEvent(base, event).ok) return;
    if (oldTypeName !== undefined) {
      const oldNode = schemaAt(path, this.before.definitions, oldTypeName);
      if (oldNode !== undefined) location.oldNode = oldNode;
    }
    yield { payload, location };
  }

  /** The reference the witness is judged against: the payload as the old schema had it at the change. */
  private toOld(location: Location, change: Change, reached: Location): void {
    if (change.kind === "const-changed" || change.kind === "version-changed") apply(location, { value: change.before });
    else if (change.kind === "property-added" || change.kind === "property-added-closed") apply(location, { remove: true });
    else if (!keepKinds.has(change.kind) && reached.oldNode !== undefined && reached.oldNode.branches.length > 0) {
      apply(location, { value: generateBranch(reached.oldNode.branches[0]!, this.before.definitions, { style: "first", depth: 0 }) });
    }
  }

  /** Values to try at the change's path, those its kind points to first, then every alternative of the new schema. */
  private *candidates(change: Change, location: Location): Generator<Mutation> {
    const current = Array.isArray(location.holder) ? location.holder[location.key as number] : location.holder[location.key as string];
    const defs = this.after.definitions;
    switch (change.kind) {
      case "property-removed":
      case "property-optional":
        yield { remove: true };
        return;
      case "null-added":
        yield { value: null };
        return;
      case "const-changed":
      case "version-changed":
        yield { value: change.after };
        return;
      case "enum-value-added": {
        const before = Array.isArray(change.before) ? change.before.map(canonical) : [];
        for (const value of Array.isArray(change.after) ? change.after : []) if (!before.includes(canonical(value))) yield { value };
        return;
      }
      case "additional-properties-opened":
        if (isPlainObject(current)) {
          const extra = additionalSchema(location.node);
          for (const name of ["x-witness", "witness", "_extra"]) {
            if (name in current) continue;
            for (const value of extra === undefined ? ["x", 0, true] : [generate(extra, defs, { style: "first", depth: 0 })]) {
              yield { add: name, value };
            }
          }
        }
        return;
      case "constraint-loosened":
        yield* limitCandidates(change, current);
        break;
      case "pattern-removed":
      case "pattern-widened":
      case "pattern-changed": {
        const known = typeof current === "string" ? [current] : [];
        if (typeof change.before === "string" && typeof change.after === "string") {
          const found = comparePatterns(change.before, change.after, known);
          if (found.onlyNew !== undefined) yield { value: found.onlyNew };
        }
        const patterns = [change.after, change.before].filter((p): p is string => typeof p === "string");
        for (const s of candidateStrings(patterns, known).slice(0, 200)) {
          const old = typeof change.before === "string" ? regexOf(change.before) : undefined;
          const now = typeof change.after === "string" ? regexOf(change.after) : undefined;
          if ((old === undefined || !old.test(s)) && (now === undefined || now.test(s))) {
            yield { value: s };
            break;
          }
        }
        break;
      }
      case "format-removed":
      case "format-changed":
        for (const value of ["not a formatted value", "x", ...Object.values(formatSamples)]) yield { value };
        break;
      case "values-unrestricted":
        for (const value of ["x-witness", 0, 1.5, true]) yield { value };
        break;
      default:
        break;
    }
    // every alternative of the new schema there, generated both ways
    for (const branch of location.node.branches) {
      for (const style of ["first", "last"] as const) yield { value: generateBranch(branch, defs, { style, depth: 0 }) };
    }
    if (location.node.nullable) yield { value: null };
    for (const value of [1.5, -1, "x", "", "not formatted", true, [], {}]) yield { value };
  }
}

function limitCandidates(change: Change, current: unknown): Mutation[] {
  const keyword = change.message.split(" ")[0];
  const [was, now] = [change.before, change.after];
  const out: Mutation[] = [];
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const length = (n: number) => {
    const seed = typeof current === "string" && current.length > 0 ? [...current] : ["a"];
    return Array.from({ length: n }, (_, i) => seed[i % seed.length]).join("");
  };
  const items = (n: number) => {
    const list = Array.isArray(current) ? current : [];
    if (list.length === 0) return undefined;
    return Array.from({ length: n }, (_, i) => list[i % list.length]);
  };
  if (keyword === "minLength" && typeof current === "string") out.push({ value: length(num(now) ?? 0) });
  if (keyword === "maxLength") out.push({ value: length((num(was) ?? 0) + 1) });
  if (keyword === "minimum" || keyword === "exclusiveMinimum") {
    const n = num(now) ?? (num(was) ?? 0) - 1000;
    out.push({ value: keyword === "minimum" ? n : n + 0.5 }, { value: Math.floor(n) + 1 });
  }
  if (keyword === "maximum" || keyword === "exclusiveMaximum") {
    const n = num(now) ?? (num(was) ?? 0) + 1000;
    out.push({ value: keyword === "maximum" ? n : n - 0.5 }, { value: Math.ceil(n) - 1 });
  }
  if (keyword === "minItems") out.push({ value: (num(now) ?? 0) === 0 ? [] : (items(num(now)!) ?? []) });
  if (keyword === "maxItems") {
    const list = items((num(was) ?? 0) + 1);
    if (list) out.push({ value: list });
  }
  if (keyword === "minProperties" && isPlainObject(current) && num(now) !== undefined) {
    out.push({ value: Object.fromEntries(Object.entries(current).slice(0, num(now))) });
  }
  if (keyword === "maxProperties" && isPlainObject(current)) {
    const extra: Record<string, unknown> = { ...current };
    for (let i = 0; Object.keys(extra).length <= (num(was) ?? 0); i++) extra[`x${i}`] = "x";
    out.push({ value: extra });
  }
  return out;
}

function additionalSchema(node: SchemaNode): unknown {
  for (const branch of node.branches) {
    const extra = branch.schema["additionalProperties"];
    if (isPlainObject(extra)) return extra;
  }
  return undefined;
}

function apply(location: Location, mutation: Mutation): void {
  const { holder, key } = location;
  if ("add" in mutation) {
    const target = Array.isArray(holder) ? holder[key as number] : holder[key as string];
    if (isPlainObject(target)) target[mutation.add] = clone(mutation.value);
  } else if ("remove" in mutation) {
    if (Array.isArray(holder)) holder.splice(key as number, 1);
    else delete holder[key as string];
  } else if (Array.isArray(holder)) holder[key as number] = clone(mutation.value);
  else holder[key as string] = clone(mutation.value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

// --- paths ---------------------------------------------------------------------------

interface Segment {
  name: string;
  qualifier?: string;
}

/** `/payload/actor[actorType=USER]/userId` → segments with their qualifiers (JSON pointer unescaped). */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === "/") i++;
    let name = "";
    while (i < path.length && path[i] !== "/" && path[i] !== "[") name += path[i++];
    let qualifier: string | undefined;
    while (path[i] === "[") {
      let depth = 0;
      let q = "";
      do {
        const c = path[i++]!;
        if (c === "[") depth++;
        if (c === "]") depth--;
        q += c;
      } while (i < path.length && depth > 0);
      qualifier = q.slice(1, -1); // the last qualifier names the variant the value is
    }
    segments.push({ name: name.replace(/~1/g, "/").replace(/~0/g, "~"), ...(qualifier === undefined ? {} : { qualifier }) });
  }
  return segments;
}

/** The branch of a node a qualifier names. */
function pickBranch(node: SchemaNode, qualifier: string | undefined, defs: Definitions, value: unknown): Branch | undefined {
  if (qualifier === undefined) return fitting(node, value) ?? node.branches[0];
  const tag = /^([^=]+)=(.*)$/.exec(qualifier);
  if (tag) return node.branches.find((b) => tagValue(b, tag[1]!, defs) === tag[2]);
  const named = node.branches.find((b) => b.named === qualifier);
  if (named) return named;
  const props = /^\{(.*)\}$/.exec(qualifier);
  if (props) {
    const names = props[1]!.split(", ").filter((n) => n !== "…");
    return node.branches.find((b) => {
      const required = Array.isArray(b.schema["required"]) ? (b.schema["required"] as string[]) : propertyNames(b.schema);
      return names.every((n) => required.includes(n));
    });
  }
  return node.branches.find((b) => describeTypeList(typesOf(b.schema)) === qualifier);
}

function describeTypeList(types: TypeName[] | "any"): string {
  return types === "any" ? "any type" : types.join(" | ");
}

/** The branch the value already is, by its JSON type and tag-like constants. */
function fitting(node: SchemaNode, value: unknown): Branch | undefined {
  const type = jsonTypeOf(value);
  return node.branches.find((b) => {
    const types = typesOf(b.schema);
    if (types !== "any" && !types.includes(type as TypeName) && !(type === "integer" && types.includes("number"))) return false;
    if (!isPlainObject(value)) return true;
    const properties = b.schema["properties"];
    if (!isPlainObject(properties)) return true;
    return Object.entries(properties).every(([name, schema]) => {
      const values = isPlainObject(schema) ? valuesOf(schema as JsonSchema) : undefined;
      return values === undefined || values.length !== 1 || !(name in value) || canonical(values[0]) === canonical(value[name]);
    });
  });
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * Makes the path exist in the payload (a missing property or array item generated from the
 * new schema, a variant switched to the one the path names), and returns where it leads.
 */
function reach(root: { value: unknown }, path: string, defs: Definitions, typeName: string): Location | undefined {
  const segments = parsePath(path);
  let node = normalize({ $ref: `#/definitions/${typeName}` }, defs);
  let pointer = "";
  let location: Location = { holder: root, key: "value", pointer: "", node };
  // the root: its qualifier, if any, is on the first segment when its name is ""
  const steps = segments[0]?.name === "" ? segments : [{ name: "" } as Segment, ...segments];
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s]!;
    if (s > 0) {
      const parent = location.holder[location.key as never] as unknown;
      const branch = pickBranch(node, undefined, defs, parent);
      if (branch === undefined) return undefined;
      if (step.name === "*") {
        const items = itemsSchema(branch.schema);
        if (Array.isArray(parent)) {
          if (parent.length === 0) parent.push(generate(items ?? {}, defs, { style: "first", depth: 0 }));
          location = { holder: parent, key: 0, pointer: `${pointer}/0`, node: normalize(items ?? {}, defs) };
        } else if (isPlainObject(parent)) {
          const extra = branch.schema["additionalProperties"];
          const key = Object.keys(parent).find((k) => !propertyNames(branch.schema).includes(k)) ?? "x-witness";
          if (!(key in parent)) parent[key] = generate(isPlainObject(extra) ? extra : {}, defs, { style: "first", depth: 0 });
          location = { holder: parent, key, pointer: `${pointer}/${escape(key)}`, node: normalize(isPlainObject(extra) ? extra : {}, defs) };
        } else return undefined;
      } else if (/^\d+$/.test(step.name) && Array.isArray(parent)) {
        const index = Number(step.name);
        const positions = branch.schema["prefixItems"] ?? branch.schema["items"];
        const schema = Array.isArray(positions) ? positions[index] : itemsSchema(branch.schema);
        while (parent.length <= index) parent.push(generate(schema ?? {}, defs, { style: "first", depth: 0 }));
        location = { holder: parent, key: index, pointer: `${pointer}/${index}`, node: normalize(schema ?? {}, defs) };
      } else {
        if (!isPlainObject(parent)) return undefined;
        const properties = branch.schema["properties"];
        const schema = isPlainObject(properties) && step.name in properties ? properties[step.name] : branch.schema["additionalProperties"];
        const propertySchema = isPlainObject(schema) ? schema : {};
        if (!(step.name in parent)) parent[step.name] = generate(propertySchema, defs, { style: "first", depth: 0, notNull: true });
        location = { holder: parent, key: step.name, pointer: `${pointer}/${escape(step.name)}`, node: normalize(propertySchema, defs) };
      }
      pointer = location.pointer;
      node = location.node;
    }
    if (step.qualifier !== undefined) {
      const value = location.holder[location.key as never] as unknown;
      const branch = pickBranch(node, step.qualifier, defs, value);
      if (branch === undefined) return undefined;
      if (fitting({ branches: [branch], nullable: false }, value) === undefined || value === null) {
        (location.holder as Record<string, unknown>)[location.key as string] = generateBranch(branch, defs, { style: "first", depth: 0 });
      }
      node = { branches: [branch], nullable: false };
      location = { ...location, node };
    }
  }
  return location;
}

/** The location a pointer (without qualifiers) leads to in a payload that has it. */
function locate(payload: unknown, pointer: string): Location | undefined {
  const keys = pointer.split("/").slice(1).map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
  let holder: unknown = payload;
  for (let i = 0; i < keys.length - 1; i++) {
    holder = Array.isArray(holder) ? holder[Number(keys[i])] : isPlainObject(holder) ? holder[keys[i]!] : undefined;
    if (holder === undefined) return undefined;
  }
  const last = keys[keys.length - 1]!;
  if (Array.isArray(holder)) return { holder, key: Number(last), pointer, node: { branches: [], nullable: false } };
  if (isPlainObject(holder)) return { holder, key: last, pointer, node: { branches: [], nullable: false } };
  return undefined;
}

/** The old schema at a path, when the path exists in the old schema. */
function schemaAt(path: string, defs: Definitions, typeName: string): SchemaNode | undefined {
  let node = normalize({ $ref: `#/definitions/${typeName}` }, defs);
  for (const step of parsePath(path)) {
    if (step.name !== "") {
      const branch = node.branches.find((b) => {
        const p = b.schema["properties"];
        return (isPlainObject(p) && step.name in p) || (step.name === "*" && itemsSchema(b.schema) !== undefined);
      });
      if (branch === undefined) return undefined;
      const p = branch.schema["properties"];
      node = normalize(step.name === "*" ? itemsSchema(branch.schema) : isPlainObject(p) ? p[step.name] : {}, defs);
    }
    if (step.qualifier !== undefined) {
      const branch = pickBranch(node, step.qualifier, defs, undefined);
      if (branch === undefined) return undefined;
      node = { branches: [branch], nullable: false };
    }
  }
  return node;
}

function itemsSchema(schema: JsonSchema): unknown {
  const items = schema["items"];
  return Array.isArray(items) ? undefined : items;
}

function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

// --- generating a value from a schema --------------------------------------------------

interface Style {
  /** Which alternative of a union: the first, or the last. */
  style: "first" | "last";
  depth: number;
  notNull?: boolean;
}

const maxDepth = 48;

const formatSamples: Record<string, string> = {
  "date-time": "2024-01-01T00:00:00.000Z",
  date: "2024-01-01",
  time: "00:00:00Z",
  email: "someone@example.com",
  "idn-email": "someone@example.com",
  uri: "https://example.com/",
  "uri-reference": "https://example.com/",
  iri: "https://example.com/",
  url: "https://example.com/",
  uuid: "00000000-0000-4000-8000-000000000000",
  hostname: "example.com",
  ipv4: "127.0.0.1",
  ipv6: "::1",
  duration: "P1D",
};

/** The smallest value the schema allows, as far as the generator can tell (required properties only, fewest items). */
export function generate(schema: unknown, defs: Definitions, style: Style): unknown {
  // a schema that requires itself has no finite instance: stop (the validators then reject the result)
  if (style.depth > maxDepth) return null;
  const node = normalize(schema, defs);
  if (node.branches.length === 0) return null;
  if (node.nullable && !style.notNull && style.depth > 8) return null;
  const branch = style.style === "first" ? node.branches[0]! : node.branches[node.branches.length - 1]!;
  return generateBranch(branch, defs, { ...style, notNull: false });
}

export function generateBranch(branch: Branch, defs: Definitions, style: Style): unknown {
  const schema = branch.schema;
  const values = valuesOf(schema);
  if (values !== undefined && values.length > 0) return clone(style.style === "first" ? values[0] : values[values.length - 1]);
  const types = typesOf(schema);
  const type = types === "any" ? "string" : (["object", "string", "integer", "number", "boolean", "array"] as const).find((t) => types.includes(t));
  const next = { ...style, depth: style.depth + 1 };
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const properties = isPlainObject(schema["properties"]) ? (schema["properties"] as Record<string, unknown>) : {};
      const required = Array.isArray(schema["required"]) ? (schema["required"] as string[]) : [];
      for (const name of required) out[name] = generate(properties[name] ?? schema["additionalProperties"] ?? {}, defs, next);
      return out;
    }
    case "array": {
      const min = typeof schema["minItems"] === "number" ? schema["minItems"] : 0;
      return Array.from({ length: min }, () => generate(itemsSchema(schema) ?? {}, defs, next));
    }
    case "string":
      return stringFor(schema);
    case "integer":
    case "number":
      return numberFor(schema, type === "integer");
    case "boolean":
      return false;
    default:
      return null;
  }
}

function stringFor(schema: JsonSchema): string {
  const format = typeof schema["format"] === "string" ? formatSamples[schema["format"]] : undefined;
  const min = typeof schema["minLength"] === "number" ? schema["minLength"] : 0;
  const max = typeof schema["maxLength"] === "number" ? schema["maxLength"] : Infinity;
  const pattern = typeof schema["pattern"] === "string" ? schema["pattern"] : undefined;
  const fits = (s: string) => [...s].length >= min && [...s].length <= max && (pattern === undefined || (regexOf(pattern)?.test(s) ?? true));
  const tries = [...(format ? [format] : []), ...(pattern ? stringsFor(pattern) : []), "x", "a".repeat(Math.max(1, min))];
  return tries.find(fits) ?? tries[0]!;
}

function numberFor(schema: JsonSchema, integer: boolean): number {
  const num = (k: string) => (typeof schema[k] === "number" ? (schema[k] as number) : undefined);
  let n = num("minimum") ?? (num("exclusiveMinimum") !== undefined ? num("exclusiveMinimum")! + 1 : 0);
  const max = num("maximum") ?? (num("exclusiveMaximum") !== undefined ? num("exclusiveMaximum")! - 1 : undefined);
  if (max !== undefined && n > max) n = max;
  const multiple = num("multipleOf");
  if (multiple !== undefined && multiple > 0) n = Math.ceil(n / multiple) * multiple;
  return integer ? Math.ceil(n) : n;
}

/**
 * `--witness <dir>`: each witness payload as `<event>.<n>.json` (numbered in report order),
 * with a README-like index `witnesses.json` saying which change each proves.
 */
export async function writeWitnesses(report: DiffReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const index: { file: string; event: string; path: string; kind: string; message: string; oldAnswer: string; oldError?: string }[] = [];
  for (const event of report.events) {
    let n = 0;
    for (const change of event.changes) {
      if (!change.witness) continue;
      const file = `${event.name.replace(/[^A-Za-z0-9._-]/g, "_")}.${++n}.json`;
      await writeFile(path.join(dir, file), `${JSON.stringify(change.witness.payload, null, 2)}\n`);
      const { path: at, oldAnswer, oldError } = change.witness;
      index.push({ file, event: event.name, path: at, kind: change.kind, message: change.message, oldAnswer, ...(oldError === undefined ? {} : { oldError }) });
      written.push(file);
    }
  }
  await writeFile(path.join(dir, "witnesses.json"), `${JSON.stringify(index, null, 2)}\n`);
  return written;
}
