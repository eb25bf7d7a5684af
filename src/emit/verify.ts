import { CodegenError, type Problem } from "../errors.js";
import type { VersionModel } from "../model/build.js";
import type { FileOutput } from "../output.js";
import { compare } from "../order.js";
import { readTypes } from "./layout-types.js";

/** Where a file was generated from, for the message. */
export interface VersionOrigin {
  provider: string;
  version: string;
  source: string;
}

export const originOf = (model: VersionModel): VersionOrigin => ({ provider: model.provider.name, version: model.version, source: model.source });

/**
 * The last check before anything is written: every emitted `.js` file is a module that
 * loads (V8 itself parses it, from a data: URL: a JavaScript parser would take longer than
 * the rest of a run; the modules import nothing and only define functions), every `.ts`
 * file parses as TypeScript (prettier's babel-ts), and every type name a `types.ts` refers
 * to is declared or imported in it. Anything else is a bug of the generator, not of the
 * schemas: an internal error naming the provider, the version, the file and the
 * definition, and the run writes nothing. `receiver` runtime.ts, the template copied as it
 * is, is checked by the project's own typecheck instead. A `types.ts` made by emitTypes is
 * checked piece by piece where each piece is made (checkPiece, verifyTypes) and not here.
 */
export async function verifyOutput(files: readonly FileOutput[], origins: readonly VersionOrigin[]): Promise<void> {
  const code = files.filter((f) => (f.path.endsWith(".js") || f.path.endsWith(".ts")) && f.path !== "runtime.ts");
  if (code.length === 0) return;
  const problems: Problem[] = [];
  await Promise.all(
    code.map(async (file) => {
      if (file.path.endsWith(".js")) {
        const failure = await loadFailure(file.content);
        if (failure) problems.push(internalError(file.path, origins, failure.message, failure.line === undefined ? undefined : enclosingDeclaration(file.content, failure.line)));
        return;
      }
      const piece = await checkPiece(file.content);
      // a types.ts is one piece here; other files only have to parse
      const failures = file.path.endsWith("/types.ts") || "broken" in piece ? typeFailures([piece]) : [];
      for (const { message, in: where } of failures) problems.push(internalError(file.path, origins, message, where));
    }),
  );
  throwIfAny(problems);
}

/**
 * What checking one piece of a `types.ts` (a run of whole declarations) found: where it does
 * not parse, or the type names it declares (`top`: at its top level), those it refers to and
 * does not declare itself, and whether its first statement is an export, so that another
 * piece can come before it: a statement that begins with `export` never continues the one
 * before it, and a piece that parses alone has no comment, string or bracket left open, so
 * pieces joined by line breaks parse as the statements of each one after the other.
 */
export type PieceCheck =
  | { broken: string; in?: string }
  | { declared: string[]; top: string[]; used: { name: string; in?: string }[]; opensWithExport: boolean };

/**
 * Checks one piece of a types.ts: where the types' own reader (emit/layout-types.ts's
 * readTypes, which takes only TypeScript) reads all of it, by what it read; else parsed by
 * babel-ts (as prettier's parser), which locates what does not parse. The reader takes what
 * json-schema-to-typescript writes and the layout prints, most of a run's pieces, in a
 * fraction of a parse's time; test/layout-types.test.ts holds its checks equal to babel's.
 */
export async function checkPiece(text: string): Promise<PieceCheck> {
  const read = readTypes(text);
  if (read !== undefined) {
    const names = read.map((declaration) => declaration.name);
    const used = read.flatMap(({ name, references }) => references.map((reference) => ({ name: reference, in: name })));
    return { declared: names, top: names, used: foreignTypes(names, used), opensWithExport: true };
  }
  return parsedPiece(text);
}

/** checkPiece by babel-ts's parse. */
export async function parsedPiece(text: string): Promise<PieceCheck> {
  let ast: unknown;
  try {
    const babel = await import("prettier/plugins/babel");
    ast = await babel.parsers["babel-ts"].parse(text, {} as never); // parsing reads none of prettier's options
  } catch (error) {
    const { message, line } = syntaxError(error);
    const where = line === undefined ? undefined : enclosingDeclaration(text, line);
    return where === undefined ? { broken: `does not parse: ${message}` } : { broken: `does not parse: ${message}`, in: where };
  }
  const body = (ast as { program?: { body?: Node[] } }).program?.body ?? [];
  const { declared, top, used } = typeNames(ast);
  return { declared, top, used: foreignTypes(declared, used), opensWithExport: body.length === 0 || body[0]!.type.startsWith("Export") };
}

