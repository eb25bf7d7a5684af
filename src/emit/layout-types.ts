import { printWidth } from "../output.js";

/**
 * Lays out json-schema-to-typescript's unformatted declarations the way prettier prints
 * them (in output.ts's printWidth), without prettier: formatting was most of a cold run's time.
 *
 * json-schema-to-typescript writes a small part of TypeScript: interfaces and type
 * aliases of names, keywords, literals, unions, intersections, arrays, tuples and object
 * types, with JSDoc comments (types.ts's own union of the events, their map and its `keyof`
 * are of that part too). This module reads that part and prints it with prettier's
 * rules for it; for anything else (a generic, an escaped string, a shape whose breaking it
 * does not know, a line too long to print as prettier would) it answers undefined and the
 * caller hands the text to prettier.
 * test/layout-types.test.ts compares the two on every declaration of the catalogue, the
 * corpus and GitHub's document, and on generated ones.
 *
 * The reader also checks what the printer wrote (readTypes, for emit/verify.ts): it takes
 * only TypeScript, so text it reads back whole parses, and it notes the type names each
 * declaration refers to.
 */

type Type =
  | { kind: "text"; text: string } // a name, keyword or literal
  | { kind: "array"; element: Type }
  | { kind: "tuple"; elements: { type: Type; spread: boolean }[] }
  | { kind: "object"; members: Member[] }
  | { kind: "union"; members: Type[] }
  | { kind: "intersection"; members: Type[] };

interface Member {
  comment: string | undefined;
  key: string; // as written: a name, a quoted name or an index signature `[k: string]`
  optional: boolean;
  type: Type;
}

type Declaration =
  | { kind: "interface"; comment: string | undefined; name: string; members: Member[] }
  | { kind: "alias"; comment: string | undefined; name: string; type: Type };

/** Thrown inside the reader and the printer for what they leave to prettier. */
class Unsupported extends Error {}

const unsupported = (): never => {
  throw new Unsupported();
};

/** The declarations laid out as prettier would, or undefined when prettier must do it. */
export function layoutDeclarations(source: string): string | undefined {
  try {
    const declarations = new Reader(source).declarations();
    if (declarations.length === 0) return undefined;
    return declarations.map(printDeclaration).join("\n\n") + "\n";
  } catch {
    // Unsupported: prettier formats it; and should this printer have a bug that throws, so
    // does it (the tests, which compare with prettier, would show the bug)
    return undefined;
  }
}

/**
 * The declarations of a text that the reader reads whole, each with the type names it refers
 * to (in the order read); undefined where it does not (that decides nothing: the
 * caller parses such a text with a parser of TypeScript). What it reads is TypeScript: the
 * part of it above, with its separators, reserved words and line breaks as TypeScript's
 * grammar has them.
 */
export function readTypes(source: string): { name: string; references: string[] }[] | undefined {
  try {
    const reader = new Reader(source);
    return reader.declarations().map(({ name }, i) => ({ name, references: reader.references[i]! }));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Reading.

/**
 * Words that cannot name a type, or stand alone as one (reserved words, and TypeScript's
 * operators and modifiers, which would make it another construct), besides the
 * predefined types, which cannot be declared again.
 */
const notTypeNames = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends finally for function if import in " +
    "instanceof new return super switch throw try typeof var while with implements interface let package private protected public " +
    "static yield await keyof readonly unique infer asserts is abstract declare module namespace global type as satisfies accessor out intrinsic"
  ).split(" "),
);

/** TypeScript's predefined types and literal keywords: types, but no type's name, and no reference to a declaration. */
const keywordTypes = new Set(["any", "unknown", "never", "void", "undefined", "null", "boolean", "number", "bigint", "string", "symbol", "object", "this", "true", "false"]);

const identifier = /^[A-Za-z_$][\w$]*$/;

// a string holds no raw line break
const tokenPattern = /(\s+)|\/\*[\s\S]*?\*\/|"(?:[^"\\\n\r]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_$][\w$]*|\.\.\.|[{}()[\]|&:;,=?]/y;

