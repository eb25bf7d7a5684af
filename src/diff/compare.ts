import { isPlainObject } from "../json.js";
import { compare } from "../order.js";
import type { JsonSchema } from "../model/build.js";
import { pairBranches, type Pair, type Variant } from "./pair.js";
import { describeNode, describeValues, isGeneratedName, shorten } from "./describe.js";
import { describeTypes, normalize, typesOf, valuesOf, type Definitions, type SchemaNode, type TypeName } from "./normalize.js";
import { verdicts, type Change, type ChangeKind } from "./report.js";
import { comparePatterns } from "./strings.js";

/**
 * Walks the old and the new schema of one event side by side from the root, following
 * `$ref`s into the definitions, and reports each difference at the payload path where a
 * receiver meets it. A definition reached from several paths is walked (and its changes
 * reported) once per path; a definition that is already being walked further up the
 * path (a recursive schema) is not entered again.
 */
export interface SchemaPair {
  old: { schema: unknown; definitions: Definitions };
  new: { schema: unknown; definitions: Definitions };
  /** The manifest's version pointer: a constant changed there is the payload version. */
  versionPath?: string;
}

interface Walk {
  old: Definitions;
  new: Definitions;
  versionPath?: string;
  changes: Change[];
  /** Definition pairs being walked on the current path. */
  entered: Set<string>;
}

/** Where the walk is: the payload path, and the shared definition it is inside (with the path in it). */
interface Place {
  path: string;
  definition?: string;
  at: string;
}

export function diffSchemas(pair: SchemaPair): Change[] {
  const walk: Walk = {
    old: pair.old.definitions,
    new: pair.new.definitions,
    ...(pair.versionPath === undefined ? {} : { versionPath: pair.versionPath }),
    changes: [],
    entered: new Set(),
  };
  compareNodes(walk, normalize(pair.old.schema, walk.old), normalize(pair.new.schema, walk.new), { path: "", at: "" });
  return sortChanges(dedupe(walk.changes));
}

function report(walk: Walk, place: Place, kind: ChangeKind, message: string, values: { before?: unknown; after?: unknown } = {}): void {
  walk.changes.push({
    path: place.path,
    kind,
    ...verdicts(kind),
    ...values,
    message,
    ...(place.definition === undefined ? {} : { definition: place.definition }),
    at: place.at,
  });
}

function child(place: Place, segment: string): Place {
  return { ...place, path: `${place.path}/${segment}`, at: `${place.at}/${segment}` };
}

function compareNodes(walk: Walk, before: SchemaNode, after: SchemaNode, place: Place): void {
  if (!before.nullable && after.nullable) report(walk, place, "null-added", "may now be null", { before: false, after: true });
  if (before.nullable && !after.nullable) report(walk, place, "null-removed", "can no longer be null", { before: true, after: false });
  compareTypes(walk, nodeTypes(before), nodeTypes(after), place);

  const { pairs, added, removed } = pairBranches(before.branches, after.branches, walk.old, walk.new);
  const oldTypes = nodeTypes(before);
  const newTypes = nodeTypes(after);
  for (const variant of added) {
    if (!overlaps(typesOf(variant.branch.schema), oldTypes)) continue; // a new type: reported as a type change
    const shown = describeVariant(variant);
    report(walk, place, "variant-added", `new variant: ${shown}`, { after: shown });
  }
  for (const variant of removed) {
    if (!overlaps(typesOf(variant.branch.schema), newTypes)) continue;
    const shown = describeVariant(variant);
    report(walk, place, "variant-removed", `variant no longer sent: ${shown}`, { before: shown });
  }
  for (const pair of pairs) enterPair(walk, pair, place);
}

/** `type "workflowButton" (ComponentWorkflowButton)`, or the variant's shape when it has no tag. */
function describeVariant(variant: Variant): string {
  const { branch, tag } = variant;
  if (tag === undefined) return describeNode({ branches: [branch], nullable: false });
  return branch.named === undefined || isGeneratedName(branch.named) ? tag : `${tag} (${branch.named})`;
}

/** Compares a matched pair of alternatives, inside the definition they were reached through. */
function enterPair(walk: Walk, pair: Pair, place: Place): void {
  const key = `${pair.old.definition ?? ""}|${pair.new.definition ?? ""}`;
  if (key !== "|" && walk.entered.has(key)) return; // recursive: already being compared further up
  if (key !== "|") walk.entered.add(key);
  compareBranches(walk, pair.old.schema, pair.new.schema, placeOf(pair, place));
  walk.entered.delete(key);
}

