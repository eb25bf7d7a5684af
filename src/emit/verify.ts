import { CodegenError, type Problem } from "../errors.js";
import type { VersionModel } from "../model/build.js";
import type { FileOutput } from "../output.js";

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
 * is, is checked by the project's own typecheck instead.
 */
export async function verifyOutput(files: readonly FileOutput[], origins: readonly VersionOrigin[]): Promise<void> {
  const code = files.filter((f) => (f.path.endsWith(".js") || f.path.endsWith(".ts")) && f.path !== "runtime.ts");
  if (code.length === 0) return;
  const problems: Problem[] = [];
  await Promise.all(
    code.map(async (file) => {
      const origin = origins.find((o) => file.path.startsWith(`${o.provider}/${o.version}/`));
      // a provider's own files (index.ts, handlers.ts) are made from all its versions
      const provider = origin?.provider ?? origins.find((o) => file.path.startsWith(`${o.provider}/`))?.provider;
      const from = origin ? ` (provider ${origin.provider}, version ${origin.version})` : provider ? ` (provider ${provider})` : "";
      const report = (message: string, at?: string) =>
        problems.push({
          code: "internal_error",
          file: origin?.source ?? file.path,
          message: `internal error: the generated ${file.path}${from} ${message}${at ? `, in ${at}` : ""}`,
          hint: "a bug in webhook-codegen, not in your schemas; nothing was written. Please report it, with the schema",
        });
      if (file.path.endsWith(".js")) {
        const failure = await loadFailure(file.content);
        if (failure) report(failure.message, failure.line === undefined ? undefined : enclosingDeclaration(file.content, failure.line));
        return;
      }
      let ast: unknown;
      try {
        const babel = await import("prettier/plugins/babel");
        ast = await babel.parsers["babel-ts"].parse(file.content, {} as never); // parsing reads none of prettier's options
      } catch (error) {
        const { message, line } = syntaxError(error);
        report(`does not parse: ${message}`, line === undefined ? undefined : enclosingDeclaration(file.content, line));
        return;
      }
      if (file.path.endsWith("/types.ts")) {
        for (const { name, in: where } of undeclaredTypes(ast)) report(`refers to the type ${name}, which it never declares`, where);
      }
    }),
  );
  if (problems.length > 0) throw new CodegenError(problems.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)));
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

/** The type names a module refers to but neither declares nor imports, each with the declaration using it. */
export function undeclaredTypes(ast: unknown): { name: string; in?: string }[] {
  const declared = new Set<string>();
  const used: { name: string; in?: string }[] = [];
  let current: string | undefined;
  const visit = (node: unknown, top: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, top));
    if (!isNode(node)) return;
    const id = node["id"];
    const named = isNode(id) && typeof id["name"] === "string" ? (id["name"] as string) : undefined;
    if (named && /^(TSTypeAliasDeclaration|TSInterfaceDeclaration|TSEnumDeclaration|ClassDeclaration|TSModuleDeclaration)$/.test(node.type)) {
      declared.add(named);
      if (top) current = named;
    }
    if (node.type === "ImportSpecifier" || node.type === "ImportDefaultSpecifier" || node.type === "ImportNamespaceSpecifier") {
      const local = node["local"];
      if (isNode(local) && typeof local["name"] === "string") declared.add(local["name"]);
    }
    if (node.type === "TSTypeParameter" && typeof node["name"] === "string") declared.add(node["name"]);
    if (node.type === "TSTypeReference" || node.type === "TSExpressionWithTypeArguments" || node.type === "TSInterfaceHeritage") {
      let name = node["typeName"] ?? node["expression"];
      while (isNode(name) && name.type === "TSQualifiedName") name = name["left"];
      if (isNode(name) && typeof name["name"] === "string") used.push(current === undefined ? { name: name["name"] } : { name: name["name"], in: current });
    }
    const below = top && (node.type === "File" || node.type === "Program" || node.type === "ExportNamedDeclaration");
    for (const key in node) {
      const value = node[key];
      if (value !== null && typeof value === "object" && !positionKeys.has(key)) visit(value, below && key !== "id");
    }
  };
  visit(ast, true);
  const seen = new Set<string>();
  return used.filter(({ name, in: where }) => {
    const key = `${name}\0${where}`;
    if (declared.has(name) || libraryTypes.has(name) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
