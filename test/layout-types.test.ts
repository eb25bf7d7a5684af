import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { format } from "prettier";
import { describe, expect, it } from "vitest";
import ts from "typescript";
import { layoutDeclarations, readTypes } from "../src/emit/layout-types.js";
import { eventTypes, rawDeclarations } from "../src/emit/types.js";
import { checkPiece, parsedPiece, type PieceCheck } from "../src/emit/verify.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels, type VersionModel } from "../src/model/build.js";
import { catalogueDir, generatedProviders, repoRoot } from "./helpers.js";

// layoutDeclarations prints json-schema-to-typescript's declarations without prettier; what
// it prints must be what prettier prints, byte for byte, and what it cannot print it must
// leave (undefined) to prettier.
const prettier = (text: string) => format(text, { parser: "babel-ts", printWidth: 100, endOfLine: "lf" });

const revisions = path.resolve(repoRoot, "..", "shared", "corpus", "plain", "schema-history");
const sources: [label: string, file: string, providers?: string[]][] = [
  ["the catalogue", catalogueDir, generatedProviders],
  ...(existsSync(revisions) ? readdirSync(revisions).sort().map((f): [string, string, string[]] => [`Plain ${f}`, path.join(revisions, f), ["plain"]]) : []),
];

const githubInstalled = (() => {
  try {
    createRequire(path.join(repoRoot, "package.json")).resolve("@octokit/openapi-webhooks/generated/api.github.com.json");
    return true;
  } catch {
    return false;
  }
})();

