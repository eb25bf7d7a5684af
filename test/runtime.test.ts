import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fullFormats } from "ajv-formats/dist/formats.js";
import { describe, expect, it } from "vitest";
import { equalSource, formatDefinitions, formatsSource, supportedFormats, ucs2lengthSource, withoutComments } from "../src/runtime.js";

// The helpers we inline into generated validators must give Ajv's verdicts exactly.
const require = createRequire(import.meta.url);
const ajvUcs2length = require("ajv/dist/runtime/ucs2length").default as (s: string) => number;
const ajvEqual = require("ajv/dist/runtime/equal").default as (a: unknown, b: unknown) => boolean;

function helper<T>(source: string, name: string): T {
  return new Function(`${source}\nreturn ${name};`)() as T;
}

type Check = (value: unknown) => boolean;
const asCheck = (format: unknown): Check =>
  typeof format === "function" ? (format as Check) : (format as { validate: Check }).validate;

const ours = new Function(`${formatsSource}\nreturn $allFormats;`)() as Record<string, unknown>;

/** Strings near the edges of each format, and random ones built from their alphabets. */
function candidates(): string[] {
  const fixed = [
    "",
    "2024-02-29",
    "2023-02-29",
    "1900-02-29",
    "2000-02-29",
    "2024-13-01",
    "2024-00-10",
    "2024-04-31",
    "2024-12-31",
    "2024-1-01",
    "20240101",
    "10:00:00Z",
    "10:00:00",
    "10:00:00.123+05:30",
    "10:00:00+0530",
    "10:00:00+05",
    "23:59:60Z",
    "23:59:60+01:00",
    "00:59:60+01:00",
    "22:59:60-01:00",
    "23:59:61Z",
    "24:00:00Z",
    "10:60:00Z",
    "10:00:00+24:00",
    "10:00:00+05:60",
    "2024-01-01T10:00:00Z",
    "2024-01-01t10:00:00z",
    "2024-01-01 10:00:00Z",
    "2024-01-01\t10:00:00Z",
    "2024-01-01T10:00:00",
    "2024-01-01T10:00:00.000001-08:00",
    "2024-01-01TT10:00:00Z",
    "2024-02-30T10:00:00Z",
    // the fast path's shape (2024-01-31T10:00:00(.123)?(Z|+01:00)) at the edges of its ranges
    "2024-02-29T23:59:59.999999999Z",
    "2023-02-29T10:00:00Z",
    "1900-02-29T00:00:00Z",
    "2000-02-29T00:00:00+00:00",
    "2024-04-31T10:00:00Z",
    "2024-12-31T23:59:60Z",
    "2024-12-31T23:59:60+00:00",
    "2024-01-31T10:00:00.1234567891Z",
    "2024-01-31T10:00:00+23:59",
    "2024-01-31T10:00:00-24:00",
    "2024-01-31T10:00:00+05:60",
    "2024-00-31T10:00:00Z",
    "2024-01-00T10:00:00Z",
    "2024-01-31T10:00:00.5+01:00",
    "aGVsbG8=",
    "aGVsbG8",
    "aGVsbA==",
    "!!!\nAAAA",
    "^a\\Z",
    "a\\Z",
    "(unclosed",
    "[a-z]+",
    "http://a",
    "http:",
    "http:?q",
    "a:b//c",
    "x://@@",
    "mailto:a@b.c",
    "urn:isbn:1",
    "http://[::1]:80/p?q#f",
    "http://[v1.x]/",
    "http://1.2.3.4:/",
    "http:/a",
    "/relative/path",
    "http://a b",
    "http://%zz",
    "HTTP://EX.COM/%41",
    'a:"',
    "http://u:p@h:8/x/y?z=1#w",
    "file:///etc/passwd",
    "http://[1:2:3:4:5:6:7:8]",
    "http://[::ffff:1.2.3.4]",
    "http://[1::2::3]",
    "https://app.plain.com/workspace/w_01/thread/th_01?tab=details#note",
    // the uri fast path's shape (http(s)://host[:port][/path][?query], unescaped) at its edges
    "https://api.github.com/repos/Codertocat/Hello-World/pulls/2",
    "https://API.GitHub.com:443/a//b/c:d@e/~f!$&'()*+,;=",
    "http://a.b/",
    "https://a:/x",
    "https://-..-",
    "https://h/%41",
    "https://h/%4",
    "https://h/a b",
    "https:///x",
    "HTTPS://h/x",
    "https://h/{x}",
    "https://h/ü",
    "https://avatars.githubusercontent.com/u/1?v=4&s=/?:@",
    "https://h?q",
    "http://h/p?",
    "https://h/p?%41",
    "https://h/p?a b",
    "https://h/p?q#f",
  ];
  const alphabet = "0123456789-:T Zz.+tZ\nAa=/\\()[]@?#%!$&'*,;~\"Vv";
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const generated: string[] = [];
  for (const base of fixed) {
    for (let i = 0; i < 200; i++) {
      const chars = [...base];
      const at = Math.floor(random() * (chars.length + 1));
      const pick = alphabet[Math.floor(random() * alphabet.length)]!;
      if (random() < 0.5) chars.splice(at, 1, pick);
      else chars.splice(at, 0, pick);
      generated.push(chars.join(""));
    }
  }
  return [...fixed, ...generated];
}