interface Token {
  text: string;
  /** How many line breaks come before it (two or more: a blank line). */
  breaks: number;
}

class Reader {
  /** The type names each declaration read refers to, by its index. */
  readonly references: string[][] = [];
  private readonly tokens: Token[] = [];
  private at = 0;

  constructor(source: string) {
    let breaks = 0;
    tokenPattern.lastIndex = 0;
    while (tokenPattern.lastIndex < source.length) {
      const match = tokenPattern.exec(source) ?? unsupported();
      const text = match[0];
      if (match[1] !== undefined) {
        for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) breaks++;
      } else {
        this.tokens.push({ text, breaks });
        breaks = 0;
      }
    }
  }

  declarations(): Declaration[] {
    const declarations: Declaration[] = [];
    while (this.at < this.tokens.length) {
      if (declarations.length > 0 && this.tokens[this.at]!.breaks < 2) unsupported(); // prettier keeps them together
      const comment = this.comment();
      this.expect("export");
      this.references.push([]);
      // `type` and `interface` are declarations only with the name on their line
      const keyword = this.sameLine();
      const name = this.sameLine();
      if (!identifier.test(name) || notTypeNames.has(name) || keywordTypes.has(name)) unsupported();
      if (keyword === "interface") {
        declarations.push({ kind: "interface", comment, name, members: this.members() });
      } else if (keyword === "type") {
        this.expect("=");
        declarations.push({ kind: "alias", comment, name, type: this.type() });
        if (this.peek() === ";") this.at++;
      } else unsupported();
    }
    return declarations;
  }

  private comment(): string | undefined {
    const text = this.peek();
    if (text === undefined || !text.startsWith("/*")) return undefined;
    // a JSDoc block every line of which starts with "*": prettier lines those up
    if (!`*${text.slice(2, -2)}*`.split("\n").every((line) => line.trimStart().startsWith("*"))) unsupported();
    this.at++;
    return text;
  }

  /** `{` members `}`: each a name or an index signature, its type, on lines of their own. */
  private members(): Member[] {
    this.expect("{");
    // prettier keeps an object written on one line on one line when it fits (a literal's type)
    if (this.peek() !== "}" && this.tokens[this.at]!.breaks === 0) unsupported();
    const members: Member[] = [];
    while (this.peek() !== "}") {
      if ((this.tokens[this.at]?.breaks ?? 0) > 1) unsupported(); // a blank line prettier would keep
      const comment = this.comment();
      let key: string;
      const index = this.peek() === "[";
      if (index) {
        this.at++;
        const parameter = this.name();
        if (notTypeNames.has(parameter)) unsupported();
        key = `[${parameter}: ${(this.expect(":"), this.reference(this.name()))}]`;
        this.expect("]");
      } else {
        key = this.next();
        if (key.startsWith('"')) {
          const name = JSON.parse(key) as string;
          // prettier removes quotes a name does not need (as here), and decides for numbers: left to it
          if (identifier.test(name)) key = name;
          else if (/^\d/.test(name) || name === "") unsupported();
        } else if (!identifier.test(key)) unsupported();
      }
      const optional = this.peek() === "?";
      if (optional && index) unsupported(); // an index signature is never optional
      if (optional) this.at++;
      this.expect(":");
      members.push({ comment, key, optional, type: this.type() });
      // members are apart by a ";" or a line break
      if (this.peek() === ";") this.at++;
      else if (this.peek() !== "}" && this.tokens[this.at]?.breaks === 0) unsupported();
    }
    this.expect("}");
    return members;
  }

  /** A union of intersections of arrays of primaries; a parenthesised one inside is read as its members. */
  private type(): Type {
    if (this.peek() === "|") this.at++; // a leading |
    const members = [this.intersection()];
    while (this.peek() === "|") {
      this.at++;
      members.push(this.intersection());
    }
    if (members.length === 1) return members[0]!; // (A | B) is A | B
    return { kind: "union", members };
  }

  private intersection(): Type {
    const members = [this.postfix()];
    while (this.peek() === "&") {
      this.at++;
      members.push(this.postfix());
    }
    if (members.length === 1) return members[0]!;
    if (members.some((member) => member.kind === "intersection")) unsupported(); // (A & B) & C: prettier decides
    return { kind: "intersection", members };
  }

  private postfix(): Type {
    let type = this.primary();
    // on the next line, `[]` is no longer the array's
    while (this.peek() === "[" && this.tokens[this.at + 1]?.text === "]" && this.tokens[this.at]!.breaks === 0) {
      this.at += 2;
      type = { kind: "array", element: type };
    }
    return type;
  }

  private primary(): Type {
    const text = this.next();
    if (text === "(") {
      const inner = this.type();
      this.expect(")");
      return inner;
    }
    if (text === "{") {
      this.at--;
      return { kind: "object", members: this.members() };
    }
    if (text === "[") {
      const elements: { type: Type; spread: boolean }[] = [];
      while (this.peek() !== "]") {
        const spread = this.peek() === "...";
        if (spread) this.at++;
        elements.push({ type: this.type(), spread });
        if (this.peek() === ",") this.at++;
        else if (this.peek() !== "]") unsupported();
      }
      this.at++;
      return { kind: "tuple", elements };
    }
    if (text.startsWith('"')) {
      if (text.includes("\\")) unsupported(); // prettier may change its quotes or escapes
      return { kind: "text", text };
    }
    if (/^-?\d/.test(text)) {
      if (String(Number(text)) !== text) unsupported(); // prettier normalizes number literals
      return { kind: "text", text };
    }
    if (text === "keyof") return { kind: "text", text: `keyof ${this.reference(this.name())}` };
    if (identifier.test(text) && !notTypeNames.has(text)) return { kind: "text", text: this.reference(text) };
    return unsupported();
  }

  private name(): string {
    const text = this.next();
    return identifier.test(text) ? text : unsupported();
  }

  /** A name where a type is: noted as a reference unless a predefined type. */
  private reference(name: string): string {
    if (notTypeNames.has(name)) unsupported();
    if (!keywordTypes.has(name)) this.references[this.references.length - 1]!.push(name);
    return name;
  }

  /** The next token, which must be on the line of the one before. */
  private sameLine(): string {
    if (this.tokens[this.at]?.breaks !== 0) unsupported();
    return this.next();
  }

  private peek(): string | undefined {
    return this.tokens[this.at]?.text;
  }

  private next(): string {
    return this.tokens[this.at++]?.text ?? unsupported();
  }

  private expect(text: string): void {
    if (this.next() !== text) unsupported();
  }
}