describe("types laid out without prettier", () => {
  if (!existsSync(revisions)) it.skip("../shared/corpus not found beside this checkout: Plain's published revisions are not compared", () => {});

  if (!githubInstalled) it.skip("@octokit/openapi-webhooks is not installed (npm ci installs it): GitHub's declarations are not compared", () => {});
  else
    it("GitHub's published document: every declaration laid out as prettier prints it, nearly all without it", async () => {
      const models = buildModels((await loadCatalogue(catalogueDir, { cwd: repoRoot, providers: ["github"] })).providers);
      let count = 0;
      let laidOut = 0;
      for (const model of models) {
        for await (const raw of rawDeclarations(model)) {
          count++;
          const printed = layoutDeclarations(raw);
          if (printed === undefined) continue;
          expect(printed, raw).toBe(await prettier(raw));
          laidOut++;
        }
      }
      expect(count).toBeGreaterThan(500);
      expect(laidOut / count).toBeGreaterThan(0.98);
    }, 60_000);

  it("types.ts's own piece (the union of the events, their map and its keys): as prettier prints it, without it, for every version of the catalogue and for 1 000 events", async () => {
    const models = buildModels((await loadCatalogue(catalogueDir, { cwd: repoRoot, providers: generatedProviders })).providers);
    const events = Array.from({ length: 1000 }, (_, i) => ({ typeName: `Thing${i}Updated`, names: [`thing${i}.updated`, ...(i % 100 === 0 ? [`Thing${i}`] : [])] }));
    const large = { provider: { title: "Synthetic" }, version: "v1", events } as unknown as VersionModel;
    expect(models.length).toBeGreaterThan(2);
    for (const model of [...models, large]) {
      const raw = eventTypes(model);
      expect(layoutDeclarations(raw), raw.slice(0, 200)).toBe(await prettier(raw));
    }
  });

  it.each(sources)("%s: every declaration as prettier prints it, none left to prettier", async (_label, file, providers) => {
    const models = buildModels((await loadCatalogue(file, { cwd: repoRoot, ...(providers ? { providers } : {}) })).providers);
    let count = 0;
    for (const model of models) {
      for await (const raw of rawDeclarations(model)) {
        expect(layoutDeclarations(raw), raw).toBe(await prettier(raw));
        count++;
      }
    }
    expect(count).toBeGreaterThan(10);
  });

  it.each([
    // a union that fits; one that fits on the next line; one a member a line
    ['export type A = ("a" | "b")\n', 'export type A = "a" | "b";\n'],
    [`export type LongName = (${["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"].map((w) => `"${w}-value"`).join(" | ")})\n`, undefined],
    [`export interface A {\nkind: (${Array.from({ length: 12 }, (_, i) => `"value-number-${i}"`).join(" | ")})\n}\n`, undefined],
    // an object with null hugs; an array of objects; a tuple with a rest
    ["export interface A {\nb?: ({\nc: string\n} | null)\n}\n", undefined],
    ["export interface A {\nb: {\nc: string\n[k: string]: unknown | undefined\n}[]\n}\n", undefined],
    ["export interface A {\nb: [string, ...(number)[]]\n}\n", undefined],
    // (A | B) | C stays in parentheses on one line
    ['export type A = (("a" | "b") | null)\n', 'export type A = ("a" | "b") | null;\n'],
    // JSDoc comments are lined up under the declaration or member
    ["/**\n * A.\n *\n * More.\n */\nexport interface A {\n/**\n * B.\n */\nb: string\n}\n", undefined],
    ["export interface A {}\n", "export interface A {}\n"],
    ['export interface A {\n"a-b": string\n}\n', undefined],
    // quotes a name does not need are removed, the others kept; a comment on one line stays as it is; keyof
    ['export interface A {\n"ab": string\n"a-b": string\n"class": B\n}\n', 'export interface A {\n  ab: string;\n  "a-b": string;\n  class: B;\n}\n'],
    // a member whose type is a name or a literal stays on its line past the width
    [`export interface A {\n"${"a".repeat(50)}.b": ${"B".repeat(50)}\n"${"c".repeat(50)}": "${"d".repeat(50)}"\n}\n`, undefined],
    ["/** A. */\nexport type A = string;\n\n/** B. */\nexport type B = keyof A;\n", "/** A. */\nexport type A = string;\n\n/** B. */\nexport type B = keyof A;\n"],
    // an intersection that fits; one a member a line; one whose last union breaks in its parentheses
    ["export type A = (B & (C | D))\n", "export type A = B & (C | D);\n"],
    [`export type A = (${Array.from({ length: 5 }, (_, i) => `LongTypeNameNumber${i}`).join(" & ")})\n`, undefined],
    ["export interface A {\nvalue: ((string | string[]) & ((null & (string | string[])) | ((string | string[]) & string) | ((string | string[]) & unknown[])))\n}\n", undefined],
    ["export interface A {\nb: {\nvalue?: ((string | number | SingleSelectOption | IterationSetting) & ((null & (string | number | SingleSelectOption | IterationSetting)) | ((string | number | SingleSelectOption | IterationSetting) & string)))\n}\n}\n", undefined],
    // the parentheses broken, the union inside on one line (it fits there, not after the &)
    [`export type A = (string & ((null & B) | (C & ${"D".repeat(77)})))\n`, undefined],
    [`export interface A {\nb: (C & ((null & D) | (E & ${"F".repeat(75)})))\n}\n`, undefined],
    // an intersection inside a broken union, broken in its parentheses
    [`export interface A {\nb: {\nc: {\nd?: (${["null", "string", "number"].map((t) => `(${t} & (${["string", "number", "SingleSelectOption", "IterationSetting"].join(" | ")}))`).join(" | ")})\n}\n}\n}\n`, undefined],
    // with objects: joined by &, a name beside an object, the objects after the second member indented
    ["export type A = (B & {\nc: string\n})\n", undefined],
    ["export interface A {\nb: ({\nc: string\n} & {\nd: string\n})\n}\n", undefined],
    ["export type A = ({\nc: string\n} & B & {\nd: string\n} & {\ne: string\n} & C & D)\n", undefined],
    ["export interface A {\nb: (B & C & {\nd: string\n} & {\ne: string\n})\n}\n", undefined],
    // an array of { … } | null; arrays of unions too long for the line or with an object break the parentheses
    ["export interface A {\nb?: ({\n[k: string]: unknown | undefined\n} | null)[]\n}\n", undefined],
    [`export type A = (${["branch_protection_rule", "check_run", "check_suite", "code_scanning_alert", "commit_comment", "create"].map((w) => `"${w}"`).join(" | ")})[]\n`, undefined],
    [`export interface A {\nb?: (${["branch_protection_rule", "check_run", "check_suite", "code_scanning_alert", "commit_comment"].map((w) => `"${w}"`).join(" | ")})[]\n}\n`, undefined],
    ["export type A = (string | {\nc: string\n})[]\n", undefined],
    // ({ … } | null) as a member of a broken union, its object broken
    ["export interface A {\nb: (({\nc?: (string | null)\n} | null) | {\nd?: (string | null)\n})[]\nc: (({\nc?: (string | null)\n} | null) | {\nd?: string\n})\n}\n", undefined],
  ])("%j", async (raw, expected) => {
    const printed = layoutDeclarations(raw);
    expect(printed).toBe(await prettier(raw));
    if (expected !== undefined) expect(printed).toBe(expected);
  });

  it.each([
    ["a string with an escape (prettier may change its quotes)", 'export type A = "a\\"b"\n'],
    ["an intersection of intersections", "export type A = ((B & C) & D)\n"],
    ["an intersection with a union with an object", "export type A = ((B | {\nc: string\n}) & D)\n"],
    ["a generic", "export type A = Array<string>\n"],
    ["a blank line between members (prettier keeps it)", "export interface A {\na: string\n\nb: string\n}\n"],
    ["a comment prettier does not re-indent", "/* a\nb */\nexport type A = string\n"],
    ["an object written on one line (a literal's type: prettier keeps it on the line)", 'export interface A {\nb?: ({ "$ref": "#/x" } | 2)\n}\n'],
  ])("leaves %s to prettier", (_what, raw) => {
    expect(layoutDeclarations(raw)).toBeUndefined();
  });

  it("prints generated declarations as prettier does, and most of them without it", async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const word = () => pick(["id", "name", "createdAt", "customerGroupMemberships", "x", "threadStatusDetail", "serviceLevelAgreement", "a"]);
    const typeName = () => pick(["Id", "Datetime", "InternalActor", "ThreadStatusDetailWaitingForCustomerFollowUp", "CustomerGroupMembership"]);
    // json-schema-to-typescript's unformatted shapes, nested a few levels deep
    const type = (depth: number): string => {
      const kind = depth > 2 ? pick(["name", "keyword", "literal"]) : pick(["name", "keyword", "literal", "union", "union", "array", "object", "tuple", "nullable", "intersection"]);
      switch (kind) {
        case "name":
          return typeName();
        case "keyword":
          return pick(["string", "number", "boolean", "unknown", "null"]);
        case "literal":
          return pick(['"TODO"', '"WAITING_FOR_CUSTOMER"', '"thread.service_level_agreement_status_transitioned"', "1", "true"]);
        case "union":
          return `(${Array.from({ length: 2 + Math.floor(random() * 8) }, () => type(depth + 1)).join(" | ")})`;
        case "intersection":
          return `(${Array.from({ length: 2 + Math.floor(random() * 3) }, () => type(depth + 1)).join(" & ")})`;
        case "nullable":
          return `(${type(depth + 1)} | null)`;
        case "array": {
          const element = type(depth + 1);
          return element.endsWith('"') ? `(${element})[]` : `${element}[]`;
        }
        case "tuple":
          return `[${type(depth + 1)}, ...(${type(depth + 1)})[]]`;
        default:
          return object(depth + 1);
      }
    };
    const comment = () => (random() < 0.3 ? `/**\n * ${pick(["The thing.", "When it happened, in UTC.", "A long description of what this field holds and when a provider sends it to the receiver."])}\n */\n` : "");
    const object = (depth: number): string => {
      const members = Array.from({ length: Math.floor(random() * 5) }, () => `${comment()}${word()}${random() < 0.3 ? "?" : ""}: ${type(depth)}`);
      if (random() < 0.5) members.push("[k: string]: unknown | undefined");
      return members.length === 0 ? "{\n\n}" : `{\n${[...new Set(members)].join("\n")}\n}`;
    };
    let handled = 0;
    const total = 400;
    for (let i = 0; i < total; i++) {
      const raw = `${comment()}${random() < 0.5 ? `export interface ${typeName()}${i} ${object(1)}` : `export type ${typeName()}${i} = ${type(0)}`}\n`;
      const printed = layoutDeclarations(raw);
      if (printed === undefined) continue;
      expect(printed, raw).toBe(await prettier(raw));
      handled++;
    }
    expect(handled).toBeGreaterThan(total / 2);
  });
});