/**
 * A variant that is a definition of its own starts a new place in it; an inline variant
 * of a union is inside the union's definition, named by the qualifier.
 */
function placeOf(pair: Pair, place: Place): Place {
  const path = place.path + pair.qualifier;
  const named = pair.new.named ?? pair.old.named;
  if (named !== undefined) return { path, definition: named, at: "" };
  const definition = pair.new.definition ?? pair.old.definition;
  if (definition !== undefined && definition !== place.definition) return { path, definition, at: pair.qualifier };
  return { ...place, path, at: place.at + pair.qualifier };
}

type TypeSet = TypeName[] | "any";

function nodeTypes(node: SchemaNode): TypeSet {
  const all = node.branches.map((b) => typesOf(b.schema));
  if (all.includes("any")) return "any";
  const set = new Set((all as TypeName[][]).flat());
  if (set.has("number")) set.delete("integer");
  return [...set].sort(compare);
}

/** Is every type of `a` allowed by `b` (an integer is a number)? */
function within(a: TypeSet, b: TypeSet): boolean {
  if (b === "any") return true;
  if (a === "any") return false;
  return a.every((t) => b.includes(t) || (t === "integer" && b.includes("number")));
}

function overlaps(a: TypeSet, b: TypeSet): boolean {
  if (a === "any" || b === "any") return true;
  return a.some((t) => b.includes(t) || (t === "integer" && b.includes("number")) || (t === "number" && b.includes("integer")));
}

function compareTypes(walk: Walk, before: TypeSet, after: TypeSet, place: Place): void {
  const shown = { before: describeTypes(before), after: describeTypes(after) };
  const message = (verb: string) => `type ${verb}: ${shown.before} → ${shown.after}`;
  const wider = within(before, after);
  const narrower = within(after, before);
  if (wider && narrower) return;
  // a value that could only be null now has a type: "may no longer be null" says it; the rest is new
  if (before !== "any" && before.length === 0) return;
  if (after !== "any" && after.length === 0) return;
  if (wider) report(walk, place, "type-widened", message("widened"), shown);
  else if (narrower) report(walk, place, "type-narrowed", message("narrowed"), shown);
  else report(walk, place, "type-changed", message("changed"), shown);
}

function compareBranches(walk: Walk, before: JsonSchema, after: JsonSchema, place: Place): void {
  compareValues(walk, valuesOf(before), valuesOf(after), place);
  const shared = sharedTypes(typesOf(before), typesOf(after));
  if (shared.has("object")) compareObjects(walk, before, after, place);
  if (shared.has("array")) compareArrays(walk, before, after, place);
  if (shared.has("string")) compareStrings(walk, before, after, place);
  if (shared.has("number")) compareLimits(walk, before, after, place, numberLimits);
}

function sharedTypes(a: TypeSet, b: TypeSet): Set<string> {
  const all = ["object", "array", "string", "number"];
  const has = (set: TypeSet, t: string) => set === "any" || set.includes(t as TypeName) || (t === "number" && set.includes("integer"));
  return new Set(all.filter((t) => has(a, t) && has(b, t)));
}

function compareValues(walk: Walk, before: unknown[] | undefined, after: unknown[] | undefined, place: Place): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) {
    report(walk, place, "values-restricted", `now limited to ${describeValues(after!)}`, { after });
    return;
  }
  if (after === undefined) {
    report(walk, place, "values-unrestricted", `no longer limited to ${describeValues(before)}`, { before });
    return;
  }
  const key = (v: unknown) => JSON.stringify(v);
  const oldKeys = new Set(before.map(key));
  const newKeys = new Set(after.map(key));
  const added = after.filter((v) => !oldKeys.has(key(v)));
  const removed = before.filter((v) => !newKeys.has(key(v)));
  if (added.length === 0 && removed.length === 0) return;
  if (before.length === 1 && after.length === 1) {
    const [was, now] = [before[0], after[0]];
    if (place.path === walk.versionPath) {
      report(walk, place, "version-changed", `payloads now declare version ${key(now)} (was ${key(was)})`, { before: was, after: now });
    } else report(walk, place, "const-changed", `always ${key(now)} now (was ${key(was)})`, { before: was, after: now });
    return;
  }
  if (added.length > 0) report(walk, place, "enum-value-added", `new ${plural(added.length, "value")}: ${describeValues(added)}`, { before, after });
  if (removed.length > 0) {
    report(walk, place, "enum-value-removed", `${plural(removed.length, "value")} no longer sent: ${describeValues(removed)}`, { before, after });
  }
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

