import { createRequire } from "node:module";
import type { Options } from "ajv";
import { CodegenError } from "../errors.js";
import { isPlainObject } from "../json.js";
import { pointerSegments } from "../load/manifest.js";
import type { VersionModel } from "../model/build.js";
import type { FileOutput } from "../output.js";
import {
  equalSource,
  errorsSource,
  explainSource,
  formatDefinitions,
  formatRuntime,
  formatsSource,
  runtimeHelpers,
  ucs2lengthSource,
  type FormatCheck,
} from "../runtime.js";

/** The exported name of an event's validator. */
export const validatorName = (typeName: string): string => `validate${typeName}`;

/**
 * validators.js: for every event of the version, a validator compiled ahead of time from the
 * model's schemas, plus a dispatcher that picks the validator by the payload's event name.
 * validators.d.ts: its declarations, typed by types.ts.
 *
 * A validator runs in two passes. The first is plain code compiled from the schemas that only
 * answers valid or not, and allocates nothing: each named definition is one function the
 * events share (as are repeated anonymous shapes), a union whose branches pin a property to
 * constants is a switch on that property, enums are Sets, patterns are hoisted, formats are
 * fast checks with the full checks' verdicts, and a required property whose own check fails on
 * undefined needs no separate presence check. Only when it says "invalid" does the second pass
 * run (templates/runtime/explain.js): it walks the schemas, embedded as JSON and read on first
 * use, testing each part with the first pass's functions so that it walks only what fails, and
 * reports exactly the errors Ajv reports with allErrors, which validateEvent then makes
 * readable. The semantics are Ajv's with the options ajvModule() uses (ownProperties: a
 * payload's properties are its own); test/differential*.test.ts compare verdicts and errors
 * with Ajv on thousands of payloads per event. A version whose schemas use a keyword the
 * compiler does not implement (see compiledKeywords) gets Ajv's standalone code instead.
 */
export function emitValidators(model: VersionModel, header: string): FileOutput[] {
  const base = `${model.provider.name}/${model.version}`;
  const prepared = prepareSchemas(model);
  // Our compiler lays its code out itself (prettier would spend more time on this file than
  // the rest of the run takes); Ajv's code goes through the format stage.
  const validators: FileOutput = prepared.ok
    ? { path: `${base}/validators.js`, content: `${header}\n${compiledModule(model, prepared.definitions)}`, formatted: true }
    : { path: `${base}/validators.js`, content: `${header}\n${ajvModule(model)}` };
  return [validators, { path: `${base}/validators.d.ts`, content: `${header}\n${declarations(model)}` }];
}

/** The validators.js module of a version: compiled by us when we can, else by Ajv. */
export function validatorModule(model: VersionModel): string {
  const prepared = prepareSchemas(model);
  return prepared.ok ? compiledModule(model, prepared.definitions) : ajvModule(model);
}

/** Whether the compiler implements every keyword the version uses (else why not), for the bench's report. */
export function compilerCoverage(model: VersionModel): { compiled: true } | { compiled: false; reason: string } {
  const prepared = prepareSchemas(model);
  return prepared.ok ? { compiled: true } : { compiled: false, reason: prepared.reason };
}

// ---------------------------------------------------------------------------------------
// Preparing the schemas: only the keywords Ajv evaluates, checked to be ones we compile.

type Schema = boolean | SchemaObject;
interface SchemaObject {
  [keyword: string]: unknown;
}

const jsonTypes = new Set(["string", "number", "integer", "boolean", "null", "object", "array"]);

/** The keywords Ajv (8, with strict: false) evaluates, per dialect; the rest are annotations it ignores. */
export const ajvKeywords: Record<VersionModel["dialect"], ReadonlySet<string>> = (() => {
  const common = [
    "$comment", "id", "$ref", "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf",
    "maxLength", "minLength", "pattern", "maxProperties", "minProperties", "required", "maxItems", "minItems",
    "uniqueItems", "type", "nullable", "const", "enum", "not", "anyOf", "oneOf", "allOf", "if", "then", "else",
    "propertyNames", "additionalProperties", "dependencies", "properties", "patternProperties", "items",
    "contains", "format",
  ];
  return {
    "draft-07": new Set([...common, "additionalItems"]),
    "2020-12": new Set([
      ...common, "$dynamicAnchor", "$dynamicRef", "$recursiveAnchor", "$recursiveRef", "prefixItems",
      "dependentRequired", "dependentSchemas", "maxContains", "minContains", "unevaluatedProperties",
      "unevaluatedItems",
    ]),
  };
})();

/** The keywords the compiler implements (with Ajv's semantics); "$comment" does nothing. */
export const compiledKeywords: ReadonlySet<string> = new Set([
  "$comment", "$ref", "type", "const", "enum", "not", "anyOf", "oneOf", "allOf", "maximum", "minimum",
  "exclusiveMaximum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "format", "maxItems",
  "minItems", "items", "additionalItems", "maxProperties", "minProperties", "required",
  "additionalProperties", "properties", "patternProperties",
]);

type Prepared = { ok: true; definitions: Record<string, Schema> } | { ok: false; reason: string };

/**
 * A copy of the model's definitions holding only what Ajv evaluates, or why the compiler
 * cannot take them. The checks are at least as strict as Ajv's meta-schema for the keywords
 * compiled, so a schema Ajv would refuse is left to Ajv, which refuses it as before.
 */