// checkPiece reads a piece with the layout's reader where it can, instead of parsing it: what
// the reader reads must parse (as TypeScript, and as babel-ts), and its check must be babel's.
describe("the types' reader as the check of a piece", () => {
  /** A check with the names used in one order (babel's walk and the reader's differ). */
  const sorted = (check: PieceCheck): PieceCheck =>
    "broken" in check ? check : { ...check, used: [...check.used].sort((a, b) => `${a.name}\0${a.in}`.localeCompare(`${b.name}\0${b.in}`)) };
  const typescriptParses = (text: string) => {
    const file = ts.createSourceFile("piece.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    return (file as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  };
  /** Whether the reader read the text, after checking that what it read is TypeScript and that its check is babel's. */
  const agrees = async (text: string): Promise<boolean> => {
    if (readTypes(text) === undefined) return false;
    expect(typescriptParses(text), text).toEqual([]);
    expect(sorted(await checkPiece(text)), text).toEqual(sorted(await parsedPiece(text)));
    return true;
  };
  const piecesOf = async (file: string, providers?: string[]) => {
    const models = buildModels((await loadCatalogue(file, { cwd: repoRoot, ...(providers ? { providers } : {}) })).providers);
    const pieces: string[] = [];
    for (const model of models) {
      pieces.push(eventTypes(model), layoutDeclarations(eventTypes(model))!);
      for await (const raw of rawDeclarations(model)) pieces.push(raw, layoutDeclarations(raw) ?? (await prettier(raw)));
    }
    return pieces;
  };

  const all = [...sources, ...(githubInstalled ? [["GitHub's published document", catalogueDir, ["github"]] as [string, string, string[]]] : [])];
  it.each(all)("%s: the reader reads every piece laid out, and checks each as babel-ts does", async (_label, file, providers) => {
    const pieces = await piecesOf(file, providers);
    let read = 0;
    let laidOut = 0;
    for (const [i, piece] of pieces.entries()) {
      const agreed = await agrees(piece);
      if (i % 2 === 1) {
        laidOut++;
        if (agreed) read++;
      }
    }
    expect(laidOut).toBeGreaterThan(10);
    expect(read / laidOut).toBeGreaterThan(0.98);
  }, 120_000);

  it("reads back no text that does not parse: pieces changed a token at a time are read only when TypeScript parses them", async () => {
    const pieces = (await piecesOf(catalogueDir, generatedProviders)).filter((_, i) => i % 2 === 1);
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const extra = ["class", "default", "typeof", "keyof", "readonly", "infer", "intrinsic", "string", "A", "export", "type", "interface", "|", "&", "[]", "[", "]", "{", "}", "(", ")", ";", ",", ":", "?", "=", "...", "<", ">", '"x"', '"a\rb"', "1", "-", "/** c */", "\n", "\n\n", " "];
    let accepted = 0;
    const total = 3000;
    for (let n = 0; n < total; n++) {
      const tokens = pick(pieces).match(/\s+|\/\*[\s\S]*?\*\/|"(?:[^"\\]|\\.)*"|[\w$]+|\.\.\.|[^\s]/g)!;
      for (let edits = 1 + Math.floor(random() * 2); edits > 0; edits--) {
        const at = Math.floor(random() * tokens.length);
        const edit = pick(["delete", "repeat", "swap", "insert", "insert", "break", "join"]);
        if (edit === "delete") tokens.splice(at, 1);
        else if (edit === "repeat") tokens.splice(at, 0, tokens[at]!);
        else if (edit === "swap" && at + 1 < tokens.length) [tokens[at], tokens[at + 1]] = [tokens[at + 1]!, tokens[at]!];
        else if (edit === "insert") tokens.splice(at, 0, pick(extra));
        else if (edit === "break") tokens.splice(at, 0, "\n");
        else if (edit === "join" && /^\s+$/.test(tokens[at]!)) tokens[at] = " ";
      }
      if (await agrees(tokens.join(""))) accepted++;
    }
    // enough of them read to mean something, and not all (most changes break a piece)
    expect(accepted).toBeGreaterThan(total / 20);
    expect(accepted).toBeLessThan(total * 0.9);
  }, 120_000);

  it.each([
    ["a reserved word as a type", "export type A = class;\n"],
    ["a reserved word as a name", "export type default = string;\n"],
    ["a predefined type declared again", "export type string = number;\n"],
    ["the name on the line after `type`", "export type\nA = string;\n"],
    ["`[]` on the line after its element", "export type A = B\n[];\n"],
    ["two members on a line without a separator", "export interface A {\n  a: string b: string;\n}\n"],
    ["an optional index signature", "export interface A {\n  [k: string]?: unknown;\n}\n"],
    ["a raw carriage return in a string", 'export type A = "a\rb";\n'],
    ["intrinsic, which babel-ts reads as a keyword", "export type A = intrinsic;\n"],
  ])("leaves %s to the parser", async (_what, text) => {
    expect(readTypes(text)).toBeUndefined();
  });
});
