import { isPlainObject } from "../../json.js";
import type { VersionModel } from "../../model/build.js";
import { compiles, type Schema, type SchemaObject } from "./code.js";
import { refused, type PrepareContext } from "./keyword.js";
import { ajvKeywords, keywords } from "./registry.js";

export type Prepared = { ok: true; definitions: Record<string, Schema> } | { ok: false; reason: string };

/**
 * A copy of the model's definitions holding only what Ajv evaluates, or why the compiler
 * cannot take them. Each keyword's prepare() is at least as strict as Ajv's meta-schema for
 * it, so a schema Ajv would refuse is left to Ajv, which refuses it as before.
 */
export function prepareSchemas(model: VersionModel): Prepared {
  const known = ajvKeywords[model.dialect];
  let reason: string | undefined;
  const context: PrepareContext = {
    dialect: model.dialect,
    schema: (value, at) => prepare(value, at),
    refuse(why, at) {
      reason ??= `${why} at ${at}`;
      return refused;
    },
    hasDefinition: (name) => Object.prototype.hasOwnProperty.call(model.definitions, name),
    compiles,
  };

  const prepare = (node: unknown, at: string): Schema => {
    if (typeof node === "boolean") return node;
    if (!isPlainObject(node)) {
      context.refuse("a schema that is not an object", at);
      return true;
    }
    const out: SchemaObject = {};
    for (const [name, value] of Object.entries(node)) {
      const here = `${at}/${name}`;
      if (!known.has(name) || name === "$comment") continue;
      const keyword = keywords.get(name);
      if (keyword === undefined) {
        context.refuse(`keyword "${name}"`, here);
        return true;
      }
      const prepared = keyword.prepare(value, here, context);
      if (prepared === refused) return true;
      out[name] = prepared;
    }
    return out;
  };

  const definitions = Object.fromEntries(
    Object.entries(model.definitions).map(([name, schema]) => [name, prepare(schema, `#/definitions/${name}`)]),
  );
  if (!Object.keys(definitions).every((name) => /^[A-Za-z]\w*$/.test(name))) reason ??= "a definition name";
  return reason === undefined ? { ok: true, definitions } : { ok: false, reason };
}
