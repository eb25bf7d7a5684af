import { joinPointer, type Problem } from "../errors.js";
import { isPlainObject } from "../json.js";
import { definitionKeywords, schemaMapKeywords } from "../model/schema-walk.js";

/**
 * Keywords that json-schema-to-typescript (16) reads from a schema and that no validator
 * evaluates. A catalogue is input from a provider, not code: these would let it write
 * TypeScript into types.ts (`tsType` is pasted verbatim), turn a union of strings into an
 * enum of its choosing (`tsEnumNames`), make a type extend another that the payload is
 * never checked against (`extends`, draft-03 inheritance, ignored by draft-07 and 2020-12), or
 * declare an inline schema as a type of the name it gives (`id`, draft-04's `$id`, also ignored
 * by draft-07 and 2020-12: two interfaces of one name merge, so it could add fields to another
 * definition's type).
 * The generator sets `tsType` itself, after loading, to refer to definitions by name
 * (src/emit/types.ts); nothing from the catalogue reaches json-schema-to-typescript with one.
 */
export const typeGeneratorKeywords: ReadonlyMap<string, string> = new Map([
  ["tsType", "json-schema-to-typescript would copy it into types.ts as TypeScript code"],
  ["tsEnumNames", "json-schema-to-typescript would declare a TypeScript enum with these member names"],
  ["extends", "json-schema-to-typescript would make the type extend it (draft-03), while the validators ignore it"],
  ["id", "json-schema-to-typescript would declare a type of this name (draft-04's $id), while the validators ignore it"],
]);

/** Values that are data, never schemas: an object in them is a value, its keys are not keywords (OpenAPI's `example` too). */
const dataKeywords = new Set(["const", "enum", "default", "examples", "example"]);

/**
 * Removes the keywords above from every schema of a catalogue file, in place, and returns a
 * warning for each one removed (file and JSON pointer).
 */
export function stripTypeGeneratorKeywords(json: unknown, file: string): Problem[] {
  const warnings: Problem[] = [];
  forEachKeyword(json, (owner, key, pointer) => {
    delete owner[key];
    warnings.push({
      code: "keyword_stripped",
      file,
      pointer,
      message: `"${key}" removed: ${typeGeneratorKeywords.get(key)}; a schema cannot set it`,
      hint: "the types come from the schema's own keywords; remove it from the schema to silence this warning",
    });
  });
  return warnings;
}

/**
 * Where the same keywords are in a schema of the model: nowhere after loading, except in data
 * that a `$ref` made into a schema (`#/properties/a/enum/0`).
 */
export function typeGeneratorKeywordsIn(schema: unknown): string[] {
  const found: string[] = [];
  forEachKeyword(schema, (_, __, pointer) => found.push(pointer));
  return found;
}

/**
 * Calls `visit` for each of the keywords in a schema. Any object outside data is taken for a
 * schema, since a `$ref` may reach it (a bundle's `components`, say); the keys of `properties`
 * and the other maps of named schemas are names, not keywords.
 */
function forEachKeyword(node: unknown, visit: (owner: Record<string, unknown>, key: string, pointer: string) => void, at: (string | number)[] = []): void {
  // the pointer is joined only for a keyword found, and the walk allocates nothing per node:
  // on a run answered from the cache this scan of every file was a large part of the time
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item: unknown = node[i];
      if (typeof item !== "object" || item === null) continue;
      at.push(i);
      forEachKeyword(item, visit, at);
      at.pop();
    }
    return;
  }
  if (!isPlainObject(node)) return;
  for (const key of Object.keys(node)) {
    const value = node[key];
    // json-schema-to-typescript takes `id` as a name only when it is a string
    if (typeGeneratorKeywords.has(key) && (key !== "id" || typeof value === "string")) visit(node, key, joinPointer("", ...at, key));
    else if (typeof value !== "object" || value === null || dataKeywords.has(key)) continue;
    else if ((schemaMapKeywords.has(key) || definitionKeywords.has(key)) && isPlainObject(value)) {
      at.push(key);
      for (const name of Object.keys(value)) {
        at.push(name);
        forEachKeyword(value[name], visit, at);
        at.pop();
      }
      at.pop();
    } else {
      at.push(key);
      forEachKeyword(value, visit, at);
      at.pop();
    }
  }
}
