import { isPlainObject } from "../../json.js";
import { alwaysValid, type Schema } from "./code.js";
import { groupKeywords } from "./registry.js";

// The second pass's data: the schemas as JSON text, written short, that
// templates/runtime/explain.js walks when a payload fails the first pass.

/** Keywords whose value is a schema (1), a list of schemas (2), or a map of names to schemas (4). */
const holds = new Map<string, number>([
  ...["not", "additionalProperties", "additionalItems", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems"].map(
    (keyword) => [keyword, 1] as const,
  ),
  ["items", 1 | 2],
  ...["anyOf", "oneOf", "allOf", "prefixItems"].map((keyword) => [keyword, 2] as const),
  // dependencies maps a name to a schema or to a list of names
  ...["properties", "patternProperties", "dependentSchemas", "dependencies"].map((keyword) => [keyword, 4] as const),
]);

/** Marks where a subschema goes in a schema's JSON (which holds no control character unescaped). */
const hole = "\u0001";

/** A keyword's value with `each` applied to every subschema it holds (a copy where it holds any). */
function mapHeld(keyword: string, value: unknown, each: (sub: unknown) => unknown): unknown {
  const kind = holds.get(keyword);
  if (kind === undefined) return value;
  if (kind & 1 && !Array.isArray(value)) return each(value);
  if (kind & 2 && Array.isArray(value)) return value.map(each);
  if (kind & 4 && isPlainObject(value)) {
    const map: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const sub = Array.isArray(value[k]) ? value[k] : each(value[k]);
      // (a property named __proto__ stays a property)
      if (k === "__proto__") Object.defineProperty(map, k, { value: sub, enumerable: true, writable: true, configurable: true });
      else map[k] = sub;
    }
    return map;
  }
  return value;
}

/**
 * A written schema object's JSON, as JSON.stringify writes it, but for each object subschema
 * in it, which is written by `object`.
 */
function jsonWith(schema: Record<string, unknown>, object: (sub: Record<string, unknown>) => string): string {
  const sub = (value: unknown): string => (isPlainObject(value) ? object(value) : JSON.stringify(value));
  // (joined, not added up: a text made with += is a tree of its pieces, which the map of
  // shapes would keep, many times the size of the text)
  const members: string[] = [];
  for (const key of Object.keys(schema)) {
    const value = schema[key];
    const kind = holds.get(key) ?? 0;
    let json: string;
    if (kind & 1 && !Array.isArray(value)) json = sub(value);
    else if (kind & 2 && Array.isArray(value)) json = `[${value.map(sub).join(",")}]`;
    else if (kind & 4 && isPlainObject(value)) {
      json = `{${Object.keys(value)
        .map((k) => `${JSON.stringify(k)}:${Array.isArray(value[k]) ? JSON.stringify(value[k]) : sub(value[k])}`)
        .join(",")}}`;
    } else json = JSON.stringify(value);
    members.push(`${JSON.stringify(key)}:${json}`);
  }
  return `{${members.join(",")}}`;
}

/**
 * The definitions as JSON text for the second pass, written short (what `$plan` in
 * templates/runtime/explain.js reads back): a subschema that is only a $ref is the
 * definition's name; "required" that lists every property in order is `true`, and one that
 * lists all but a few of them in order is {"allBut": those few}; an enum the
 * first pass holds as a Set is that Set's name, a pattern it holds as a RegExp is
 * {"$regexp": name}; and each object subschema written more than once (30 characters or
 * more of it) is written once in `shared` and stands as its index there: a document split
 * from a bundle repeats its root, with a 30-value enum, in every event, and Plain repeats
 * `anyOf [Datetime, null]` everywhere. With them, every key the second pass may read.
 */
