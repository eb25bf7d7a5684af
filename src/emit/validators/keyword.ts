import type { Dialect } from "../../model/build.js";
import type { Group, Parts, Schema, SchemaObject } from "./code.js";

/**
 * One keyword Ajv evaluates, as the compiler takes it: which dialects have it, how its value
 * is checked and copied before compiling (prepare), the first pass's code for it (compile),
 * and where the second pass explains it. A keyword's whole definition lives in the file of its
 * family (core.ts, applicator.ts, validation.ts, format.ts, unevaluated.ts, as Ajv groups its
 * vocabularies); registry.ts only lists the families.
 */
export interface Keyword {
  keyword: string;
  dialects: readonly Dialect[];
  /**
   * Where its code goes among a schema's checks: "first" (type, const, enum), with the
   * keywords of one type of value (checked only on values of that type, as Ajv's rule
   * groups are), or "last" (the applicators over the whole value); `order` within that.
   */
  phase: "first" | Group | readonly Group[] | "last";
  order: number;
  /**
   * The value as the compiler keeps it (subschemas prepared through `c.schema`), or
   * `c.refuse(...)`: at least as strict as Ajv's meta-schema for the keyword.
   */
  prepare(value: unknown, at: string, c: PrepareContext): unknown;
  /** The first pass's code; a keyword without one is compiled by the keyword named in `with`. */
  compile?: (schema: SchemaObject, c: CompileContext, group: Group | undefined) => Partial<Parts> | undefined;
  with?: string;
  /** The template of templates/runtime/ whose $explainers entry reports its errors (Ajv's). */
  explain: string;
}

/** What a keyword's prepare() may use. */
export interface PrepareContext {
  dialect: Dialect;
  /** A subschema, prepared. */
  schema(value: unknown, at: string): Schema;
  /** Gives up on the whole version: the first reason is reported. */
  refuse(why: string, at: string): typeof refused;
  /** Whether the model has a definition of that name. */
  hasDefinition(name: string): boolean;
  /** Whether a pattern compiles as a Unicode regular expression. */
  compiles(pattern: string): boolean;
}

export const refused: unique symbol = Symbol("refused");

/** What a keyword's prepare() returns for a keyword Ajv would not assert (an unknown format): left out. */
export const omitted: unique symbol = Symbol("omitted");

/** What a keyword's compile() may use: the compiler, for one schema. */
export interface CompileContext {
  /** A condition (over VALUE) that holds when the value is valid against a subschema. */
  check(schema: Schema): string;
  /** As check(), but reading the value once. */
  single(schema: Schema): string;
  /** A module-level constant with that initializer (one per initializer), by name. */
  constant(initializer: string, prefix: string): string;
  /** A module-level function made once per key; its name. */
  hoistFunction(key: string, source: (name: string) => string): string;
  /** A fresh local variable name in the function being compiled. */
  local(prefix: string): string;
  /** The function of a named definition. */
  definition(name: string): string;
  /** The model's definitions, prepared. */
  definitions: Record<string, Schema>;
  /** The call of a format check for a value of that type, if the format checks anything. */
  format(name: unknown, type: "string" | "number"): string | undefined;
  /** Whether a schema certainly fails on undefined (a missing property). */
  rejectsUndefined(schema: Schema): boolean;
}