describe("inlined format checks", () => {
  const strings = candidates();
  it.each(Object.keys(ours).filter((name) => name in fullFormats))("%s gives ajv-formats' verdicts", (name) => {
    const mine = asCheck(ours[name]);
    const theirs = asCheck((fullFormats as Record<string, unknown>)[name]);
    const numeric = (ours[name] as { type?: string }).type === "number";
    const values: unknown[] = numeric ? [0, 1.5, -1, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31) - 1, 1e300, -0] : strings;
    const disagreements = values.filter((v) => mine(v) !== theirs(v));
    expect(disagreements).toEqual([]);
  });

  it("covers every function format of ajv-formats; the rest are regular expressions Ajv inlines", () => {
    const functionFormats = Object.entries(fullFormats)
      .filter(([, format]) => !(format instanceof RegExp) && format !== true)
      .map(([name]) => name);
    expect(functionFormats.filter((name) => !(name in ours))).toEqual([]);
    expect(supportedFormats.has("uri")).toBe(true);
    expect(supportedFormats.has("uuid")).toBe(true);
    expect(Object.keys(formatDefinitions).sort()).toEqual([...supportedFormats].sort());
  });
});

describe("inlined Ajv runtime helpers", () => {
  it("ucs2length counts code points like Ajv's", () => {
    const length = helper<(s: string) => number>(ucs2lengthSource, "$ucs2length");
    for (const s of ["", "abc", "héllo", "😀", "a😀b", "\ud83d", "\ude00x", "\ud83d\ud83d", "𝄞𝄞𝄞"]) {
      expect(length(s), JSON.stringify(s)).toBe(ajvUcs2length(s));
    }
  });

  it("equal compares JSON values like Ajv's", () => {
    const equal = helper<(a: unknown, b: unknown) => boolean>(equalSource, "$equal");
    const values: unknown[] = [
      null, 0, 1, -0, "", "a", true, false, [], [1], [1, 2], [2, 1], {}, { a: 1 }, { a: 1, b: 2 }, { b: 2, a: 1 },
      { a: [1, { b: null }] }, { a: [1, { b: 0 }] }, [[]], [{}], { a: undefined }, { b: undefined },
    ];
    for (const a of values) for (const b of values) expect(equal(a, b), `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(ajvEqual(a, b));
  });
});

describe("templates as modules carry them", () => {
  // Every module repeats the runtime templates; it carries them without their comments.
  // What is left must be the same code: the same tokens, comments aside.
  const ts = require("typescript") as typeof import("typescript");
  const tokens = (source: string): string[] => {
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, source);
    const out: string[] = [];
    // the brace depth at which each open template literal's substitution closes
    const templates: number[] = [];
    let depth = 0;
    for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
      // a slash where an expression starts is a regular expression: read it as one
      if (kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) {
        const previous = out.at(-1);
        if (previous === undefined || /^[(,=:[!&|?{};]$|^return$|^=>$|^&&$|^\|\|$/.test(previous)) kind = scanner.reScanSlashToken();
      }
      // the brace that ends a template's substitution: the template goes on
      if (kind === ts.SyntaxKind.CloseBraceToken && templates.at(-1) === depth) {
        templates.pop();
        kind = scanner.reScanTemplateToken(false);
      } else if (kind === ts.SyntaxKind.OpenBraceToken) depth++;
      else if (kind === ts.SyntaxKind.CloseBraceToken) depth--;
      if (kind === ts.SyntaxKind.TemplateHead || kind === ts.SyntaxKind.TemplateMiddle) templates.push(depth);
      out.push(scanner.getTokenText());
    }
    return out;
  };
  const folder = fileURLToPath(new URL("../templates/runtime/", import.meta.url));
  it.each(readdirSync(folder).filter((file) => file.endsWith(".js")))("%s keeps its code", (file) => {
    const source = readFileSync(path.join(folder, file), "utf8");
    const stripped = withoutComments(source);
    expect(stripped).not.toMatch(/^\s*(\/\/|\/\*)/m);
    expect(tokens(stripped)).toEqual(tokens(source));
    expect(tokens(source).length).toBeGreaterThan(10);
  });
});

// The formats ajv-formats does not have (Ajv, with strict off, does not check them at all):
// ours check the shape RFC 3987, 5890 and 6531 give. Fixed cases here; the official suite's
// optional tests below, where our score may not fall (idn-hostname checks the shape of each
// label, not IDNA2008's contextual and bidirectional rules, nor Punycode).
describe("the internationalized formats", () => {
  const check = (name: string) => asCheck(ours[name]);
  it.each([
    ["iri", "http://ƒøø.ßår/?∂éœ=πîx#πîüx", true],
    ["iri", "//ƒøø.ßår/", false],
    ["iri", "http://example.com/a b", false],
    ["iri-reference", "#ƒrägmênt", true],
    ["iri-reference", "\\\\WINDOWS\\filë", false],
    ["idn-hostname", "실례.테스트", true],
    ["idn-hostname", "-실례", false],
    ["idn-hostname", "a".repeat(64), false],
    ["idn-email", "실례@실례.테스트", true],
    ["idn-email", "2962", false],
  ] as const)("%s: %s is %s", (name, value, valid) => {
    expect(check(name)(value)).toBe(valid);
  });

  const suite = path.resolve(fileURLToPath(new URL("..", import.meta.url)), "../shared/corpus/json-schema-test-suite/tests");
  const present = existsSync(suite);
  if (!present) console.warn(`the suite's optional format tests skipped: ${suite} not found`);
  it.skipIf(!present).each([
    ["iri", 32],
    ["iri-reference", 14],
    ["idn-hostname", 107],
    ["idn-email", 18],
  ] as const)("%s is right on at least %i of the suite's optional string tests (draft7 and 2020-12)", (name, floor) => {
    let right = 0;
    for (const draft of ["draft7", "draft2020-12"]) {
      const groups = JSON.parse(readFileSync(path.join(suite, draft, "optional/format", `${name}.json`), "utf8")) as { tests: { data: unknown; valid: boolean }[] }[];
      for (const test of groups.flatMap((g) => g.tests)) if (typeof test.data === "string" && check(name)(test.data) === test.valid) right++;
    }
    expect(right).toBeGreaterThanOrEqual(floor);
  });
});