function prepareSchemas(model: VersionModel): Prepared {
  const known = ajvKeywords[model.dialect];
  let reason: string | undefined;
  const refuse = (why: string, at: string): Schema => {
    reason ??= `${why} at ${at}`;
    return true;
  };
  const naturals = new Set(["maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties"]);
  const numbers = new Set(["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"]);

  const prepare = (node: unknown, at: string): Schema => {
    if (typeof node === "boolean") return node;
    if (!isPlainObject(node)) return refuse("a schema that is not an object", at);
    const out: SchemaObject = {};
    for (const [keyword, value] of Object.entries(node)) {
      const here = `${at}/${keyword}`;
      if (!known.has(keyword) || keyword === "$comment") continue;
      if (!compiledKeywords.has(keyword)) return refuse(`keyword "${keyword}"`, here);
      if (keyword === "$ref") {
        const name = typeof value === "string" ? /^#\/definitions\/(\w+)$/.exec(value)?.[1] : undefined;
        if (name === undefined || !Object.prototype.hasOwnProperty.call(model.definitions, name)) return refuse("a $ref", here);
        out[keyword] = value;
      } else if (keyword === "type") {
        const types = Array.isArray(value) ? value : [value];
        if (types.length === 0 || new Set(types).size !== types.length || !types.every((t) => jsonTypes.has(t as string))) {
          return refuse("a type", here);
        }
        out[keyword] = value;
      } else if (keyword === "const") {
        out[keyword] = value;
      } else if (keyword === "enum") {
        if (!Array.isArray(value) || value.length === 0) return refuse("an enum", here);
        out[keyword] = value;
      } else if (keyword === "not" || keyword === "additionalProperties" || keyword === "additionalItems") {
        out[keyword] = prepare(value, here);
      } else if (keyword === "items") {
        if (Array.isArray(value) && model.dialect === "draft-07" && value.length > 0) {
          out[keyword] = value.map((v, i) => prepare(v, `${here}/${i}`));
        } else if (!Array.isArray(value)) out[keyword] = prepare(value, here);
        else return refuse("items", here);
      } else if (keyword === "anyOf" || keyword === "oneOf" || keyword === "allOf") {
        if (!Array.isArray(value) || value.length === 0) return refuse(`an ${keyword}`, here);
        out[keyword] = value.map((v, i) => prepare(v, `${here}/${i}`));
      } else if (numbers.has(keyword)) {
        if (typeof value !== "number" || !Number.isFinite(value)) return refuse(`a ${keyword}`, here);
        out[keyword] = value;
      } else if (naturals.has(keyword)) {
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0) return refuse(`a ${keyword}`, here);
        out[keyword] = value;
      } else if (keyword === "pattern") {
        if (typeof value !== "string" || !compiles(value)) return refuse("a pattern", here);
        out[keyword] = value;
      } else if (keyword === "format") {
        if (typeof value !== "string" || !(value in formatDefinitions)) return refuse("a format", here);
        out[keyword] = value;
      } else if (keyword === "required") {
        if (!Array.isArray(value) || !value.every((v) => typeof v === "string") || new Set(value).size !== value.length) {
          return refuse("a required list", here);
        }
        out[keyword] = value;
      } else if (keyword === "properties" || keyword === "patternProperties") {
        if (!isPlainObject(value) || Object.prototype.hasOwnProperty.call(value, "__proto__")) return refuse(`${keyword}`, here);
        if (keyword === "patternProperties" && !Object.keys(value).every(compiles)) return refuse("a pattern", here);
        out[keyword] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepare(v, `${here}/${k}`)]));
      }
    }
    return out;
  };

  const definitions = Object.fromEntries(
    Object.entries(model.definitions).map(([name, schema]) => [name, prepare(schema, `#/definitions/${name}`)]),
  );
  if (!Object.keys(definitions).every((name) => /^[A-Za-z]\w*$/.test(name))) reason ??= "a definition name";
  return reason === undefined ? { ok: true, definitions } : { ok: false, reason };
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// The first pass: one function per definition, conditions inlined, nothing allocated.

/** Stands for the value a condition checks until the condition is placed. */
const VALUE = "\u0000";

const groupTypes = ["number", "string", "array", "object"] as const;
type Group = (typeof groupTypes)[number];

/** The keywords that apply to one type of value only, by type (Ajv's rule groups). */
const groupKeywords: Record<Group, string[]> = {
  number: ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "format"],
  string: ["maxLength", "minLength", "pattern", "format"],
  array: ["maxItems", "minItems", "additionalItems", "items"],
  object: ["maxProperties", "minProperties", "required", "additionalProperties", "properties", "patternProperties"],
};

const groupOf = (type: string): Group | undefined =>
  type === "integer" ? "number" : (groupTypes as readonly string[]).includes(type) ? (type as Group) : undefined;

/** The condition Ajv checks for a JSON type (with strictNumbers off, as the generator runs it). */
function isType(type: string, x: string): string {
  switch (type) {
    case "null":
      return `${x} === null`;
    case "array":
      return `Array.isArray(${x})`;
    case "object":
      return `$isObject(${x})`;
    case "integer":
      return `typeof ${x} == "number" && !(${x} % 1) && !isNaN(${x})`;
    default:
      return `typeof ${x} == ${JSON.stringify(type)}`;
  }
}

/** Whether a primitive is of a JSON type, as isType() decides it. */
function hasType(type: string, value: unknown): boolean {
  if (type === "null") return value === null;
  if (type === "integer") return typeof value === "number" && !(value % 1) && !isNaN(value);
  return typeof value === type;
}

const typesOf = (schema: SchemaObject): string[] =>
  schema["type"] === undefined ? [] : Array.isArray(schema["type"]) ? (schema["type"] as string[]) : [schema["type"] as string];

const alwaysValid = (schema: Schema): boolean => schema === true || (typeof schema === "object" && Object.keys(schema).length === 0);

const refOnly = (schema: SchemaObject): string | undefined =>
  Object.keys(schema).length === 1 && typeof schema["$ref"] === "string" ? (schema["$ref"] as string).slice(14) : undefined;

/** JSON with sorted keys: equal schemas, equal keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A primitive as a JavaScript literal. */
const literal = (value: unknown): string => JSON.stringify(value);

/** An object or array as an expression that builds it: parsed, so that a key "__proto__" stays a key. */
const jsonValue = (value: unknown): string => `JSON.parse(${JSON.stringify(JSON.stringify(value))})`;

const property = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/** The names every object inherits: a payload has such a property only if it is its own. */
const inheritedNames = new Set([
  "constructor", "__defineGetter__", "__defineSetter__", "hasOwnProperty", "__lookupGetter__", "__lookupSetter__",
  "isPrototypeOf", "propertyIsEnumerable", "toString", "valueOf", "__proto__", "toLocaleString",
]);

/**
 * A property of an object, as Ajv reads it with ownProperties: a property the object does not
 * own is undefined. A JSON value inherits only from Object.prototype, so only names found
 * there need the (slower) ownership check.
 */
const member = (x: string, key: string): string => (inheritedNames.has(key) ? `$own(${x}, ${JSON.stringify(key)})` : `${x}${property(key)}`);

