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
  // first the short form of every schema, written as JSON in one walk (no copy of the schemas
  // is made), and the shape of each object subschema: equal shapes for equal JSON, found from
  // its keys and its subschemas' shapes (not from its whole text at every depth), with its
  // JSON's length; and how often each shape of 30 characters or more occurs below the roots
  const shapes = new Map<string, number>();
  const lengths: number[] = [];
  const counts: number[] = [];
  // each shape's JSON in pieces, the text around its object subschemas, and their shapes
  // between the pieces: its JSON is then written from these, once per shape
  const pieces: string[][] = [];
  const inside: number[][] = [];
  // every key of every short schema object (and of the maps of them) the second pass may
  // meet, but those below a const or an enum (as a walk of the short schemas finds them)
  const keys = new Set<string>();
  /**
   * A schema's short form: its shape when it is an object, else its JSON (a boolean, or the
   * name a subschema that is only a $ref stands as). `listed`: its keys count in `keys`.
   */
  const short = (schema: Schema, root: boolean, listed: boolean): number | string => {
    if (typeof schema !== "object") return JSON.stringify(schema);
    const names: string[] = [];
    const members: string[] = [];
    // its shape: its JSON with a hole for each object subschema in it, and the shapes that fill
    // them (JSON text never holds the control character that marks a hole)
    const inner: number[] = [];
    let length = 0; // its JSON's length, each subschema written out
    const sub = (value: unknown, subListed: boolean): string => {
      const written = short(value as Schema, false, subListed);
      if (typeof written === "string") return written;
      inner.push(written);
      length += lengths[written]!;
      if (lengths[written]! >= 30) counts[written] = (counts[written] ?? 0) + 1;
      return hole;
    };
    /** A keyword's value as JSON, each subschema it holds written short. */
    const held = (keyword: string, value: unknown, valueListed: boolean): string => {
      const kind = holds.get(keyword) ?? 0;
      if (kind & 1 && !Array.isArray(value)) return sub(value, valueListed);
      if (kind & 2 && Array.isArray(value)) return `[${value.map((item) => sub(item, valueListed)).join(",")}]`;
      if (kind & 4 && isPlainObject(value)) {
        // dependencies maps a name to a schema or to a list of names
        const entries = Object.keys(value).map((k) => {
          if (valueListed) keys.add(k);
          const item = value[k];
          if (!Array.isArray(item)) return `${JSON.stringify(k)}:${sub(item, valueListed && keysBelow(k))}`;
          if (valueListed && keysBelow(k)) keysIn(item, keys);
          return `${JSON.stringify(k)}:${JSON.stringify(item)}`;
        });
        return `{${entries.join(",")}}`;
      }
      if (valueListed) keysIn(value, keys);
      return JSON.stringify(value);
    };
    const check = root ? undefined : functionFor(schema);
    if (check !== undefined) {
      names.push("$check");
      members.push(`"$check":${JSON.stringify(check)}`);
      checks.add(check);
    }
    let named: string | undefined;
    let ref: string | undefined;
    let required = -1; // where "required" is among the members
    for (const key of Object.keys(schema)) {
      const value = schema[key];
      let json: string;
      // a $ref is read as the definition's name; additionalProperties that allows anything
      // changes nothing when another object keyword keeps the object keywords in use
      if (key === "$ref") json = JSON.stringify((ref = (value as string).slice(14)));
      else if (key === "additionalProperties" && !evaluates && alwaysValid(value as Schema) && groupKeywords.object.some((k) => k !== key && schema[k] !== undefined)) continue;
      else if (key === "enum" && Array.isArray(value) && (named = enumSet(value)) !== undefined) {
        json = JSON.stringify(named); // the Set the first pass already holds
        enums.add(named);
      } else if (key === "pattern" && typeof value === "string" && (named = patternRegExp(value)) !== undefined) {
        json = JSON.stringify({ $regexp: named }); // the RegExp the first pass already holds
        regexps.add(named);
        if (listed) keys.add("$regexp");
      } else json = held(key, value, listed && keysBelow(key));
      if (key === "required") required = members.length;
      names.push(key);
      members.push(`${JSON.stringify(key)}:${json}`);
    }
    if (!root && ref !== undefined && names.length === 1) return JSON.stringify(ref);
    const properties = schema["properties"];
    if (required !== -1 && Array.isArray(schema["required"]) && isPlainObject(properties)) {
      const written = shortRequired(schema["required"], Object.keys(properties));
      members[required] = `"required":${JSON.stringify(written)}`;
      if (listed) keysIn(written, keys);
    }
    if (listed) for (const name of names) keys.add(name);
    const text = `{${members.join(",")}}`;
    const key = inner.length === 0 ? text : `${text}${hole}${inner.join(",")}`;
    let id = shapes.get(key);
    if (id === undefined) {
      id = lengths.push(text.length - inner.length + length) - 1;
      shapes.set(key, id);
      pieces.push(inner.length === 0 ? [text] : text.split(hole));
      inside.push(inner);
    }
    return id;
  };
  const shortened = Object.entries(definitions).map(([name, schema]) => [name, short(schema, true, true)] as const);
  // then the JSON, with each object subschema written more than once below the roots written
  // once in `shared` and standing as its index there (equal shapes, equal text: each written once)
  const index = new Map<number, number>();
  const shared: string[] = [];
  const written: (string | undefined)[] = [];
  const write = (id: number): string => {
    let text = written[id];
    if (text !== undefined) return text;
    // (joined: one flat string, not a tree of pieces kept until the module is written)
    const [first, ...rest] = pieces[id]!;
    const parts = [first!];
    rest.forEach((piece, i) => parts.push(reference(inside[id]![i]!), piece));
    written[id] = text = parts.join("");
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
  const definitionTexts = Object.fromEntries(shortened.map(([name, id]) => [name, typeof id === "number" ? write(id) : "{}"]));
  const sorted = (names: Set<string>) => [...names].sort(); // code-unit order
  return {
    definitions: definitionTexts,
    shared,
    checks: sorted(checks),
    enums: sorted(enums),
    regexps: sorted(regexps),
    keys,
  };
}

/** Whether the keys below a key count among those the second pass may meet: not below a const's or an enum's (data, as the walk of the short schemas found them). */
const keysBelow = (key: string): boolean => key !== "const" && key !== "enum";

/** Every key of every object in a value, but those below a const or an enum, into `found`. */
function keysIn(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) value.forEach((item) => keysIn(item, found));
  else if (isPlainObject(value)) {
    // (keys, not entries: no pair made for each of the many keys)
    for (const key of Object.keys(value)) {
      found.add(key);
      if (keysBelow(key)) keysIn(value[key], found);
    }
  }
}

/**
 * "required" written short when it lists properties in their order: `true` when it lists every
 * one, {"allBut": names} when that is shorter than the list.
 */
function shortRequired(required: unknown[], properties: string[]): unknown {
  const allBut = properties.filter((key) => !required.includes(key));
  // the properties it lists, in their order: it is short only when it lists them so
  const rest = properties.filter((key) => !allBut.includes(key));
  if (rest.length !== required.length || rest.some((key, i) => key !== required[i])) return required;
  if (allBut.length === 0) return true;
  return JSON.stringify({ allBut }).length < JSON.stringify(rest).length ? { allBut } : required;
}

/** A JavaScript string literal in single quotes (JSON text holds many double quotes). */
export function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")}'`;
}
