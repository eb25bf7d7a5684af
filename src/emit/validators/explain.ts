import { isPlainObject } from "../../json.js";
import { alwaysValid, type Schema } from "./code.js";
import { groupKeywords } from "./registry.js";

// The second pass's data: the schemas as JSON text, written short, that
// templates/runtime/explain.js walks when a payload fails the first pass.

/** Keywords whose value is a schema, a list of schemas, or a map of names to schemas. */
const subschemaKeywords = {
  single: new Set([
    "not", "additionalProperties", "additionalItems", "items", "if", "then", "else", "contains", "propertyNames",
    "unevaluatedProperties", "unevaluatedItems",
  ]),
  list: new Set(["anyOf", "oneOf", "allOf", "items", "prefixItems"]),
  // dependencies maps a name to a schema or to a list of names
  map: new Set(["properties", "patternProperties", "dependentSchemas", "dependencies"]),
};

/**
 * The definitions as JSON text for the second pass, written short (what `$plan` in
 * templates/runtime/explain.js reads back): a subschema that is only a $ref is the
 * definition's name; "required" that lists every property in order is `true`, and one that
 * lists all but a few of them in order is {"allBut": those few}; an enum the
 * first pass holds as a Set is that Set's name, a pattern it holds as a RegExp is
 * {"$regexp": name}; and each object subschema written more than once (30 characters or
 * more of it) is written once in `shared` and stands as its index there: a document split
 * from a bundle repeats its root, with a 30-value enum, in every event, and Plain repeats
 * `anyOf [Datetime, null]` everywhere.
 */
export function schemaText(
  definitions: Record<string, Schema>,
  compiled: {
    functionFor: (schema: Schema) => string | undefined;
    enumSet: (values: unknown[]) => string | undefined;
    patternRegExp: (source: string) => string | undefined;
  },
): { definitions: Record<string, string>; shared: string[]; checks: string[]; enums: string[]; regexps: string[] } {
  const { functionFor, enumSet, patternRegExp } = compiled;
  const checks = new Set<string>();
  const enums = new Set<string>();
  const regexps = new Set<string>();
  /** Applies `each` to every subschema of a schema object (a copy, keys in order). */
  const mapChildren = (schema: Record<string, unknown>, each: (sub: unknown) => unknown): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
      if (subschemaKeywords.single.has(key) && !Array.isArray(value) && value !== undefined) out[key] = each(value);
      else if (subschemaKeywords.list.has(key) && Array.isArray(value)) out[key] = value.map(each);
      else if (subschemaKeywords.map.has(key) && isPlainObject(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v : each(v)]));
      } else out[key] = value;
    }
    return out;
  };
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
  const short = (schema: Schema, root = false): unknown => {
    if (typeof schema !== "object") return schema;
    const out: Record<string, unknown> = {};
    const check = root ? undefined : functionFor(schema);
    if (check !== undefined) {
      out["$check"] = check;
      checks.add(check);
    }
    for (const [key, value] of Object.entries(schema)) {
      // a $ref is read as the definition's name; additionalProperties that allows anything
      // changes nothing when another object keyword keeps the object keywords in use
      if (key === "$ref") out[key] = (value as string).slice(14);
      else if (key === "additionalProperties" && !evaluates && alwaysValid(value as Schema) && groupKeywords.object.some((k) => k !== key && schema[k] !== undefined)) continue;
      else if (key === "enum" && Array.isArray(value) && enumSet(value) !== undefined) {
        out[key] = enumSet(value); // the Set the first pass already holds
        enums.add(out[key] as string);
      } else if (key === "pattern" && typeof value === "string" && patternRegExp(value) !== undefined) {
        out[key] = { $regexp: patternRegExp(value) }; // the RegExp the first pass already holds
        regexps.add(patternRegExp(value)!);
      } else out[key] = value;
    }
    const keys = Object.keys(out);
    if (!root && keys.length === 1 && keys[0] === "$ref") return out["$ref"];
    const written = mapChildren(out, (sub) => short(sub as Schema));
    if (Array.isArray(written["required"]) && isPlainObject(written["properties"])) written["required"] = shortRequired(written["required"], Object.keys(written["properties"]));
    // its shape: its JSON with each object subschema in it standing as its shape's number (a
    // subschema is never a number), so that equal shapes are equal JSON, each written once
    let nested = 0; // what the numbers leave out of its JSON's length
    const text = JSON.stringify(
      mapChildren(written, (sub) => {
        if (!isPlainObject(sub)) return sub;
        const id = shapeOf.get(sub)!;
        nested += lengths[id]! - String(id).length;
        if (lengths[id]! >= 30) counts[id] = (counts[id] ?? 0) + 1;
        return id;
      }),
    );
    let id = shapes.get(text);
    if (id === undefined) {
      id = lengths.push(text.length + nested) - 1;
      shapes.set(text, id);
    }
    shapeOf.set(written, id);
    return written;
  };
  const shortened = Object.entries(definitions).map(([name, schema]) => [name, short(schema, true) as Record<string, unknown>] as const);
  // then the object subschemas written more than once, below the roots, written once in `shared`
  const index = new Map<number, number>();
  const shared: string[] = [];
  const replace = (schema: unknown): unknown =>
    isPlainObject(schema)
      ? mapChildren(schema, (sub) => {
          if (!isPlainObject(sub)) return sub;
          const id = shapeOf.get(sub)!;
          if ((counts[id] ?? 0) < 2) return replace(sub);
          if (!index.has(id)) {
            index.set(id, -1); // reserved: its own text is written below
            const text = JSON.stringify(replace(sub));
            index.set(id, shared.push(text) - 1);
          }
          return index.get(id);
        })
      : schema;
  const definitionTexts = Object.fromEntries(shortened.map(([name, schema]) => [name, JSON.stringify(replace(schema))]));
  const sorted = (names: Set<string>) => [...names].sort(); // code-unit order
  return { definitions: definitionTexts, shared, checks: sorted(checks), enums: sorted(enums), regexps: sorted(regexps) };
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