/** Whether an expression needs no parentheses as an operand of !. */
function atomic(code: string): boolean {
  if (/^!?[\w$.]+$/.test(code)) return true;
  const call = /^!?[\w$.]+\(/.exec(code);
  return call !== null && code.endsWith(")") && closingBracket(code, call[0].length - 1) === code.length - 1;
}

/** The index of the bracket that closes the one at `open`, skipping string literals. */
function closingBracket(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"' || c === "'") i = stringEnd(code, i);
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if ((c === ")" || c === "]" || c === "}") && --depth === 0) return i;
  }
  return -1;
}

function stringEnd(code: string, start: number): number {
  let i = start + 1;
  while (i < code.length && code[i] !== code[start]) i += code[i] === "\\" ? 2 : 1;
  return i;
}

/** The expression cut at each `separator` outside brackets and string literals. */
function splitTop(code: string, separator: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"' || c === "'") i = stringEnd(code, i);
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && code.startsWith(separator, i)) {
      pieces.push(code.slice(from, i));
      from = i + separator.length;
      i = from - 1;
    }
  }
  pieces.push(code.slice(from));
  return pieces;
}

/**
 * Parentheses only where precedence needs them, or where prettier would add them for the
 * reader (&& inside ||): comparisons bind tighter than && and ||, && tighter than ||.
 */
const loose = (code: string, others: string[]): boolean => others.some((op) => splitTop(code, op).length > 1);
const andOperand = (code: string): string => (loose(code, [" || ", " ? ", ", ", " = ", " ?? "]) ? `(${code})` : code);
const orOperand = (code: string): string => (loose(code, [" && ", " ? ", ", ", " = ", " ?? "]) ? `(${code})` : code);
const not = (code: string): string => (atomic(code) ? (code.startsWith("!") ? code.slice(1) : `!${code}`) : `!(${code})`);
const and = (codes: string[]): string => (codes.length === 0 ? "true" : codes.length === 1 ? codes[0]! : codes.map(andOperand).join(" && "));
const or = (codes: string[]): string => (codes.length === 0 ? "false" : codes.length === 1 ? codes[0]! : codes.map(orOperand).join(" || "));
const place = (code: string, x: string): string => code.split(VALUE).join(x);

/** What a schema compiles to: conditions that must all hold, then statements that return false. */
interface Parts {
  conditions: string[];
  statements: string[];
}

/** What a schema says about one property of an object, for dispatching a union on it. */
interface Pins {
  required: Set<string>;
  values: Map<string, unknown[]>;
  objectOnly: boolean;
}