function compareObjects(walk: Walk, before: JsonSchema, after: JsonSchema, place: Place): void {
  const oldProperties = propertiesOf(before);
  const newProperties = propertiesOf(after);
  const oldRequired = requiredOf(before);
  const newRequired = requiredOf(after);
  const names = [...new Set([...Object.keys(oldProperties), ...Object.keys(newProperties)])].sort(compare);
  for (const name of names) {
    const at = child(place, escape(name));
    const was = oldProperties[name];
    const now = newProperties[name];
    if (was === undefined) {
      const shown = describeNode(normalize(now, walk.new));
      const required = newRequired.has(name) ? "required" : "optional";
      const closed = before["additionalProperties"] === false && !matchesPatternProperty(before, name);
      report(walk, at, closed ? "property-added-closed" : "property-added", `new ${required} property "${name}": ${shown}`, { after: shown });
    } else if (now === undefined) {
      const shown = describeNode(normalize(was, walk.old));
      if (oldRequired.has(name)) report(walk, at, "property-removed", `"${name}" removed (was required: ${shown})`, { before: shown });
      else report(walk, at, "optional-property-removed", `"${name}" removed (was optional: ${shown})`, { before: shown });
    } else {
      if (oldRequired.has(name) && !newRequired.has(name)) {
        report(walk, at, "property-optional", `"${name}" no longer required: may be absent`, { before: "required", after: "optional" });
      }
      if (!oldRequired.has(name) && newRequired.has(name)) {
        report(walk, at, "property-required", `"${name}" now always present (was optional)`, { before: "optional", after: "required" });
      }
      compareNodes(walk, normalize(was, walk.old), normalize(now, walk.new), at);
    }
  }
  compareAdditional(walk, before["additionalProperties"], after["additionalProperties"], place);
  compareLimits(walk, before, after, place, objectLimits);
}

function compareAdditional(walk: Walk, before: unknown, after: unknown, place: Place): void {
  if (before === false && after !== false) {
    report(walk, place, "additional-properties-opened", "may now carry properties the schema does not list", { before: false, after: after ?? true });
  } else if (before !== false && after === false) {
    report(walk, place, "additional-properties-closed", "carries only the properties the schema lists now", { before: before ?? true, after: false });
  } else if (isPlainObject(before) || isPlainObject(after)) {
    compareNodes(walk, normalize(before ?? {}, walk.old), normalize(after ?? {}, walk.new), child(place, "*"));
  }
}

/** Does a `patternProperties` key of the schema admit the property name? */
function matchesPatternProperty(schema: JsonSchema, name: string): boolean {
  const patterns = schema["patternProperties"];
  if (!isPlainObject(patterns)) return false;
  return Object.keys(patterns).some((p) => {
    try {
      return new RegExp(p, "u").test(name);
    } catch {
      return false;
    }
  });
}

function propertiesOf(schema: JsonSchema): Record<string, unknown> {
  const properties = schema["properties"];
  return isPlainObject(properties) ? properties : {};
}

function requiredOf(schema: JsonSchema): Set<string> {
  const required = schema["required"];
  return new Set(Array.isArray(required) ? required.filter((r): r is string => typeof r === "string") : []);
}