/** Of the type names a piece uses, those another piece has to declare, once each (a worker sends them to the main thread). */
function foreignTypes(declared: readonly string[], used: readonly { name: string; in?: string }[]): { name: string; in?: string }[] {
  const own = new Set(declared);
  const seen = new Set<string>();
  return used.filter(({ name, in: where }) => {
    const key = `${name}\0${where}`;
    if (own.has(name) || libraryTypes.has(name) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * What is wrong with the types.ts made of these pieces, in this order: the pieces that do not
 * parse (and then nothing else), one that could continue the piece before it, a type declared
 * at the top level of two pieces, a type used that none declares (nor imports, nor the
 * TypeScript library).
 */
export function typeFailures(pieces: readonly PieceCheck[]): { message: string; in?: string }[] {
  // what a piece that does not parse declares is unknown: that is the one failure then
  const broken = pieces.flatMap((piece) => ("broken" in piece ? [piece.in === undefined ? { message: piece.broken } : { message: piece.broken, in: piece.in }] : []));
  if (broken.length > 0) return broken;
  const read = pieces as readonly Exclude<PieceCheck, { broken: string }>[];
  const failures: { message: string; in?: string }[] = [];
  const declared = new Set<string>();
  const top = new Set<string>();
  for (const [i, piece] of read.entries()) {
    if (i > 0 && !piece.opensWithExport) failures.push({ message: `holds a piece that does not begin with an export${piece.top[0] === undefined ? "" : `, in ${piece.top[0]}`}` });
    for (const name of piece.declared) declared.add(name);
    for (const name of piece.top) {
      if (top.has(name)) failures.push({ message: `declares the type ${name} twice` });
      top.add(name);
    }
  }
  const seen = new Set<string>();
  for (const { name, in: where } of read.flatMap((piece) => piece.used)) {
    const key = `${name}\0${where}`;
    if (declared.has(name) || seen.has(key)) continue;
    seen.add(key);
    failures.push(where === undefined ? { message: `refers to the type ${name}, which it never declares` } : { message: `refers to the type ${name}, which it never declares`, in: where });
  }
  return failures;
}

/** The internal error of a types.ts made of these pieces (typeFailures), if anything is wrong with it. */
export function verifyTypes(path: string, origin: VersionOrigin, pieces: readonly PieceCheck[]): void {
  throwIfAny(typeFailures(pieces).map(({ message, in: where }) => internalError(path, [origin], message, where)));
}

function throwIfAny(problems: Problem[]): void {
  if (problems.length > 0) throw new CodegenError(problems.sort((a, b) => compare(a.message, b.message)));
}

/** A bug of the generator found in a generated file, with the provider and version it was made for. */
function internalError(path: string, origins: readonly VersionOrigin[], message: string, at?: string): Problem {
  const origin = origins.find((o) => path.startsWith(`${o.provider}/${o.version}/`));
  // a provider's own files (index.ts, handlers.ts) are made from all its versions
  const provider = origin?.provider ?? origins.find((o) => path.startsWith(`${o.provider}/`))?.provider;
  const from = origin ? ` (provider ${origin.provider}, version ${origin.version})` : provider ? ` (provider ${provider})` : "";
  return {
    code: "internal_error",
    file: origin?.source ?? path,
    message: `internal error: the generated ${path}${from} ${message}${at ? `, in ${at}` : ""}`,
    hint: "a bug in webhook-codegen, not in your schemas; nothing was written. Please report it, with the schema",
  };
}

/** Why a module does not load (undefined when it does); a syntax error located by a parser that says where. */
async function loadFailure(content: string): Promise<{ message: string; line?: number } | undefined> {
  try {
    await import(`data:text/javascript;base64,${Buffer.from(content).toString("base64")}`);
    return undefined;
  } catch (error) {
    if (!(error instanceof SyntaxError)) return { message: `does not load: ${error instanceof Error ? error.message : String(error)}` };
    try {
      const meriyah = await import("prettier/plugins/meriyah");
      await meriyah.parsers.meriyah.parse(content, {} as never);
    } catch (located) {
      const { message, line } = syntaxError(located);
      return line === undefined ? { message: `does not parse: ${message}` } : { message: `does not parse: ${message}`, line };
    }
    return { message: `does not load: ${error.message}` }; // a SyntaxError thrown by its code (new RegExp, say)
  }
}

function syntaxError(error: unknown): { message: string; line?: number } {
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  const loc = (error as { loc?: { start?: { line?: number }; line?: number } } | null)?.loc;
  const line = loc?.start?.line ?? loc?.line;
  return typeof line === "number" ? { message, line } : { message };
}

/**
 * The top-level function, type or constant a line is part of; in validators.js also the
 * definition whose check ($v_<Definition>, its helpers after it) the line belongs to.
 */
function enclosingDeclaration(text: string, line: number): string | undefined {
  const lines = text.split("\n").slice(0, line).reverse();
  let declaration: string | undefined;
  for (const l of lines) {
    const match = /^(?:export\s+)?(?:declare\s+)?(?:async\s+)?(?:function\*?|type|interface|const|let|class)\s+([\w$]+)/.exec(l);
    if (!match) continue;
    const name = match[1]!;
    declaration ??= name;
    const definition = /^\$v_([\w$]+)$/.exec(name)?.[1];
    if (definition !== undefined) return declaration === name ? `the check of definition ${definition}` : `${declaration}, part of the check of definition ${definition}`;
    if (!declaration.startsWith("$f")) return declaration;
  }
  return declaration;
}

/** Names the TypeScript library declares that generated types may use. */
const libraryTypes = new Set(["Array", "ReadonlyArray", "Record", "Partial", "Required", "Readonly", "Pick", "Omit", "Exclude", "Extract", "NonNullable", "Date", "Map", "Set", "Promise", "RegExp", "Uint8Array", "Buffer"]);

interface Node {
  type: string;
  [key: string]: unknown;
}

/** Keys of a babel node that hold positions and comments, not nodes a type name can be in. */
const positionKeys = new Set(["loc", "range", "extra", "errors", "comments", "leadingComments", "trailingComments", "innerComments"]);

const isNode = (value: unknown): value is Node => value !== null && typeof value === "object" && typeof (value as { type?: unknown }).type === "string";

/**
 * The type names a module declares (`top`: at its top level) or imports, and those it refers
 * to, each with the top-level declaration using it.
 */
function typeNames(ast: unknown): { declared: string[]; top: string[]; used: { name: string; in?: string }[] } {
  const declared: string[] = [];
  const top: string[] = [];
  const used: { name: string; in?: string }[] = [];
  let current: string | undefined;
  const visit = (node: unknown, atTop: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, atTop));
    if (!isNode(node)) return;
    const id = node["id"];
    const named = isNode(id) && typeof id["name"] === "string" ? (id["name"] as string) : undefined;
    if (named && /^(TSTypeAliasDeclaration|TSInterfaceDeclaration|TSEnumDeclaration|ClassDeclaration|TSModuleDeclaration)$/.test(node.type)) {
      declared.push(named);
      if (atTop) top.push((current = named));
    }
    if (node.type === "ImportSpecifier" || node.type === "ImportDefaultSpecifier" || node.type === "ImportNamespaceSpecifier") {
      const local = node["local"];
      if (isNode(local) && typeof local["name"] === "string") declared.push(local["name"]);
    }
    if (node.type === "TSTypeParameter" && typeof node["name"] === "string") declared.push(node["name"]);
    if (node.type === "TSTypeReference" || node.type === "TSExpressionWithTypeArguments" || node.type === "TSInterfaceHeritage") {
      let name = node["typeName"] ?? node["expression"];
      while (isNode(name) && name.type === "TSQualifiedName") name = name["left"];
      if (isNode(name) && typeof name["name"] === "string") used.push(current === undefined ? { name: name["name"] } : { name: name["name"], in: current });
    }
    const below = atTop && (node.type === "File" || node.type === "Program" || node.type === "ExportNamedDeclaration");
    for (const key in node) {
      const value = node[key];
      if (value !== null && typeof value === "object" && !positionKeys.has(key)) visit(value, below && key !== "id");
    }
  };
  visit(ast, true);
  return { declared, top, used };
}
