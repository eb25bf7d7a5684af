/**
 * Which keywords of a JSON Schema hold subschemas, so that a walk visits schemas only:
 * the value of "const", "enum", "default" or "examples" is data, never rewritten, and the
 * keys under "properties" are names, not keywords.
 */
export const singleSchemaKeywords = new Set([
  "additionalProperties",
  "additionalItems",
  "items",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contentSchema",
]);

export const schemaArrayKeywords = new Set(["allOf", "anyOf", "oneOf", "items", "prefixItems"]);

export const schemaMapKeywords = new Set(["properties", "patternProperties", "dependentSchemas", "dependencies"]);

/** Containers of definitions: their schemas are visited only when something refers to them. */
export const definitionKeywords = new Set(["definitions", "$defs"]);
