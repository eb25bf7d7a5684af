// The code-building helpers the compiler and the keywords share: schemas as the compiler
// sees them, conditions as text over a placeholder value, and the long-line layout.

export type Schema = boolean | SchemaObject;
export interface SchemaObject {
  [keyword: string]: unknown;
}

export const jsonTypes = new Set(["string", "number", "integer", "boolean", "null", "object", "array"]);

/** Whether a pattern compiles as a Unicode regular expression (as Ajv compiles it). */
export function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

/** Stands for the value a condition checks until the condition is placed. */
export const VALUE = "\u0000";

export const groupTypes = ["number", "string", "array", "object"] as const;
export type Group = (typeof groupTypes)[number];

export const groupOf = (type: string): Group | undefined =>
  type === "integer" ? "number" : (groupTypes as readonly string[]).includes(type) ? (type as Group) : undefined;

/** The condition Ajv checks for a JSON type (with strictNumbers off, as the generator runs it). */
export function isType(type: string, x: string): string {
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
export function hasType(type: string, value: unknown): boolean {
  if (type === "null") return value === null;
  if (type === "integer") return typeof value === "number" && !(value % 1) && !isNaN(value);
  return typeof value === type;
}

export const typesOf = (schema: SchemaObject): string[] => {
  const types = schema["type"] === undefined ? [] : Array.isArray(schema["type"]) ? (schema["type"] as string[]) : [schema["type"] as string];
  // nullable: true (with a type) allows null too, as Ajv reads it
  return schema["nullable"] === true && types.length > 0 && !types.includes("null") ? [...types, "null"] : types;
};

export const alwaysValid = (schema: Schema): boolean => schema === true || (typeof schema === "object" && Object.keys(schema).length === 0);

export const refOnly = (schema: SchemaObject): string | undefined =>
  Object.keys(schema).length === 1 && typeof schema["$ref"] === "string" ? (schema["$ref"] as string).slice(14) : undefined;

/** JSON with sorted keys: equal schemas, equal keys. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  return Array.isArray(value)
    ? `[${value.map((item) => canonical(item)).join(",")}]`
    : `{${Object.keys(value)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
        .join(",")}}`;
}

/** A primitive as a JavaScript literal. */
export const literal = (value: unknown): string => JSON.stringify(value);

/** An object or array as an expression that builds it: parsed, so that a key "__proto__" stays a key. */
export const jsonValue = (value: unknown): string => `JSON.parse(${JSON.stringify(JSON.stringify(value))})`;

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
export const member = (x: string, key: string): string => (inheritedNames.has(key) ? `$own(${x}, ${JSON.stringify(key)})` : `${x}${property(key)}`);

/** Whether an expression needs no parentheses as an operand of !. */
function atomic(code: string): boolean {
  if (/^!?[\w$.]+$/.test(code)) return true;
  const call = /^!?[\w$.]+\(/.exec(code);
  return call !== null && code.endsWith(")") && closingBracket(code, call[0].length - 1) === code.length - 1;
}

/** An expression without the parentheses around the whole of it, if it has them. */
export const unwrapped = (code: string): string => (code.startsWith("(") && closingBracket(code, 0) === code.length - 1 ? unwrapped(code.slice(1, -1)) : code);

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
export function splitTop(code: string, separator: string): string[] {
  if (!code.includes(separator)) return [code];
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
const loose = (code: string, others: string[]): boolean => others.some((op) => code.includes(op)) && hasTop(code, others);

/**
 * Whether one of the operators occurs outside brackets and string literals (one scan for all;
 * each operator starts with a space or a comma).
 */
function hasTop(code: string, operators: string[]): boolean {
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"' || c === "'") i = stringEnd(code, i);
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && (c === " " || c === ",") && operators.some((op) => code.startsWith(op, i))) return true;
  }
  return false;
}
const andOperand = (code: string): string => (loose(code, [" || ", " ? ", ", ", " = ", " ?? "]) ? `(${code})` : code);
const orOperand = (code: string): string => (loose(code, [" && ", " ? ", ", ", " = ", " ?? "]) ? `(${code})` : code);
export const not = (code: string): string => (atomic(code) ? (code.startsWith("!") ? code.slice(1) : `!${code}`) : `!(${code})`);
export const and = (codes: string[]): string => (codes.length === 0 ? "true" : codes.length === 1 ? codes[0]! : codes.map(andOperand).join(" && "));
export const or = (codes: string[]): string => (codes.length === 0 ? "false" : codes.length === 1 ? codes[0]! : codes.map(orOperand).join(" || "));
// (a "$" in a replacement string would be read as a pattern)
export const place = (code: string, x: string): string => (x.includes("$") ? code.replaceAll(VALUE, () => x) : code.replaceAll(VALUE, x));

/** Whether a condition reads the value at most once. */
export const readsOnce = (code: string): boolean => {
  const first = code.indexOf(VALUE);
  return first === -1 || code.indexOf(VALUE, first + 1) === -1;
};

/** What a schema compiles to: conditions that must all hold, then statements that return false. */
export interface Parts {
  conditions: string[];
  statements: string[];
}


export const indent = (line: string): string => `  ${line}`;

/**
 * Conditions in groups: an object with thousands of properties would otherwise be one
 * expression thousands of operators deep, which overflows the stack of a parser (prettier's).
 */
const conditionGroup = 64;

/**
 * `function name(d) { return expression; }` on three lines (joined: one flat string, where a
 * template would make a tree of its pieces that the compiler keeps until the module is written).
 */
export const returningFunction = (name: string, expression: string): string => [`function ${name}(d) {`, `  ${returns(expression)}`, "}"].join("\n");

export function functionSource(name: string, parts: Parts): string {
  const d = (code: string) => place(code, "d");
  if (parts.statements.length === 0 && parts.conditions.length <= conditionGroup) {
    return returningFunction(name, d(and(parts.conditions)));
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
export const returns = (expression: string): string => `return ${OPEN}${expression}${CLOSE};`;

/** `if (<condition>) <then>`, laid out by layout(). */
export const when = (condition: string, then: string): string => `if (${OPEN}${condition}${CLOSE}) ${then}`;

/**
 * A long condition one operand per line, the way prettier lays one out. Only the expressions
 * that returns() and when() marked are cut, at their own top-level operators, so a line is
 * never cut where its text merely looks like an expression.
 */
export function layout(source: string): string {
  // (joined: one flat string, not a tree of its many pieces)
  const parts: string[] = [];
  let from = 0; // the first line not yet laid out
  for (let open = source.indexOf(OPEN); open !== -1; open = source.indexOf(OPEN, from)) {
    const start = source.lastIndexOf("\n", open) + 1;
    const end = source.indexOf("\n", open);
    const stop = end === -1 ? source.length : end;
    parts.push(source.slice(from, start), wrap(source.slice(start, stop)));
    from = stop;
  }
  parts.push(source.slice(from));
  return parts.join("");
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