class Compiler {
  private readonly functions: string[] = [];
  private readonly constants: string[] = [];
  private readonly constantNames = new Map<string, string>();
  private readonly checks = new Map<string, string>();
  private readonly functionNames = new Map<string, string>();
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
    const key = canonical(schema);
    for (const check of [this.checks.get(key), this.checks.get(`single ${key}`)]) {
      const call = check === undefined ? undefined : /^(\$f\d+)\(\u0000\)$/.exec(check);
      if (call) return call[1];
    }
    return undefined;
  }

  private definitionFunction(name: string, schema: Schema): string {
    if (typeof schema === "boolean" || alwaysValid(schema)) return `function ${this.definition(name)}(d) {\n  ${returns(`${schema !== false}`)}\n}`;
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
    const key = canonical(schema);
    let check = this.checks.get(key);
    if (check === undefined) {
      const parts = this.parts(schema);
      const inline = and(parts.conditions);
      // small checks are inlined where they are used; the rest are functions, one per shape
      const small = parts.statements.length === 0 && parts.conditions.length <= 4 && inline.length <= 160;
      check = small ? inline : `${this.hoistFunction(key, (name) => functionSource(name, parts))}(${VALUE})`;
      this.checks.set(key, check);
    }
    return check;
  }

  /** As check(), but reading the value once (a check that reads it more often becomes a function). */
  private single(schema: Schema): string {
    const check = this.check(schema);
    if (check.split(VALUE).length <= 2) return check;
    const key = `single ${canonical(schema)}`;
    const call = `${this.hoistFunction(key, (name) => `function ${name}(d) {\n  ${returns(place(check, "d"))}\n}`)}(${VALUE})`;
    this.checks.set(key, call);
    return call;
  }

  private hoistFunction(key: string, source: (name: string) => string): string {
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
    if (/[/\n\r\u2028\u2029]/.test(source) || new RegExp(source, "u").source !== source) return undefined;
    const name = this.constantNames.get(`new RegExp(${JSON.stringify(source)}, "u")`);
    return name?.startsWith("$pattern") ? name : undefined;
  }

  /** The Set a compiled check hoisted for this enum, when it holds exactly its values in order. */
  enumSet(values: unknown[]): string | undefined {
    if (values.some((v) => v !== null && typeof v === "object") || new Set(values).size !== values.length) return undefined;
    const name = this.constantNames.get(`new Set(${JSON.stringify(values)})`);
    return name?.startsWith("$enum") ? name : undefined;
  }

  private constant(initializer: string, prefix: string): string {
    let name = this.constantNames.get(initializer);
    if (name === undefined) {
      name = `${prefix}${this.constantNames.size + 1}`;
      this.constantNames.set(initializer, name);
      this.constants.push(`const ${name} = ${initializer};`);
    }
    return name;
  }

  private parts(schema: SchemaObject): Parts {
    const conditions: string[] = [];
    const statements: string[] = [];
    const locals = { n: 0 };
    const types = typesOf(schema);
    // the type goes without saying when every constant the schema allows is of that type
    const allowed = schema["const"] !== undefined ? [schema["const"]] : (schema["enum"] as unknown[] | undefined);
    const implied = allowed !== undefined && allowed.every((v) => (v === null || typeof v !== "object") && types.some((t) => hasType(t, v)));
    if (types.length > 0 && !implied) conditions.push(or(types.map((t) => isType(t, VALUE))));
    if (schema["const"] !== undefined) conditions.push(this.equals(schema["const"]));
    if (schema["enum"] !== undefined) conditions.push(this.oneOfValues(schema["enum"] as unknown[]));
    for (const group of groupTypes) {
      if (!groupKeywords[group].some((k) => schema[k] !== undefined)) continue;
      // a group of keywords applies only to values of its type; none can if the type excludes it
      if (types.length > 0 && !types.some((t) => groupOf(t) === group)) continue;
      const guarded = !(types.length > 0 && types.every((t) => groupOf(t) === group));
      const inner = this.group(group, schema, locals);
      const guard = isType(group, VALUE);
      if (!guarded) {
        conditions.push(...inner.conditions);
        statements.push(...inner.statements);
      } else {
        if (inner.conditions.length > 0) conditions.push(or([not(guard), and(inner.conditions)]));
        if (inner.statements.length > 0) statements.push(`if (${guard}) {`, ...inner.statements.map(indent), "}");
      }
    }
    if (schema["$ref"] !== undefined) conditions.push(`${this.definition((schema["$ref"] as string).slice(14))}(${VALUE})`);
    for (const member of (schema["allOf"] as Schema[] | undefined) ?? []) if (!alwaysValid(member)) conditions.push(this.check(member));
    if (schema["anyOf"] !== undefined) conditions.push(this.anyOf(schema["anyOf"] as Schema[]));
    if (schema["oneOf"] !== undefined) conditions.push(this.oneOf(schema["oneOf"] as Schema[]));
    if (schema["not"] !== undefined) conditions.push(not(this.check(schema["not"] as Schema)));
    return { conditions: conditions.filter((c) => c !== "true"), statements };
  }

  private group(group: Group, schema: SchemaObject, locals: { n: number }): Parts {
    const conditions: string[] = [];
    const statements: string[] = [];
    const local = (prefix: string) => `${prefix}${++locals.n}`;
    const number = (keyword: string) => schema[keyword] as number | undefined;
    if (group === "number") {
      const comparisons: [string, string][] = [["maximum", "<="], ["minimum", ">="], ["exclusiveMaximum", "<"], ["exclusiveMinimum", ">"]];
      for (const [keyword, operator] of comparisons) {
        if (number(keyword) !== undefined) conditions.push(`${VALUE} ${operator} ${literal(number(keyword))}`);
      }
      const format = this.format(schema["format"], "number");
      if (format) conditions.push(format);
    } else if (group === "string") {
      const max = number("maxLength");
      const min = number("minLength");
      if (min !== undefined && min > 0) {
        // a string has at least half as many code points as UTF-16 units, and at most as many
        conditions.push(min === 1 ? `${VALUE}.length >= 1` : `${VALUE}.length >= ${min} && (${VALUE}.length >= ${2 * min} || $ucs2length(${VALUE}) >= ${min})`);
      }
      if (max !== undefined) conditions.push(`${VALUE}.length <= ${max} || $ucs2length(${VALUE}) <= ${max}`);
      if (schema["pattern"] !== undefined) {
        conditions.push(`${this.constant(`new RegExp(${JSON.stringify(schema["pattern"])}, "u")`, "$pattern")}.test(${VALUE})`);
      }
      const format = this.format(schema["format"], "string");
      if (format) conditions.push(format);
    } else if (group === "array") {
      if (number("minItems") !== undefined) conditions.push(`${VALUE}.length >= ${number("minItems")}`);
      if (number("maxItems") !== undefined) conditions.push(`${VALUE}.length <= ${number("maxItems")}`);
      const items = schema["items"] as Schema | Schema[] | undefined;
      const extra = schema["additionalItems"] as Schema | undefined;
      if (Array.isArray(items)) {
        items.forEach((item, i) => {
          if (alwaysValid(item)) return;
          const v = local("v");
          statements.push(`if (${VALUE}.length > ${i}) {`, `  const ${v} = ${VALUE}[${i}];`, `  ${when(not(place(this.check(item), v)), "return false;")}`, "}");
        });
        if (extra === false) conditions.push(`${VALUE}.length <= ${items.length}`);
        else if (extra !== undefined && !alwaysValid(extra)) statements.push(...this.loop(`${items.length}`, extra, local));
      } else if (items !== undefined && !alwaysValid(items)) {
        statements.push(...this.loop("0", items, local));
      }
    } else {
      if (number("minProperties") !== undefined) conditions.push(`Object.keys(${VALUE}).length >= ${number("minProperties")}`);
      if (number("maxProperties") !== undefined) conditions.push(`Object.keys(${VALUE}).length <= ${number("maxProperties")}`);
      const required = (schema["required"] as string[] | undefined) ?? [];
      const properties = (schema["properties"] as Record<string, Schema> | undefined) ?? {};
      // a required property whose own check fails on undefined needs no presence check: that
      // check runs whatever the value, and fails when the property is missing
      const checked = (key: string) => Object.prototype.hasOwnProperty.call(properties, key) && this.rejectsUndefined(properties[key]!, 0);
      const present = required.filter((key) => !checked(key)).map((key) => `${member(VALUE, key)} !== undefined`);
      if (present.length > 0) conditions.push(and(present));
      const patterns = (schema["patternProperties"] as Record<string, Schema> | undefined) ?? {};
      const extra = schema["additionalProperties"] as Schema | undefined;
      const pattern = (source: string) => this.constant(`new RegExp(${JSON.stringify(source)}, "u")`, "$pattern");
      if (extra !== undefined && !alwaysValid(extra)) {
        const k = local("k");
        const names = Object.keys(properties);
        const known = [
          ...(names.length <= 8 ? names.map((name) => `${k} === ${JSON.stringify(name)}`) : [`${this.constant(`new Set(${JSON.stringify(names)})`, "$keys")}.has(${k})`]),
          ...Object.keys(patterns).map((p) => `${pattern(p)}.test(${k})`),
        ];
        const additional = known.length === 0 ? "true" : not(or(known));
        if (extra === false) statements.push(`for (const ${k} in ${VALUE}) if (${additional}) return false;`);
        else {
          const v = local("v");
          statements.push(
            `for (const ${k} in ${VALUE}) {`,
            ...(additional === "true" ? [] : [`  if (${not(additional)}) continue;`]),
            `  const ${v} = ${VALUE}[${k}];`,
            `  ${when(not(place(this.check(extra), v)), "return false;")}`,
            "}",
          );
        }
      }
      for (const [key, sub] of Object.entries(properties)) {
        if (alwaysValid(sub)) continue;
        const check = this.single(sub);
        const access = member(VALUE, key);
        conditions.push(required.includes(key) ? place(check, access) : or([`${access} === undefined`, place(check, access)]));
      }
      for (const [source, sub] of Object.entries(patterns)) {
        if (alwaysValid(sub)) continue;
        const k = local("k");
        const v = local("v");
        statements.push(
          `for (const ${k} in ${VALUE}) {`,
          `  if (!${pattern(source)}.test(${k})) continue;`,
          `  const ${v} = ${VALUE}[${k}];`,
          `  ${when(not(place(this.check(sub), v)), "return false;")}`,
          "}",
        );
      }
    }
    return { conditions, statements };
  }

  private loop(from: string, item: Schema, local: (prefix: string) => string): string[] {
    const i = local("i");
    const v = local("v");
    return [
      `for (let ${i} = ${from}; ${i} < ${VALUE}.length; ${i}++) {`,
      `  const ${v} = ${VALUE}[${i}];`,
      `  ${when(not(place(this.check(item), v)), "return false;")}`,
      "}",
    ];
  }

  private format(name: unknown, type: "string" | "number"): string | undefined {
    if (typeof name !== "string") return undefined;
    const check = this.formats.get(name);
    if (check === undefined) return undefined; // a format that checks nothing
    if ((check.kind === "number") !== (type === "number")) return undefined;
    return check.kind === "test" ? `${check.identifier}.test(${VALUE})` : check.kind === "call" ? `${check.identifier}(${VALUE})` : `${check.identifier}.validate(${VALUE})`;
  }

  private equals(value: unknown): string {
    if (value === null || typeof value !== "object") return `${VALUE} === ${literal(value)}`;
    return `$equal(${VALUE}, ${this.constant(jsonValue(value), "$const")})`;
  }

  private oneOfValues(values: unknown[]): string {
    const primitives = values.filter((v) => v === null || typeof v !== "object");
    const objects = values.filter((v) => v !== null && typeof v === "object");
    const tests =
      primitives.length > 6
        ? [`${this.constant(`new Set(${JSON.stringify(primitives)})`, "$enum")}.has(${VALUE})`]
        : primitives.map((v) => `${VALUE} === ${literal(v)}`);
    return or([...tests, ...objects.map((v) => `$equal(${VALUE}, ${this.constant(jsonValue(v), "$const")})`)]);
  }

  /** anyOf: a switch on the tag when the branches are tagged by a constant, else each branch, cheapest first. */
  private anyOf(branches: Schema[]): string {
    if (branches.some(alwaysValid)) return "true";
    const checks = branches.map((b) => this.check(b));
    const tagged = this.dispatch(branches, checks);
    if (tagged !== undefined) return tagged;
    const cost = (check: string) => (check.includes("(") ? 1 : 0);
    return or([...checks].sort((a, b) => cost(a) - cost(b)));
  }

  /**
   * A union of object schemas that each require a property and pin it to constants (Plain's
   * actors: "actorType": "user" | "system" | …) becomes a switch on that property: a branch
   * whose constant differs from the value cannot pass, so only the matching branches (and
   * any that pin nothing) are tried. Values that are not objects try every branch.
   */
  private dispatch(branches: Schema[], checks: string[]): string | undefined {
    const pins = branches.map((b) => this.pins(b, 0));
    const counts = new Map<string, number>();
    for (const pin of pins) {
      for (const key of pin.values.keys()) if (pin.required.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let tag: string | undefined;
    for (const [key, n] of counts) if (n >= 2 && (tag === undefined || n > counts.get(tag)!)) tag = key;
    if (tag === undefined) return undefined;
    const pinned = pins.map((p) => (p.required.has(tag!) ? p.values.get(tag!) : undefined));
    const loose = checks.filter((_, i) => pinned[i] === undefined);
    const cases = new Map<string, string[]>();
    pinned.forEach((values, i) => {
      for (const value of values ?? []) {
        const label = literal(value);
        if (!cases.has(label)) cases.set(label, []);
        if (!cases.get(label)!.includes(checks[i]!)) cases.get(label)!.push(checks[i]!);
      }
    });
    const objectsOnly = pins.every((p) => p.objectOnly);
    const d = (check: string) => place(check, "d");
    const source = (name: string) =>
      [
        `function ${name}(d) {`,
        `  if (${isType("object", "d")}) {`,
        `    switch (${member("d", tag!)}) {`,
        ...[...cases].flatMap(([label, matching]) => [`      case ${label}:`, `        ${returns(or([...matching, ...loose].map(d)))}`]),
        "      default:",
        `        ${returns(or(loose.map(d)))}`,
        "    }",
        "  }",
        `  ${returns(objectsOnly ? "false" : or(checks.map(d)))}`,
        "}",
      ].join("\n");
    return `${this.hoistFunction(`anyOf ${tag} ${checks.join(" | ")}`, source)}(${VALUE})`;
  }

  /** The properties a schema requires and pins to constants, through $ref and allOf (all of which must hold). */
  private pins(schema: Schema, depth: number): Pins {
    const pins: Pins = { required: new Set(), values: new Map(), objectOnly: false };
    if (typeof schema !== "object" || depth > 32) return pins;
    const merge = (other: Pins) => {
      other.required.forEach((key) => pins.required.add(key));
      for (const [key, values] of other.values) {
        const mine = pins.values.get(key);
        pins.values.set(key, mine === undefined ? values : mine.filter((v) => values.includes(v)));
      }
      pins.objectOnly ||= other.objectOnly;
    };
    const types = typesOf(schema);
    pins.objectOnly = types.length === 1 && types[0] === "object";
    for (const key of (schema["required"] as string[] | undefined) ?? []) pins.required.add(key);
    for (const [key, sub] of Object.entries((schema["properties"] as Record<string, Schema> | undefined) ?? {})) {
      const values = this.pinnedValues(sub, depth + 1);
      if (values !== undefined) merge({ required: new Set(), values: new Map([[key, values]]), objectOnly: false });
    }
    if (typeof schema["$ref"] === "string") merge(this.pins(this.definitions[(schema["$ref"] as string).slice(14)]!, depth + 1));
    for (const member of (schema["allOf"] as Schema[] | undefined) ?? []) merge(this.pins(member, depth + 1));
    return pins;
  }

  /** The primitive values a schema allows, when it pins them with const or enum. */
  private pinnedValues(schema: Schema, depth: number): unknown[] | undefined {
    if (typeof schema !== "object" || depth > 32) return undefined;
    const primitive = (v: unknown) => v === null || typeof v !== "object";
    if (schema["const"] !== undefined) return primitive(schema["const"]) ? [schema["const"]] : undefined;
    const values = schema["enum"];
    if (Array.isArray(values)) return values.every(primitive) ? values : undefined;
    const ref = refOnly(schema);
    return ref === undefined ? undefined : this.pinnedValues(this.definitions[ref]!, depth + 1);
  }

  /** Whether a schema certainly fails on undefined (a missing property). */
  private rejectsUndefined(schema: Schema, depth: number): boolean {
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

  /** oneOf: exactly one branch passes (Ajv stops at the second). */
  private oneOf(branches: Schema[]): string {
    const checks = branches.map((b) => this.check(b));
    const source = (name: string) =>
      [
        `function ${name}(d) {`,
        "  let passed = 0;",
        ...checks.map((check, i) => (i === 0 ? `  ${when(place(check, "d"), "passed++;")}` : `  ${when(and([place(check, "d"), "++passed > 1"]), "return false;")}`)),
        "  return passed === 1;",
        "}",
      ].join("\n");
    return `${this.hoistFunction(`oneOf ${checks.join(" | ")}`, source)}(${VALUE})`;
  }
}

const indent = (line: string): string => `  ${line}`;

/**
 * Conditions in groups: an object with thousands of properties would otherwise be one
 * expression thousands of operators deep, which overflows the stack of a parser (prettier's).
 */
const conditionGroup = 64;

function functionSource(name: string, parts: Parts): string {
  const d = (code: string) => place(code, "d");
  if (parts.statements.length === 0 && parts.conditions.length <= conditionGroup) {
    return `function ${name}(d) {\n  ${returns(d(and(parts.conditions)))}\n}`;
  }
  const groups: string[][] = [];
  for (let i = 0; i < parts.conditions.length; i += conditionGroup) groups.push(parts.conditions.slice(i, i + conditionGroup));
  return [
    `function ${name}(d) {`,
    ...groups.map((group) => `  ${when(d(or(group.map(not))), "return false;")}`),
    ...parts.statements.map((s) => indent(d(s))),
    "  return true;",
    "}",
  ].join("\n");
}

const width = 100;

/** Where a statement's expression starts and ends, for layout(): only expressions marked so are ever wrapped. */
const OPEN = "\u0001";
const CLOSE = "\u0002";

/** `return <expression>;`, laid out by layout(). */
const returns = (expression: string): string => `return ${OPEN}${expression}${CLOSE};`;

/** `if (<condition>) <then>`, laid out by layout(). */
const when = (condition: string, then: string): string => `if (${OPEN}${condition}${CLOSE}) ${then}`;

/**
 * A long condition one operand per line, the way prettier lays one out. Only the expressions
 * that returns() and when() marked are cut, at their own top-level operators, so a line is
 * never cut where its text merely looks like an expression.
 */
function layout(source: string): string {
  return source.split("\n").map(wrap).join("\n");
}

function wrap(line: string): string {
  const open = line.indexOf(OPEN);
  if (open === -1) return line;
  const close = line.indexOf(CLOSE, open);
  const [before, expression, after] = [line.slice(0, open), line.slice(open + 1, close), line.slice(close + 1)];
  const flat = `${before}${expression}${after}`;
  if (flat.length <= width) return flat;
  const indent = /^ */.exec(before)![0];
  for (const operator of [" && ", " || "]) {
    const operands = splitTop(expression, operator);
    if (operands.length < 2) continue;
    const body = operands.map((operand, i) => `${indent}  ${operand}${i < operands.length - 1 ? operator.trimEnd() : ""}`);
    // `return (` … `);` and `if (` … `) then`
    return before.trimStart() === "return "
      ? [`${indent}return (`, ...body, `${indent})${after}`].join("\n")
      : [`${before}`, ...body, `${indent}${after}`].join("\n");
  }
  return flat;
}

/** Every format name the schemas use. */
function formatsUsed(definitions: Record<string, Schema>): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isPlainObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === "format" && typeof value === "string") found.add(value);
        else if (key === "const" || key === "enum") continue;
        else visit(value);
      }
    }
  };
  Object.values(definitions).forEach(visit);
  return found;
}

