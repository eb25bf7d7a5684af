import type { FormatCheck } from "../../runtime.js";
import {
  alwaysValid,
  and,
  functionSource,
  groupTypes,
  groupOf,
  indent,
  isType,
  not,
  or,
  place,
  readsOnce,
  refOnly,
  returningFunction,
  splitTop,
  typesOf,
  VALUE,
  type Parts,
  type Schema,
  type SchemaObject,
} from "./code.js";
import type { CompileContext, Keyword } from "./keyword.js";
import { phasesOf } from "./registry.js";

/**
 * The first pass: one function per definition, conditions inlined, nothing allocated. Each
 * keyword's code comes from its definition in the registry; the compiler places it (a
 * group's keywords behind the check of their type), shares it (one function per shape of
 * subschema) and names what it hoists.
 */
export class Compiler {
  private readonly functions: string[] = [];
  private readonly constants: string[] = [];
  private readonly constantNames = new Map<string, string>();
  private readonly functionNames = new Map<string, string>();
  /**
   * Each subschema's shape: one number for equal schemas (JSON with sorted keys), found from
   * its keys and its parts' shapes, so that no subschema's whole text is ever written (the
   * prepared schemas do not change).
   */
  private readonly shapes = new Map<string, number>();
  private readonly shapeOf = new Map<object, number>();
  /** The checks made, by shape, and those that read the value once (single()). */
  private readonly checks = new Map<number, string>();
  private readonly singles = new Map<number, string>();
  /** Whether a pattern's RegExp gives it back as its `source`, by pattern. */
  private readonly readsBack = new Map<string, boolean>();
  private count = 0;

  constructor(
    private readonly definitions: Record<string, Schema>,
    private readonly formats: Map<string, FormatCheck>,
  ) {}

  /** Every definition as a function `$v_<Name>(d)`, and what they use, as module code. */
  compile(): { constants: string; functions: string } {
    const definitions = Object.keys(this.definitions).map((name) => this.definitionFunction(name, this.definitions[name]!));
    return { constants: this.constants.join("\n"), functions: [...definitions, ...this.functions].join("\n\n") };
  }

  definition(name: string): string {
    return `$v_${name}`;
  }

  /**
   * The function that checks a subschema, when the first pass made one (for the second pass,
   * which then tests that subschema with it instead of walking it).
   */
  functionFor(schema: Schema): string | undefined {
    if (typeof schema === "boolean" || refOnly(schema) !== undefined) return undefined;
    const shape = this.shape(schema);
    for (const check of [this.checks.get(shape), this.singles.get(shape)]) {
      const call = check === undefined ? undefined : /^(\$f\d+)\(\u0000\)$/.exec(check);
      if (call) return call[1];
    }
    return undefined;
  }

  private definitionFunction(name: string, schema: Schema): string {
    if (typeof schema === "boolean" || alwaysValid(schema)) return returningFunction(this.definition(name), `${schema !== false}`);
    const ref = refOnly(schema);
    const parts: Parts = ref !== undefined ? { conditions: [`${this.definition(ref)}(${VALUE})`], statements: [] } : this.parts(schema);
    // a definition that is one hoisted function (a union, an array) is that function
    const hoisted = parts.statements.length === 0 && parts.conditions.length === 1 ? /^(\$f\d+)\(\u0000\)$/.exec(parts.conditions[0]!) : null;
    if (hoisted) return `const ${this.definition(name)} = ${hoisted[1]};`;
    return functionSource(this.definition(name), parts);
  }

  /** A condition (over VALUE) that holds when the value is valid; a function call when loops are needed. */
  check(schema: Schema): string {
    if (typeof schema === "boolean" || alwaysValid(schema)) return `${schema !== false}`;
    const ref = refOnly(schema);
    if (ref !== undefined) return `${this.definition(ref)}(${VALUE})`;
    const shape = this.shape(schema);
    let check = this.checks.get(shape);
    if (check === undefined) {
      const parts = this.parts(schema);
      const inline = and(parts.conditions);
      // small checks are inlined where they are used; the rest are functions, one per shape
      const small = parts.statements.length === 0 && parts.conditions.length <= 4 && inline.length <= 160;
      check = small ? inline : `${this.hoistFunction(`#${shape}`, (name) => functionSource(name, parts))}(${VALUE})`;
      this.checks.set(shape, check);
    }
    return check;
  }