/** A property name as a path segment (JSON pointer escaping). */
function escape(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

function compareArrays(walk: Walk, before: JsonSchema, after: JsonSchema, place: Place): void {
  const oldItems = itemSchemas(before);
  const newItems = itemSchemas(after);
  const count = Math.max(oldItems.positions.length, newItems.positions.length);
  for (let i = 0; i < count; i++) {
    const was = oldItems.positions[i] ?? oldItems.rest;
    const now = newItems.positions[i] ?? newItems.rest;
    compareNodes(walk, normalize(was, walk.old), normalize(now, walk.new), child(place, String(i)));
  }
  if (oldItems.rest !== undefined || newItems.rest !== undefined) {
    compareNodes(walk, normalize(oldItems.rest ?? {}, walk.old), normalize(newItems.rest ?? {}, walk.new), child(place, "*"));
  }
  compareLimits(walk, before, after, place, arrayLimits);
}

/** Tuple positions (`prefixItems`, or draft-07 `items: [...]`) and the schema of the other items. */
function itemSchemas(schema: JsonSchema): { positions: unknown[]; rest?: unknown } {
  const items = schema["items"];
  const prefix = schema["prefixItems"];
  if (Array.isArray(prefix)) return { positions: prefix, ...(items === undefined ? {} : { rest: items }) };
  if (Array.isArray(items)) {
    const additional = schema["additionalItems"];
    return { positions: items, ...(additional === undefined ? {} : { rest: additional }) };
  }
  return { positions: [], ...(items === undefined ? {} : { rest: items }) };
}

function compareStrings(walk: Walk, before: JsonSchema, after: JsonSchema, place: Place): void {
  const format = { before: before["format"], after: after["format"] };
  if (format.before !== format.after) {
    if (format.before === undefined) report(walk, place, "format-added", `now format "${format.after}"`, format);
    else if (format.after === undefined) report(walk, place, "format-removed", `no longer format "${format.before}"`, format);
    else report(walk, place, "format-changed", `format "${format.before}" → "${format.after}"`, format);
  }
  const pattern = { before: before["pattern"], after: after["pattern"] };
  if (pattern.before !== pattern.after) {
    const shown = (p: unknown) => `/${shorten(String(p), 48)}/`;
    if (pattern.before === undefined) report(walk, place, "pattern-added", `must now match ${shown(pattern.after)}`, pattern);
    else if (pattern.after === undefined) report(walk, place, "pattern-removed", `no longer has to match ${shown(pattern.before)}`, pattern);
    else {
      // decided by strings that match one pattern and not the other, never by the text
      const { verdict } = comparePatterns(String(pattern.before), String(pattern.after));
      const kind = verdict === "widened" ? "pattern-widened" : verdict === "narrowed" ? "pattern-narrowed" : "pattern-changed";
      const how = verdict === "undecided" ? " (no string tried tells them apart)" : "";
      report(walk, place, kind, `pattern ${shown(pattern.before)} → ${shown(pattern.after)}${how}`, pattern);
    }
  }
  compareLimits(walk, before, after, place, stringLimits);
}

/** A limit keyword, and whether a larger value lets more through (a maximum) or fewer (a minimum). */
type Limit = [keyword: string, larger: "looser" | "tighter"];

const stringLimits: Limit[] = [["minLength", "tighter"], ["maxLength", "looser"]];
const numberLimits: Limit[] = [
  ["minimum", "tighter"],
  ["exclusiveMinimum", "tighter"],
  ["maximum", "looser"],
  ["exclusiveMaximum", "looser"],
];
const arrayLimits: Limit[] = [["minItems", "tighter"], ["maxItems", "looser"]];
const objectLimits: Limit[] = [["minProperties", "tighter"], ["maxProperties", "looser"]];

function compareLimits(walk: Walk, before: JsonSchema, after: JsonSchema, place: Place, limits: Limit[]): void {
  for (const [keyword, larger] of limits) {
    const was = before[keyword];
    const now = after[keyword];
    if (was === now || (typeof was !== "number" && typeof now !== "number")) continue;
    const loosened =
      typeof now !== "number" ? true : typeof was !== "number" ? false : larger === "looser" ? now > was : now < was;
    const shown = (v: unknown) => (typeof v === "number" ? String(v) : "none");
    const message = `${keyword} ${shown(was)} → ${shown(now)}`;
    const values = { before: typeof was === "number" ? was : null, after: typeof now === "number" ? now : null };
    report(walk, place, loosened ? "constraint-loosened" : "constraint-tightened", message, values);
  }
}

function dedupe(changes: Change[]): Change[] {
  const seen = new Set<string>();
  return changes.filter((c) => {
    const key = JSON.stringify([c.path, c.kind, c.before, c.after]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function sortChanges(changes: Change[]): Change[] {
  return [...changes].sort(
    (a, b) => compare(a.path, b.path) || compare(a.kind, b.kind) || compare(JSON.stringify([a.before, a.after]), JSON.stringify([b.before, b.after])),
  );
}