// ---------------------------------------------------------------------------------------
// The module.

/**
 * Deep equality where no const or enum value is an object or an array: the compiled checks
 * then never call it, and the second pass compares only primitives (with ===).
 */
const noObjectConstants = `// No const or enum of these schemas is an object or an array: values compare with ===.
function $equal(a, b) {
  return a === b;
}`;

function compiledModule(model: VersionModel, definitions: Record<string, Schema>): string {
  const formats = formatRuntime(formatsUsed(definitions));
  const compiler = new Compiler(definitions, formats.checks);
  const compiled = compiler.compile();
  const table = [...formats.checks].map(([name, check]) => `  ${JSON.stringify(name)}: ${check.identifier},`);
  const text = schemaText(definitions, {
    functionFor: (schema) => compiler.functionFor(schema),
    enumSet: (values) => compiler.enumSet(values),
    patternRegExp: (source) => compiler.patternRegExp(source),
  });
  const compiledText = compiled.constants + compiled.functions;
  const schemas = Object.entries(text.definitions).map(([name, json]) => `  ${name}: [$v_${name}, ${stringLiteral(json)}],`);
  const validators = [...new Set(model.events.map((e) => e.typeName))].map(
    (typeName) => `export const ${validatorName(typeName)} = $validator($v_${typeName}, ${JSON.stringify(typeName)});`,
  );
  return `// Compiled by webhook-codegen from the schemas of ${model.provider.name} ${model.version}; no imports.
// First pass: $v_<Definition>(value) answers valid or not. Second pass, on failure only:
// $explain(definition, value) reports Ajv's errors, read from the schemas below.
// The helpers, the second pass and the readable errors are webhook-codegen's
// templates/runtime/*.js without their comments; read them there.

${ucs2lengthSource.trim()}

${compiledText.includes("$equal(") ? equalSource.trim() : noObjectConstants}

function $isObject(value) {
  return typeof value == "object" && value !== null && !Array.isArray(value);
}

function $own(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

${formats.source.trim()}

const $formats = {
${table.join("\n")}
};

${[compiled.constants, layout(compiled.functions)].filter((section) => section !== "").join("\n\n")}

/** Each definition's check and its schema as JSON, parsed for the second pass the first time it is walked. */
const $schemas = {
${schemas.join("\n")}
};

/** The first pass's functions the second pass tests subschemas with: {"$check": name} in a schema names one. */
const $checks = { ${text.checks.join(", ")} };

/** The first pass's Sets and RegExps the second pass reads: "enum": name and "pattern": {"$regexp": name}. */
const $enums = { ${text.enums.join(", ")} };
const $regexps = { ${text.regexps.join(", ")} };

/** Subschemas that occur more than once, each written once; the number i in a schema stands for the i-th. */
const $shared = [
${text.shared.map((json) => `  ${stringLiteral(json)},`).join("\n")}
];

const $parsed = new Map();

function $definition(name) {
  let schema = $parsed.get(name);
  if (schema === undefined) $parsed.set(name, (schema = $plan(JSON.parse($schemas[name][1]))));
  return schema;
}

${explainSource.trim()}

${errorsSource.trim()}

/** A validator as Ajv's look: a type guard that leaves its errors on .errors. */
function $validator(check, name) {
  const validate = (data) => {
    if (check(data)) {
      validate.errors = null;
      return true;
    }
    validate.errors = $explain(name, data);
    return false;
  };
  return validate;
}

${validators.join("\n")}

${dispatcher(model).trim()}
`;
}

