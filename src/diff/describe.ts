import { isPlainObject } from "../json.js";
import { describeTypes, propertyNames, typesOf, valuesOf, type Branch, type SchemaNode } from "./normalize.js";

/**
 * Short readable descriptions of schemas and values for report messages:
 * `Customer`, `string | null`, `"ADDED", "REMOVED"`.
 */
export function describeNode(node: SchemaNode): string {
  const parts = node.branches.map(describeBranch);
  if (node.nullable) parts.push("null");
  return parts.length === 0 ? "nothing" : [...new Set(parts)].join(" | ");
}

function describeBranch(branch: Branch): string {
  const values = valuesOf(branch.schema);
  if (values !== undefined && values.length <= 3) return describeValues(values, " | ");
  const types = typesOf(branch.schema);
  const only = types !== "any" && types.length === 1 ? types[0] : undefined;
  if (branch.named !== undefined && !isGeneratedName(branch.named)) return `${branch.named} (${describeTypes(types)})`;
  if (only === "array") return arrayOf(branch);
  if (only === "object" || branch.named !== undefined) return objectOf(branch);
  return describeTypes(types);
}

/** Names the model made up from a place in a union (`ComponentRowContentAnyOf0`) say nothing about the shape. */
const generatedName = /(AnyOf|OneOf|AllOf)\d+/;

export function isGeneratedName(name: string): boolean {
  return generatedName.test(name);
}

/** `object {type: "UNKNOWN", id, …}`: the properties, with the value of those pinned to one. */
function objectOf(branch: Branch): string {
  const properties = branch.schema["properties"];
  const names = propertyNames(branch.schema);
  if (names.length === 0 || !isPlainObject(properties)) return "object";
  const shown = names.slice(0, 4).map((name) => {
    const values = isPlainObject(properties[name]) ? valuesOf(properties[name] as Record<string, unknown>) : undefined;
    return values?.length === 1 ? `${name}: ${JSON.stringify(values[0])}` : name;
  });
  return `object {${shown.join(", ")}${names.length > 4 ? ", …" : ""}}`;
}

function arrayOf(branch: Branch): string {
  const items = branch.schema["items"];
  const ref = isPlainObject(items) ? items["$ref"] : undefined;
  if (typeof ref === "string") return `array of ${ref.replace(/^#\/definitions\//, "")}`;
  return isPlainObject(items) && items["type"] === "object" ? `array of ${objectOf({ schema: items })}` : "array";
}

/** Values as JSON, at most `limit` of them: `"A", "B" and 3 more`. */
export function describeValues(values: unknown[], separator = ", ", limit = 8): string {
  const shown = values.slice(0, limit).map((v) => shorten(JSON.stringify(v), 60));
  const more = values.length - shown.length;
  return shown.join(separator) + (more > 0 ? ` and ${more} more` : "");
}

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