// ---------------------------------------------------------------------------------------
// Printing. `indent` is the indentation of the line a type starts on; `column` where on
// that line it starts; `rest` what follows it on its last line (";" or "[]").

function printDeclaration(declaration: Declaration): string {
  const head = declaration.comment === undefined ? "" : `${printComment(declaration.comment, "")}\n`;
  if (declaration.kind === "interface") return `${head}export interface ${declaration.name} ${printObject(declaration.members, "")}`;
  const start = `export type ${declaration.name} =`;
  const type = declaration.type;
  if (type.kind === "union" && !hugs(type)) {
    const flat = flatText(type);
    // on the line of the name; else on the next line; else one member a line
    if (flat !== undefined && start.length + 1 + flat.length + 1 <= printWidth) return `${head}${start} ${flat};`;
    if (flat !== undefined && 2 + flat.length + 1 <= printWidth) return `${head}${start}\n  ${flat};`;
    return `${head}${start}\n${brokenUnion(type, "  ")};`;
  }
  return `${head}${start} ${printType(type, "", start.length + 1, ";")};`;
}

/** A JSDoc comment with its lines under one another at `indent` (as prettier re-indents one). */
function printComment(comment: string, indent: string): string {
  if (!comment.includes("\n")) return comment; // prettier leaves a comment on one line as it is
  const lines = comment.slice(2, -2).split("\n");
  const last = lines.length - 1;
  return `/*${lines.map((line, i) => (i === 0 ? line.trimEnd() : ` ${i < last ? line.trim() : line.trimStart()}`)).join(`\n${indent}`)}*/`;
}