/** Keywords whose value is a schema, a list of schemas, or a map of names to schemas. */
const subschemaKeywords = { single: ["not", "additionalProperties", "additionalItems", "items"], list: ["anyOf", "oneOf", "allOf", "items"], map: ["properties", "patternProperties"] };

/**
 * The definitions as JSON text for the second pass, written short (what `$plan` in
 * templates/runtime/explain.js reads back): a subschema that is only a $ref is the
 * definition's name; "required" that lists every property in order is `true`; an enum the
 * first pass holds as a Set is that Set's name, a pattern it holds as a RegExp is
 * {"$regexp": name}; and each object subschema written more than once (30 characters or
 * more of it) is written once in `shared` and stands as its index there: a document split
 * from a bundle repeats its root, with a 30-value enum, in every event, and Plain repeats
 * `anyOf [Datetime, null]` everywhere.
 */
function schemaText(
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
      if (subschemaKeywords.single.includes(key) && !Array.isArray(value) && value !== undefined) out[key] = each(value);
      else if (subschemaKeywords.list.includes(key) && Array.isArray(value)) out[key] = value.map(each);
      else if (subschemaKeywords.map.includes(key) && isPlainObject(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, each(v)]));
      } else out[key] = value;
    }
    return out;
  };
  // first the short form of every schema
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
      else if (key === "additionalProperties" && alwaysValid(value as Schema) && groupKeywords.object.some((k) => k !== key && schema[k] !== undefined)) continue;
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
    if (Array.isArray(written["required"]) && isPlainObject(written["properties"]) && JSON.stringify(written["required"]) === JSON.stringify(Object.keys(written["properties"]))) {
      written["required"] = true;
    }
    return written;
  };
  const shortened = Object.entries(definitions).map(([name, schema]) => [name, short(schema, true) as Record<string, unknown>] as const);
  // then the object subschemas written more than once, below the roots
  const counts = new Map<string, number>();
  const count = (schema: unknown): unknown =>
    isPlainObject(schema)
      ? mapChildren(schema, (sub) => {
          const json = JSON.stringify(sub);
          if (isPlainObject(sub) && json.length >= 30) counts.set(json, (counts.get(json) ?? 0) + 1);
          return count(sub);
        })
      : schema;
  shortened.forEach(([, schema]) => count(schema));
  const index = new Map<string, number>();
  const shared: string[] = [];
  const replace = (schema: unknown): unknown =>
    isPlainObject(schema)
      ? mapChildren(schema, (sub) => {
          const json = JSON.stringify(sub);
          if ((counts.get(json) ?? 0) < 2) return replace(sub);
          if (!index.has(json)) {
            index.set(json, -1); // reserved: its own text is written below
            const text = JSON.stringify(replace(sub));
            index.set(json, shared.push(text) - 1);
          }
          return index.get(json);
        })
      : schema;
  const texts = Object.fromEntries(shortened.map(([name, schema]) => [name, JSON.stringify(replace(schema))]));
  const sorted = (names: Set<string>) => [...names].sort(); // code-unit order
  return { definitions: texts, shared, checks: sorted(checks), enums: sorted(enums), regexps: sorted(regexps) };
}