  /** As check(), but reading the value once (a check that reads it more often becomes a function). */
  single(schema: Schema): string {
    const check = this.check(schema);
    if (readsOnce(check)) return check;
    const shape = this.shape(schema as SchemaObject);
    const call = `${this.hoistFunction(`single #${shape}`, (name) => returningFunction(name, place(check, "d")))}(${VALUE})`;
    this.singles.set(shape, call);
    return call;
  }

  /**
   * The shape of an object or an array: its JSON with sorted keys, but with each object in it,
   * and each array that holds one, written as `#<its shape>`.
   */
  private shape(value: object): number {
    let shape = this.shapeOf.get(value);
    if (shape === undefined) {
      const text = Array.isArray(value) ? `[${value.map((item) => this.part(item)).join(",")}]` : this.objectText(value as Record<string, unknown>);
      shape = this.shapes.get(text);
      if (shape === undefined) this.shapes.set(text, (shape = this.shapes.size));
      this.shapeOf.set(value, shape);
    }
    return shape;
  }

  // (joined, not added up: a text made with += is a tree of its pieces, which the map of
  // shapes would keep, many times the size of the text)
  private objectText(value: Record<string, unknown>): string {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${this.part(value[key])}`)
      .join(",")}}`;
  }

  /** A value in a shape's text: JSON for a primitive or a list of them (an enum, "required"), else `#<its shape>`. */
  private part(value: unknown): string {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value) && value.every((item) => item === null || typeof item !== "object")) return JSON.stringify(value);
    return `#${this.shape(value)}`;
  }

  hoistFunction(key: string, source: (name: string) => string): string {
    let name = this.functionNames.get(key);
    if (name === undefined) {
      name = `$f${++this.count}`;
      this.functionNames.set(key, name);
      this.functions.push(source(name));
    }
    return name;
  }

  /**
   * The RegExp a compiled check hoisted for this pattern, when its `source` gives the pattern
   * back as written (a pattern with a "/" or a line break reads back escaped).
   */
  patternRegExp(source: string): string | undefined {
    let readsBack = this.readsBack.get(source);
    if (readsBack === undefined) this.readsBack.set(source, (readsBack = !/[/\n\r\u2028\u2029]/.test(source) && new RegExp(source, "u").source === source));
    if (!readsBack) return undefined;
    const name = this.constantNames.get(`new RegExp(${JSON.stringify(source)}, "u")`);
    return name?.startsWith("$pattern") ? name : undefined;
  }

  /** The Set a compiled check hoisted for this enum, when it holds exactly its values in order. */
  enumSet(values: unknown[]): string | undefined {
    if (values.some((v) => v !== null && typeof v === "object") || new Set(values).size !== values.length) return undefined;
    const name = this.constantNames.get(`new Set(${JSON.stringify(values)})`);
    return name?.startsWith("$enum") ? name : undefined;
  }

  constant(initializer: string, prefix: string): string {
    let name = this.constantNames.get(initializer);
    if (name === undefined) {
      name = `${prefix}${this.constantNames.size + 1}`;
      this.constantNames.set(initializer, name);
      this.constants.push(`const ${name} = ${initializer};`);
    }
    return name;
  }

  /** The call of a format check for a value of that type, if the format checks anything. */
  format(name: unknown, type: "string" | "number"): string | undefined {
    if (typeof name !== "string") return undefined;
    const check = this.formats.get(name);
    if (check === undefined) return undefined; // a format that checks nothing
    if ((check.kind === "number") !== (type === "number")) return undefined;
    return check.kind === "test" ? `${check.identifier}.test(${VALUE})` : check.kind === "call" ? `${check.identifier}(${VALUE})` : `${check.identifier}.validate(${VALUE})`;
  }

  private parts(schema: SchemaObject): Parts {
    const conditions: string[] = [];
    const statements: string[] = [];
    const context = new SchemaContext(this, this.definitions);
    const add = (keywords: Keyword[], into: Parts, group?: (typeof groupTypes)[number]) => {
      for (const keyword of keywords) {
        const parts = keyword.compile!(schema, context, group);
        if (parts?.conditions !== undefined) into.conditions.push(...parts.conditions);
        if (parts?.statements !== undefined) into.statements.push(...parts.statements);
      }
    };
    const present = phasesOf(schema);
    add(present.first, { conditions, statements });
    const types = typesOf(schema);
    for (const group of groupTypes) {
      if (present.groups[group].length === 0) continue;
      // a group of keywords applies only to values of its type; none can if the type excludes it
      if (types.length > 0 && !types.some((t) => groupOf(t) === group)) continue;
      const guarded = !(types.length > 0 && types.every((t) => groupOf(t) === group));
      const inner: Parts = { conditions: [], statements: [] };
      add(present.groups[group], inner, group);
      const guard = isType(group, VALUE);
      if (!guarded) {
        conditions.push(...inner.conditions);
        statements.push(...inner.statements);
      } else {
        if (inner.conditions.length > 0) conditions.push(or([not(guard), and(inner.conditions)]));
        if (inner.statements.length > 0) statements.push(`if (${guard}) {`, ...inner.statements.map(indent), "}");
      }
    }
    add(present.last, { conditions, statements });
    // each test once (allOf [{type: string}, {type: string, pattern}] tests the type twice)
    const seen = new Set<string>();
    const first = (test: string): boolean => {
      if (test === "true" || seen.has(test)) return false;
      seen.add(test);
      return true;
    };
    const once = conditions.map((c) => and(splitTop(c, " && ").filter(first)));
    return { conditions: once.filter((c) => c !== "true"), statements };
  }

  /** Whether a schema certainly fails on undefined (a missing property). */
  rejectsUndefined(schema: Schema, depth: number): boolean {
    if (typeof schema === "boolean") return !schema;
    if (depth > 32) return false;
    if (schema["type"] !== undefined || schema["const"] !== undefined || schema["enum"] !== undefined) return true;
    const all = (list: unknown) => Array.isArray(list) && (list as Schema[]).every((s) => this.rejectsUndefined(s, depth + 1));
    const some = (list: unknown) => Array.isArray(list) && (list as Schema[]).some((s) => this.rejectsUndefined(s, depth + 1));
    return (
      (typeof schema["$ref"] === "string" && this.rejectsUndefined(this.definitions[(schema["$ref"] as string).slice(14)]!, depth + 1)) ||
      some(schema["allOf"]) ||
      all(schema["anyOf"]) ||
      all(schema["oneOf"])
    );
  }
}

/**
 * The context a keyword's compile() gets, for one schema: the compiler's methods, and locals
 * numbered in that schema (one object per schema compiled, not a closure per method).
 */
class SchemaContext implements CompileContext {
  private locals = 0;

  constructor(
    private readonly compiler: Compiler,
    readonly definitions: Record<string, Schema>,
  ) {}

  check(schema: Schema): string {
    return this.compiler.check(schema);
  }

  single(schema: Schema): string {
    return this.compiler.single(schema);
  }

  constant(initializer: string, prefix: string): string {
    return this.compiler.constant(initializer, prefix);
  }

  hoistFunction(key: string, source: (name: string) => string): string {
    return this.compiler.hoistFunction(key, source);
  }

  local(prefix: string): string {
    return `${prefix}${++this.locals}`;
  }

  definition(name: string): string {
    return this.compiler.definition(name);
  }

  format(name: unknown, type: "string" | "number"): string | undefined {
    return this.compiler.format(name, type);
  }

  rejectsUndefined(schema: Schema): boolean {
    return this.compiler.rejectsUndefined(schema, 0);
  }
}