function printObject(members: Member[], indent: string): string {
  if (members.length === 0) return "{}";
  const inner = `${indent}  `;
  const lines = members.map((member) => {
    const comment = member.comment === undefined ? "" : `${printComment(member.comment, inner)}\n${inner}`;
    const start = `${member.key}${member.optional ? "?" : ""}:`;
    const type = member.type;
    if (type.kind === "text") return `${inner}${comment}${start} ${type.text};`; // a name or a literal stays on the line, however long
    if (type.kind === "union" && !hugs(type)) {
      const flat = flatText(type);
      if (flat !== undefined && inner.length + start.length + 1 + flat.length + 1 <= printWidth) return `${inner}${comment}${start} ${flat};`;
      if (flat !== undefined && inner.length + 2 + flat.length + 1 <= printWidth) return `${inner}${comment}${start}\n${inner}  ${flat};`;
      return `${inner}${comment}${start}\n${brokenUnion(type, `${inner}  `)};`;
    }
    return `${inner}${comment}${start} ${printType(type, inner, inner.length + start.length + 1, ";")};`;
  });
  return `{\n${lines.join("\n")}\n${indent}}`;
}

/** `| member` lines at `indent`, an object member's lines aligned two further. */
function brokenUnion(union: Extract<Type, { kind: "union" }>, indent: string): string {
  return union.members
    .map((member) => {
      if (member.kind !== "union" && member.kind !== "intersection") return `${indent}| ${printType(member, `${indent}  `, indent.length + 2, "")}`;
      // (A | B) or (A & B): on one line if it fits; ({ … } | null) with the object broken; an
      // intersection of no object broken inside its parentheses
      if (member.kind === "union" && hugs(member)) return `${indent}| (${printType(member, `${indent}  `, indent.length + 3, ")")})`;
      const flat = operand(member);
      if (indent.length + 2 + flat.length <= printWidth) return `${indent}| ${flat}`;
      if (member.kind === "union" || member.members.some((m) => m.kind === "object")) return unsupported();
      return `${indent}| (${printIntersection(member, `${indent}  `, indent.length + 3, ")")})`;
    })
    .join("\n");
}

/** A member of a union or an intersection on one line, in the parentheses prettier keeps around a union or an intersection there. */
function operand(type: Type): string {
  const flat = flatText(type) ?? unsupported();
  return type.kind === "union" || type.kind === "intersection" ? `(${flat})` : flat;
}

/**
 * A union in parentheses too long for its line (in an intersection or an array): prettier
 * breaks the parentheses first, and keeps the union on one line inside if it fits there.
 */
function brokenParentheses(union: Extract<Type, { kind: "union" }>, indent: string): string {
  const flat = flatText(union);
  if (flat !== undefined && indent.length + 2 + flat.length <= printWidth) return `(\n${indent}  ${flat}\n${indent})`;
  return `(\n${brokenUnion(union, `${indent}  `)}\n${indent})`;
}

/**
 * An intersection too long for its line. Without objects: the first member where it
 * starts, each next one on a line of its own after ` &`, two further in, a parenthesised
 * union too long there broken a member a line. With objects (which json2ts's always break):
 * the members joined by ` & `, where a name and an object meet too; two names apart are on
 * lines of their own as above, and an object after the second member is indented two further.
 */