/** A JavaScript string literal in single quotes (JSON text holds many double quotes). */
function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")}'`;
}

// ---------------------------------------------------------------------------------------
// Ajv's standalone code, for schemas with keywords the compiler does not implement.

const require = createRequire(import.meta.url);

function ajvModule(model: VersionModel): string {
  const { Ajv } = require("ajv") as typeof import("ajv");
  const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const { _ } = require("ajv/dist/compile/codegen/index.js") as typeof import("ajv/dist/compile/codegen/index.js");
  const standaloneCode = (require("ajv/dist/standalone/index.js") as typeof import("ajv/dist/standalone/index.js")).default;
  const options: Options = {
    code: { source: true, esm: true, formats: _`$allFormats` },
    // Provider schemas carry keywords of their own (x-*, examples); unknown formats are
    // rejected earlier, by the model, with the file and pointer.
    strict: false,
    allErrors: true,
    // Each named definition is compiled once, as a function the events share, rather
    // than inlined into every event that refers to it.
    inlineRefs: false,
    // A payload's properties are its own: an inherited one (say "constructor") is absent.
    ownProperties: true,
    formats: formatDefinitions,
  };
  const ajv = model.dialect === "2020-12" ? new Ajv2020(options) : new Ajv(options);
  const documentId = "webhook-codegen:document";
  ajv.addSchema({ definitions: model.definitions }, documentId);
  const exports = Object.fromEntries(
    [...new Set(model.events.map((e) => e.typeName))].map((typeName) => [validatorName(typeName), `${documentId}#/definitions/${typeName}`]),
  );
  const compiled = inlineRuntime(standaloneCode(ajv, exports), model);
  return `${compiled}\n\n${dispatcher(model)}`;
}

