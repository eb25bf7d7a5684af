import { pointerSegment, type Problem } from "../../errors.js";
import { isPlainObject } from "../../json.js";
import type { VersionModel } from "../../model/build.js";
import { compiles, type Schema, type SchemaObject } from "./code.js";
import { omitted, refused, type PrepareContext } from "./keyword.js";
import { ajvKeywords, ignoredKeywords, keywords } from "./registry.js";

export type Prepared = { ok: true; definitions: Record<string, Schema> } | { ok: false; problems: Problem[] };

/**
 * A copy of the model's definitions holding only what Ajv evaluates, or the problems that
 * keep the compiler from taking them (each with the file and the JSON pointer it comes from).
 * Each keyword's prepare() is at least as strict as Ajv's meta-schema for it, so a schema
 * Ajv would refuse is refused here too.
 */
export function prepareSchemas(model: VersionModel): Prepared {
  const known = ajvKeywords[model.dialect];
  const problems: Problem[] = [];
  /** `#/definitions/<Name>/rest` → the definition's own file and pointer, and the rest below it. */
  const locate = (at: string): { file: string; pointer: string } => {
    const [, name, rest] = /^#\/definitions\/([^/]*)(.*)$/.exec(at) ?? [];
    const origin = name === undefined ? undefined : model.origins?.[name];
    return origin === undefined ? { file: model.source, pointer: at.slice(1) } : { file: origin.file, pointer: origin.pointer + rest };
  };
  const context: PrepareContext = {
    dialect: model.dialect,
    schema: (value, at) => prepare(value, at),
    refuse(why, at) {
      const { file, pointer } = locate(at);
      problems.push({
        code: "unsupported",
        file,
        pointer,
        message: `the validators cannot check ${why}`,
        hint: "the schema's value there is not one Ajv accepts for this keyword, or the keyword is not supported yet; please report it if the schema is valid",
      });
      return refused;
    },
    hasDefinition: (name) => Object.prototype.hasOwnProperty.call(model.definitions, name),
    compiles,
  };

  const prepare = (node: unknown, at: string): Schema => {
    if (typeof node === "boolean") return node;
    if (!isPlainObject(node)) {
      context.refuse("a schema that is not an object or a boolean", at);
      return true;
    }
    const out: SchemaObject = {};
    for (const name of Object.keys(node)) {
      if (!known.has(name) || ignoredKeywords.has(name)) continue;
      const here = `${at}/${pointerSegment(name)}`;
      const value = node[name];
      const keyword = keywords.get(name);
      if (keyword === undefined) {
        context.refuse(`keyword "${name}"`, here);
        continue;
      }
      const prepared = keyword.prepare(value, here, context);
      if (prepared !== refused && prepared !== omitted) out[name] = prepared;
    }
    if (out["nullable"] !== undefined) {
      const types = out["type"] === undefined ? [] : ([] as unknown[]).concat(out["type"]);
      if (types.length === 0) context.refuse("nullable without a type (Ajv refuses it)", `${at}/nullable`);
      else if (out["nullable"] === false && types.includes("null")) context.refuse("type null with nullable: false (Ajv refuses it)", `${at}/nullable`);
      else if (out["nullable"] === true && Array.isArray(out["type"]) && !types.includes("null")) out["type"] = [...types, "null"];
    }
    return out;
  };

  const definitions = Object.fromEntries(
    Object.entries(model.definitions).map(([name, schema]) => [name, prepare(schema, `#/definitions/${pointerSegment(name)}`)]),
  );
  for (const name of Object.keys(definitions)) if (!/^[A-Za-z]\w*$/.test(name)) context.refuse(`a definition named ${JSON.stringify(name)}`, `#/definitions/${pointerSegment(name)}`);
  return problems.length === 0 ? { ok: true, definitions } : { ok: false, problems };
}