function printIntersection(intersection: Extract<Type, { kind: "intersection" }>, indent: string, column: number, rest: string): string {
  const members = intersection.members;
  const inner = `${indent}  `;
  if (!members.some((member) => member.kind === "object")) {
    const first = operand(members[0]!);
    if (column + first.length + 2 > printWidth) unsupported();
    const others = members.slice(1).map((member, i) => {
      const text = operand(member);
      const after = i === members.length - 2 ? rest : " &";
      if (inner.length + text.length + after.length <= printWidth) return text;
      return member.kind === "union" && !hugs(member) ? brokenParentheses(member, inner) : unsupported();
    });
    return [first, ...others].join(` &\n${inner}`);
  }
  if (members.some((member) => (member.kind === "object" ? member.members.length === 0 : member.kind !== "text"))) unsupported();
  let printed = "";
  let indented = false; // once a name and an object meet after the second member, the objects after are indented
  members.forEach((member, i) => {
    const object = member.kind === "object";
    const previous = members[i - 1]?.kind === "object";
    if (i > 0 && !object && !previous) printed += ` &\n${inner}`;
    else if (i > 0) {
      if (object !== previous && i > 1) indented = true;
      printed += " & ";
    }
    const line = printed.slice(printed.lastIndexOf("\n") + 1);
    if (member.kind !== "object") {
      const text = flatText(member)!;
      if ((printed.includes("\n") ? line.length : column + line.length) + text.length + (i === members.length - 1 ? rest.length : 4) > printWidth) unsupported();
      printed += text;
    } else printed += printObject(member.members, (object && previous ? indented : object !== previous && i > 1) ? inner : indent);
  });
  return printed;
}

/**
 * prettier keeps a union on one line, breaking only its object, when the object is its
 * only member besides null (`{ … } | null`).
 */
function hugs(union: Extract<Type, { kind: "union" }>): boolean {
  const objects = union.members.filter((m) => m.kind === "object").length;
  const nulls = union.members.filter((m) => m.kind === "text" && (m.text === "null" || m.text === "void")).length;
  return objects === 1 && nulls === union.members.length - 1;
}

/** The type on one line, or undefined when it has an object (json-schema-to-typescript's objects always break). */
function flatText(type: Type): string | undefined {
  switch (type.kind) {
    case "text":
      return type.text;
    case "object":
      return type.members.length === 0 ? "{}" : undefined;
    case "array": {
      const element = flatText(type.element);
      if (element === undefined) return undefined;
      return type.element.kind === "union" || type.element.kind === "intersection" ? `(${element})[]` : `${element}[]`;
    }
    case "tuple": {
      if (type.elements.some((e) => e.type.kind === "intersection")) unsupported(); // whether prettier keeps its parentheses: left to it
      const elements = type.elements.map((e) => {
        const text = flatText(e.type);
        return text === undefined ? undefined : e.spread ? `...${text}` : text;
      });
      return elements.every((e) => e !== undefined) ? `[${elements.join(", ")}]` : undefined;
    }
    case "union": {
      const members = type.members.map((member) => {
        const text = flatText(member);
        return (member.kind === "union" || member.kind === "intersection") && text !== undefined ? `(${text})` : text; // prettier keeps (A | B) | C and (A & B) | C
      });
      return members.every((m) => m !== undefined) ? members.join(" | ") : undefined;
    }
    case "intersection": {
      const members = type.members.map((member) => {
        const text = flatText(member);
        return member.kind === "union" && text !== undefined ? `(${text})` : text;
      });
      return members.every((m) => m !== undefined) ? members.join(" & ") : undefined;
    }
  }
}

function printType(type: Type, indent: string, column: number, rest: string): string {
  const flat = flatText(type);
  if (flat !== undefined && column + flat.length + rest.length <= printWidth) return flat;
  if (flat !== undefined && type.kind !== "intersection" && !(type.kind === "array" && type.element.kind === "union")) return unsupported();
  switch (type.kind) {
    case "intersection":
      return printIntersection(type, indent, column, rest);
    case "object":
      return printObject(type.members, indent);
    case "union":
      // only a hugging union gets here: its members on one line, the object broken
      if (!hugs(type)) return unsupported();
      return type.members.map((member) => (member.kind === "object" ? printObject(member.members, indent) : flatText(member)!)).join(" | ");
    case "array":
      // an array of objects: the object broken, then []; of `{ … } | null`: the same in parentheses; of another union: its parentheses broken
      if (type.element.kind === "union") return hugs(type.element) ? `(${printType(type.element, indent, column + 1, `)[]${rest}`)})[]` : `${brokenParentheses(type.element, indent)}[]`;
      return type.element.kind === "object" || type.element.kind === "array" ? `${printType(type.element, indent, column, `[]${rest}`)}[]` : unsupported();
    default:
      // a tuple with an object: prettier's rules for it are left to it
      return unsupported();
  }
}