/** Replaces Ajv's `require`s of its runtime helpers with our own inline copies. */
function inlineRuntime(code: string, model: VersionModel): string {
  const prelude: string[] = [];
  let body = code.replace(/^"use strict";/, "");
  for (const [required, helper] of Object.entries(runtimeHelpers)) {
    if (!body.includes(required)) continue;
    body = body.split(required).join(helper.name);
    prelude.push(helper.source);
  }
  if (body.includes("$allFormats")) prelude.push(formatsSource);
  prelude.push(errorsSource);
  const leftover = /\brequire\(([^)]*)\)/.exec(body);
  if (leftover) {
    throw new CodegenError([
      {
        code: "unsupported",
        file: model.source,
        message: `the schemas need Ajv's runtime helper ${leftover[1]}, which cannot be inlined yet`,
      },
    ]);
  }
  return [...prelude, body].join("\n");
}

// ---------------------------------------------------------------------------------------
// The dispatcher and the declarations, the same for both kinds of module.

function dispatcher(model: VersionModel): string {
  const names = model.events.flatMap((e) => e.names.map((name) => ({ name, validator: validatorName(e.typeName) })));
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { event, version } = model.provider.manifest;
  const eventPointer = event.in === "body" ? event.pointer : "";
  const versionPointer = version?.in === "body" ? version.pointer : undefined;
  return `
const $validators = new Map([
${names.map((n) => `  [${literal(n.name)}, ${n.validator}],`).join("\n")}
]);

/** Every event name this version knows, sorted. */
export const eventNames = Object.freeze(${literal(names.map((n) => n.name))});

/** The schema version this module validates${model.pinnedVersion === undefined ? " (its schemas pin none)" : ""}. */
export const schemaVersion = ${literal(model.pinnedVersion ?? null)};

/** The string at a path of own properties, or undefined. */
function $stringAt(payload, keys) {
  let node = payload;
  for (const key of keys) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = node[key];
  }
  return typeof node === "string" ? node : undefined;
}

/** The event name a payload carries${eventPointer ? ` at ${eventPointer}` : " (it travels in a header)"}, or undefined. */
export function eventNameOf(payload) {
  return ${eventPointer ? `$stringAt(payload, ${literal(pointerSegments(eventPointer))})` : "undefined"};
}

/** The schema version a payload declares${versionPointer ? ` at ${versionPointer}` : " (this provider does not version payloads)"}, or undefined. */
export function versionOf(payload) {
  return ${versionPointer ? `$stringAt(payload, ${literal(pointerSegments(versionPointer))})` : "undefined"};
}

/** The validator of one event, found by name (never by trying each schema in turn). */
export function validatorFor(name) {
  return $validators.get(name);
}

/**
 * Validates a payload against the schema of the event it names. A payload that fails
 * and declares another version than this module's is a version mismatch, not a
 * structural error; its other errors are listed after the version's.
 */
export function validateEvent(payload, name = eventNameOf(payload)) {
  const validate = name === undefined ? undefined : $validators.get(name);
  if (validate === undefined) {
    return {
      ok: false,
      kind: "unknown_event",
      name,
      errors: [
        {
          path: ${literal(eventPointer)},
          message: (name === undefined ? "must name an event" : "unknown event " + JSON.stringify(name)) + "; known events: " + eventNames.join(", "),
          keyword: "event",
          schemaPath: "",
          params: { allowedValues: eventNames },
        },
      ],
    };
  }
  if (validate(payload)) return { ok: true, name, event: payload };
  const errors = $readableErrors(validate.errors ?? [], payload);
  const version = versionOf(payload);
  if (schemaVersion !== null && version !== undefined && version !== schemaVersion) {
    const path = ${literal(versionPointer ?? "")};
    return {
      ok: false,
      kind: "version_mismatch",
      name,
      version,
      expected: schemaVersion,
      errors: [
        {
          path,
          message: "this payload is of version " + JSON.stringify(version) + "; these schemas are of version " + JSON.stringify(schemaVersion),
          keyword: "version",
          schemaPath: "",
          params: { allowedValue: schemaVersion },
        },
        ...errors.filter((e) => e.path !== path),
      ],
    };
  }
  return { ok: false, kind: "invalid_payload", name, errors };
}
`;
}

function declarations(model: VersionModel): string {
  const t = model.provider.title;
  const typeNames = [...new Set(model.events.map((e) => e.typeName))].sort();
  return `import type { ${[`${t}Event`, `${t}EventMap`, `${t}EventName`, ...typeNames].join(", ")} } from "./types.js";

/** One validation error, as Ajv reports it. */
export interface ValidationError {
  /** JSON pointer to the failing value in the payload. */
  instancePath: string;
  /** JSON pointer to the failing keyword in the schema. */
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A validator: a type guard that leaves its errors on \`.errors\` when it returns false. */
export interface Validator<T> {
  (data: unknown): data is T;
  errors?: ValidationError[] | null;
}

${model.events.map((e) => `export declare const ${validatorName(e.typeName)}: Validator<${e.typeName}>;`).join("\n")}

/** A validation error a person can act on. */
export interface PayloadError {
  /** JSON pointer to the failing value in the payload, e.g. /payload/thread/status. */
  path: string;
  /** e.g. 'must be one of TODO, DONE, SNOOZED; got "OPEN"'. */
  message: string;
  keyword: string;
  schemaPath: string;
  params: Record<string, unknown>;
}

export declare const eventNames: readonly ${t}EventName[];

export declare const schemaVersion: ${model.pinnedVersion === undefined ? "null" : JSON.stringify(model.pinnedVersion)};

export declare function eventNameOf(payload: unknown): string | undefined;

export declare function versionOf(payload: unknown): string | undefined;

export declare function validatorFor<N extends ${t}EventName>(name: N): Validator<${t}EventMap[N]>;
export declare function validatorFor(name: string): Validator<${t}Event> | undefined;

export type ValidateEventResult =
  | { [N in ${t}EventName]: { ok: true; name: N; event: ${t}EventMap[N] } }[${t}EventName]
  | { ok: false; kind: "unknown_event" | "invalid_payload"; name: string | undefined; errors: PayloadError[] }
  | { ok: false; kind: "version_mismatch"; name: string; version: string; expected: string; errors: PayloadError[] };

export declare function validateEvent(payload: unknown, name?: string): ValidateEventResult;
`;
}