export function schemaText(
  definitions: Record<string, Schema>,
  compiled: {
    functionFor: (schema: Schema) => string | undefined;
    enumSet: (values: unknown[]) => string | undefined;
    patternRegExp: (source: string) => string | undefined;
  },
): { definitions: Record<string, string>; shared: string[]; checks: string[]; enums: string[]; regexps: string[]; keys: Set<string> } {
  const { functionFor, enumSet, patternRegExp } = compiled;
  const checks = new Set<string>();
  const enums = new Set<string>();
  const regexps = new Set<string>();
  // (unless an unevaluatedProperties needs to know what it evaluates: all)
  const evaluates = JSON.stringify(definitions).includes('"unevaluatedProperties"');
  // first the short form of every schema, and the shape of each object subschema: equal
  // shapes for equal JSON, found from its keys and its subschemas' shapes (not from its whole
  // text at every depth), with its JSON's length; and how often each shape of 30 characters
  // or more occurs below the roots
  const shapes = new Map<string, number>();
  const shapeOf = new Map<object, number>();
  const lengths: number[] = [];
  const counts: number[] = [];
  // each shape's JSON in pieces, the text around its object subschemas, and their shapes
  // between the pieces: its JSON is then written from these, once per shape
  const pieces: string[][] = [];
  const inside: number[][] = [];
  const short = (schema: Schema, root = false): unknown => {
    if (typeof schema !== "object") return schema;
    const out: Record<string, unknown> = {};
    const check = root ? undefined : functionFor(schema);
    if (check !== undefined) {
      out["$check"] = check;
      checks.add(check);
    }
    let named: string | undefined;
    for (const key of Object.keys(schema)) {
      const value = schema[key];
      // a $ref is read as the definition's name; additionalProperties that allows anything
      // changes nothing when another object keyword keeps the object keywords in use
      if (key === "$ref") out[key] = (value as string).slice(14);
      else if (key === "additionalProperties" && !evaluates && alwaysValid(value as Schema) && groupKeywords.object.some((k) => k !== key && schema[k] !== undefined)) continue;
      else if (key === "enum" && Array.isArray(value) && (named = enumSet(value)) !== undefined) {
        out[key] = named; // the Set the first pass already holds
        enums.add(named);
      } else if (key === "pattern" && typeof value === "string" && (named = patternRegExp(value)) !== undefined) {
        out[key] = { $regexp: named }; // the RegExp the first pass already holds
        regexps.add(named);
      } else out[key] = mapHeld(key, value, (sub) => short(sub as Schema));
    }
    if (!root && out["$ref"] !== undefined && Object.keys(out).length === 1) return out["$ref"];
    if (Array.isArray(out["required"]) && isPlainObject(out["properties"])) out["required"] = shortRequired(out["required"], Object.keys(out["properties"]));
    // its shape: its JSON with a hole for each object subschema in it, and the shapes that fill
    // them (JSON text never holds the control character that marks a hole)
    const inner: number[] = [];
    let length = 0; // its JSON's length, each subschema written out
    const text = jsonWith(out, (sub) => {
      const id = shapeOf.get(sub)!;
      inner.push(id);
      length += lengths[id]!;
      if (lengths[id]! >= 30) counts[id] = (counts[id] ?? 0) + 1;
      return hole;
    });
    const key = inner.length === 0 ? text : `${text}${hole}${inner.join(",")}`;
    let id = shapes.get(key);
    if (id === undefined) {
      id = lengths.push(text.length - inner.length + length) - 1;
      shapes.set(key, id);
      pieces.push(inner.length === 0 ? [text] : text.split(hole));
      inside.push(inner);
    }
    shapeOf.set(out, id);
    return out;
  };
  const shortened = Object.entries(definitions).map(([name, schema]) => [name, short(schema, true) as Record<string, unknown>] as const);
  // then the JSON, with each object subschema written more than once below the roots written
  // once in `shared` and standing as its index there (equal shapes, equal text: each written once)
  const index = new Map<number, number>();
  const shared: string[] = [];
  const written: (string | undefined)[] = [];
  const write = (id: number): string => {
    let text = written[id];
    if (text !== undefined) return text;
    const [first, ...rest] = pieces[id]!;
    text = first!;
    rest.forEach((piece, i) => (text += `${reference(inside[id]![i]!)}${piece}`));
    written[id] = text;
    return text;
  };
  const reference = (id: number): string => {
    if ((counts[id] ?? 0) < 2) return write(id);
    let at = index.get(id);
    if (at === undefined) {
      index.set(id, -1); // reserved: its own text is written below
      at = shared.push(write(id)) - 1;
      index.set(id, at);
    }
    return String(at);
  };
  // (a definition that is a boolean has no keys: "{}", as JSON.stringify writes an object without any)
  const definitionTexts = Object.fromEntries(shortened.map(([name, schema]) => [name, isPlainObject(schema) ? write(shapeOf.get(schema)!) : "{}"]));
  const sorted = (names: Set<string>) => [...names].sort(); // code-unit order
  return {
    definitions: definitionTexts,
    shared,
    checks: sorted(checks),
    enums: sorted(enums),
    regexps: sorted(regexps),
    keys: keywordsUsed(shortened.map(([, schema]) => schema)),
  };
}

/**
 * Every key of every schema object (and of the maps of them) as the second pass reads them
 * (the short schemas, which leave out an additionalProperties that allows anything): the
 * keywords the second pass may meet, and some more.
 */
function keywordsUsed(schemas: unknown[]): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isPlainObject(node)) {
      // (keys, not entries: no pair made for each of the many keys)
      for (const key of Object.keys(node)) {
        found.add(key);
        if (key !== "const" && key !== "enum") visit(node[key]);
      }
    }
  };
  schemas.forEach(visit);
  return found;
}

/**
 * "required" written short when it lists properties in their order: `true` when it lists every
 * one, {"allBut": names} when that is shorter than the list.
 */
function shortRequired(required: unknown[], properties: string[]): unknown {
  const allBut = properties.filter((key) => !required.includes(key));
  const rest = JSON.stringify(properties.filter((key) => !allBut.includes(key)));
  if (rest !== JSON.stringify(required)) return required;
  if (allBut.length === 0) return true;
  return JSON.stringify({ allBut }).length < rest.length ? { allBut } : required;
}

/** A JavaScript string literal in single quotes (JSON text holds many double quotes). */
export function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")}'`;
}
