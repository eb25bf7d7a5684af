import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { cacheKey } from "../src/cache.js";
import { validatorModule } from "../src/emit/validators/index.js";
import { CodegenError } from "../src/errors.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels, maxSpecialisations, type VersionModel } from "../src/model/build.js";
import { resolveUri } from "../src/model/uri.js";
import { formatDefinitions } from "../src/runtime.js";
import { repoRoot, tempDir } from "./helpers.js";

/**
 * Schema resolution, rule by rule (draft-07 and 2020-12): each case is a version of a
 * one-provider catalogue whose events name their event in a header, so any schema is an event;
 * the generated validators.js is imported and must give the expected verdict on each instance.
 */

const draft7 = "http://json-schema.org/draft-07/schema#";
const v2020 = "https://json-schema.org/draft/2020-12/schema";

interface Catalogue {
  /** Files of the version folder, by path. */
  files: Record<string, unknown>;
  /** Files of the provider's remotes folder (mapped under http://localhost:1234/). */
  remotes?: Record<string, unknown>;
  /** Files of the version's own remotes folder (v1/remotes/, the same mapping). */
  versionRemotes?: Record<string, unknown>;
}

async function build({ files, remotes, versionRemotes }: Catalogue): Promise<VersionModel> {
  const project = await tempDir("codegen-resolve-");
  const provider = path.join(project, "schemas/acme");
  const manifest = {
    name: "acme",
    title: "Acme",
    event: { in: "header", name: "x-acme-event" },
    signing: { scheme: "standard-webhooks" },
    ...(remotes || versionRemotes ? { remotes: { "http://localhost:1234/": "remotes" } } : {}),
  };
  await mkdir(provider, { recursive: true });
  await writeFile(path.join(provider, "provider.json"), JSON.stringify(manifest));
  const put = async (dir: string, rel: string, json: unknown) => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), JSON.stringify(json));
  };
  for (const [rel, json] of Object.entries(files)) await put(path.join(provider, "v1"), rel, json);
  for (const [rel, json] of Object.entries(remotes ?? {})) await put(path.join(provider, "remotes"), rel, json);
  for (const [rel, json] of Object.entries(versionRemotes ?? {})) await put(path.join(provider, "v1", "remotes"), rel, json);
  const catalogue = await loadCatalogue(path.join(project, "schemas"), { cwd: project });
  return buildModels(catalogue.providers)[0]!;
}

async function problemsOf(catalogue: Catalogue): Promise<string> {
  try {
    await build(catalogue);
  } catch (error) {
    if (error instanceof CodegenError) return error.message;
    throw error;
  }
  throw new Error("expected the model to refuse the catalogue");
}

type Validate = (data: unknown) => boolean;

let loaded = 0;
async function validators(model: VersionModel): Promise<(event: string) => Validate> {
  const file = path.join(await tempDir("codegen-resolve-module-"), `validators-${loaded++}.js`);
  await writeFile(file, validatorModule(model));
  const module = (await import(pathToFileURL(file).href)) as { validatorFor(name: string): Validate | undefined };
  return (event) => module.validatorFor(event)!;
}

interface Case {
  rule: string;
  catalogue: Catalogue;
  /** Per event: instances and the verdict each must get. */
  verdicts: Record<string, [unknown, boolean][]>;
}

const cases: Case[] = [
  {
    rule: "draft-07: a #/ pointer inside a subschema with its own $id is resolved against that $id, not the file's root",
    catalogue: {
      files: {
        "e.schema.json": {
          $schema: draft7,
          $id: "http://example.com/root.json",
          definitions: { a: { type: "integer" } },
          properties: {
            x: { $id: "http://example.com/x.json", definitions: { a: { type: "string" } }, allOf: [{ $ref: "#/definitions/a" }] },
            y: { $ref: "#/definitions/a" },
          },
        },
      },
    },
    verdicts: { e: [[{ x: "s", y: 1 }, true], [{ x: 1 }, false], [{ y: "s" }, false]] },
  },
  {
    rule: 'draft-07: a plain-name fragment id ("$id": "#foo") is a target',
    catalogue: {
      files: {
        "e.schema.json": { $schema: draft7, properties: { n: { $ref: "#foo" } }, definitions: { A: { $id: "#foo", type: "number" } } },
      },
    },
    verdicts: { e: [[{ n: 1.5 }, true], [{ n: "1" }, false]] },
  },
  {
    rule: "draft-07: a $ref's siblings are ignored, $id included (the spec, not Ajv)",
    catalogue: {
      files: {
        "e.schema.json": {
          $schema: draft7,
          $id: "http://example.com/base/",
          definitions: { s: { type: "string" }, local: { $id: "s.json", type: "number" } },
          properties: { a: { $ref: "#/definitions/s", maxLength: 2 }, b: { $id: "http://example.com/", $ref: "s.json" } },
        },
      },
    },
    verdicts: { e: [[{ a: "longer than two" }, true], [{ a: 1 }, false], [{ b: 1 }, true], [{ b: "1" }, false]] },
  },
  {
    rule: "a $ref relative to an $id base reaches another file of the version by the $id it declares",
    catalogue: {
      files: {
        "e.schema.json": { $schema: draft7, $id: "http://example.com/schemas/root.json", properties: { item: { $ref: "item.json" } } },
        "shared/item.json": { $schema: draft7, $id: "http://example.com/schemas/item.json", type: "boolean" },
      },
    },
    verdicts: { e: [[{ item: true }, true], [{ item: 1 }, false]] },
  },
  {
    rule: "an absolute-URI $ref to a schema another file declares by $id, and a relative path without $id (its retrieval URI)",
    catalogue: {
      files: {
        "e.schema.json": { $schema: v2020, properties: { a: { $ref: "urn:example:thing" }, b: { $ref: "shared/b.json#/$defs/b" } } },
        "shared/a.json": { $schema: v2020, $id: "urn:example:thing", type: "string" },
        "shared/b.json": { $schema: v2020, $defs: { b: { type: "integer" } } },
      },
    },
    verdicts: { e: [[{ a: "x", b: 1 }, true], [{ a: 1 }, false], [{ b: 1.5 }, false]] },
  },
  {
    rule: "2020-12: $anchor, and $id scoping in nested resources (relative $id against the enclosing base)",
    catalogue: {
      files: {
        "e.schema.json": {
          $schema: v2020,
          $id: "http://example.com/root.json",
          properties: {
            a: { $ref: "#positive" },
            b: { $ref: "nested/leaf.json" },
            c: { $ref: "nested/leaf.json#odd" },
          },
          $defs: {
            p: { $anchor: "positive", type: "number", exclusiveMinimum: 0 },
            leaf: { $id: "nested/leaf.json", type: "array", $defs: { o: { $anchor: "odd", enum: [1, 3, 5] } } },
          },
        },
      },
    },
    verdicts: { e: [[{ a: 1, b: [], c: 3 }, true], [{ a: 0 }, false], [{ b: {} }, false], [{ c: 2 }, false]] },
  },
  {
    rule: "JSON pointers: ~0, ~1 and percent-encoding in the fragment; $defs and definitions",
    catalogue: {
      files: {
        "e.schema.json": {
          $schema: v2020,
          properties: { a: { $ref: "#/$defs/til~0de" }, b: { $ref: "#/$defs/sl~1ash" }, c: { $ref: "#/$defs/per%25cent" }, d: { $ref: "#/definitions/old" } },
          $defs: { "til~de": { type: "integer" }, "sl/ash": { type: "string" }, "per%cent": { type: "boolean" } },
          definitions: { old: { type: "null" } },
        },
      },
    },
    verdicts: { e: [[{ a: 1, b: "x", c: true, d: null }, true], [{ a: "1" }, false], [{ b: 1 }, false], [{ c: 1 }, false], [{ d: 1 }, false]] },
  },
  {
    rule: "remotes: a URI prefix the manifest maps to a folder of the provider",
    catalogue: {
      files: { "e.schema.json": { $schema: v2020, properties: { n: { $ref: "http://localhost:1234/nested/int.json" } } } },
      remotes: { "nested/int.json": { type: "integer" } },
    },
    verdicts: { e: [[{ n: 2 }, true], [{ n: "2" }, false]] },
  },
  {
    rule: "remotes: a folder of that name inside the version serves that version, before the provider's, and is not part of the version",
    catalogue: {
      files: { "e.schema.json": { $schema: v2020, properties: { n: { $ref: "http://localhost:1234/int.json" }, s: { $ref: "http://localhost:1234/str.json" } } } },
      versionRemotes: { "int.json": { type: "integer" }, "other-draft.json": { $schema: "https://json-schema.org/draft/2019-09/schema" } },
      remotes: { "int.json": { type: "string" }, "str.json": { type: "string" } },
    },
    verdicts: { e: [[{ n: 2, s: "x" }, true], [{ n: "2" }, false], [{ s: 1 }, false]] },
  },
  {
    rule: "the draft-07 meta-schema ships with the tool",
    catalogue: { files: { "e.schema.json": { $schema: draft7, $ref: "http://json-schema.org/draft-07/schema#" } } },
    verdicts: { e: [[{ minLength: 1 }, true], [{ minLength: -1 }, false], [{ type: "nope" }, false]] },
  },
  {
    rule: "the 2020-12 meta-schema and its vocabulary meta-schemas ship with the tool ($dynamicRef #meta included)",
    catalogue: { files: { "e.schema.json": { $schema: v2020, $ref: "https://json-schema.org/draft/2020-12/schema" } } },
    verdicts: { e: [[{ minLength: 1, properties: { a: { type: "string" } } }, true], [{ minLength: -1 }, false], [{ properties: { a: { minLength: -1 } } }, false]] },
  },
  {
    rule: "$dynamicRef: one copy of the shared schema per dynamic scope (a tree, and a strict tree that extends it)",
    catalogue: {
      files: {
        "tree.schema.json": {
          $schema: v2020,
          $id: "http://example.com/tree",
          $dynamicAnchor: "node",
          type: "object",
          properties: { data: true, children: { type: "array", items: { $dynamicRef: "#node" } } },
        },
        "strict.schema.json": {
          $schema: v2020,
          $id: "http://example.com/strict",
          $dynamicAnchor: "node",
          $ref: "tree",
          properties: { data: true, children: true },
          additionalProperties: false,
        },
      },
    },
    verdicts: {
      tree: [[{ children: [{ extra: 1 }] }, true], [{ children: [1] }, false]],
      strict: [[{ children: [{ data: 1 }] }, true], [{ children: [{ extra: 1 }] }, false], [{ children: [{ children: [{ extra: 1 }] }] }, false]],
    },
  },
  {
    rule: "a custom meta-schema (a remote based on 2020-12) sets the dialect, and its $vocabulary which keywords count",
    catalogue: {
      files: {
        "e.schema.json": {
          $schema: "http://localhost:1234/no-validation.json",
          properties: { bad: false, n: { minimum: 10 } },
        },
      },
      remotes: {
        "no-validation.json": {
          $schema: v2020,
          $id: "http://localhost:1234/no-validation.json",
          $vocabulary: { "https://json-schema.org/draft/2020-12/vocab/core": true, "https://json-schema.org/draft/2020-12/vocab/applicator": true },
          allOf: [{ $ref: "https://json-schema.org/draft/2020-12/meta/core" }, { $ref: "https://json-schema.org/draft/2020-12/meta/applicator" }],
        },
      },
    },
    verdicts: { e: [[{ n: 1 }, true], [{ bad: 1 }, false]] },
  },
  {
    rule: "$dynamicRef whose target has no $dynamicAnchor of that name is a plain $ref",
    catalogue: {
      files: {
        "e.schema.json": { $schema: v2020, $id: "http://example.com/e", $dynamicAnchor: "x", properties: { a: { $dynamicRef: "#/$defs/s" } }, $defs: { s: { type: "string" } } },
      },
    },
    verdicts: { e: [[{ a: "s" }, true], [{ a: 1 }, false]] },
  },
];

describe("schema resolution: each rule, with the generated validator's verdicts", () => {
  it.each(cases.map((c) => [c.rule, c] as const))("%s", async (_rule, c) => {
    const model = await build(c.catalogue);
    const validatorFor = await validators(model);
    for (const [event, instances] of Object.entries(c.verdicts)) {
      const validate = validatorFor(event);
      for (const [instance, valid] of instances) expect([event, instance, validate(instance)]).toEqual([event, instance, valid]);
    }
    // emitters never resolve again: every $ref is to a definition, and nothing dynamic is left
    const text = JSON.stringify(model.definitions);
    for (const ref of text.match(/"\$ref":"[^"]*"/g) ?? []) expect(ref).toMatch(/^"\$ref":"#\/definitions\/\w+"$/);
    expect(text).not.toMatch(/"\$(dynamicRef|dynamicAnchor|anchor|id)":"/);
  });

  it("names the specialisations of a $dynamicRef target deterministically, one definition per dynamic scope", async () => {
    const tree = cases.find((c) => c.rule.startsWith("$dynamicRef: one copy"))!;
    const first = await build(tree.catalogue);
    const second = await build(tree.catalogue);
    expect(Object.keys(first.definitions)).toEqual(Object.keys(second.definitions));
    expect(JSON.stringify(first.definitions)).toBe(JSON.stringify(second.definitions));
    // the tree, reached from the strict tree, is a copy of its own
    expect(Object.keys(first.definitions)).toEqual(["Strict", "Tree", "Tree2"]);
  });
});

describe("schema resolution: what is refused, with the file and the JSON pointer of the $ref", () => {
  it.each([
    [
      "a network ref, listing the $ids the version declares",
      { files: { "e.schema.json": { $schema: draft7, properties: { a: { $ref: "https://example.com/other.json" } } }, "x.json": { $schema: draft7, $id: "http://example.com/x.json" } } },
      /e\.schema\.json#\/properties\/a\/\$ref: \$ref "https:\/\/example\.com\/other\.json": https:\/\/example\.com\/other\.json is not a schema of the version: remote references are not fetched\n  → the version's files declare these \$ids: http:\/\/example\.com\/x\.json/,
    ],
    [
      "a pointer to nothing",
      { files: { "e.schema.json": { $schema: v2020, properties: { a: { $ref: "#/$defs/missing" } } } } },
      /e\.schema\.json#\/properties\/a\/\$ref: \$ref "#\/\$defs\/missing": nothing at \/\$defs\/missing/,
    ],
    [
      "an anchor nobody declares",
      { files: { "e.schema.json": { $schema: v2020, $id: "http://example.com/e", $defs: { a: { $anchor: "here" } }, properties: { a: { $ref: "#there" } } } } },
      /#\/properties\/a\/\$ref: \$ref "#there": no anchor "there" in http:\/\/example\.com\/e \(it declares #here\)/,
    ],
    [
      "a relative ref against an $id base that no file declares",
      { files: { "e.schema.json": { $schema: draft7, $id: "http://example.com/a/root.json", properties: { a: { $ref: "b.json" } } } } },
      /#\/properties\/a\/\$ref: \$ref "b\.json": http:\/\/example\.com\/a\/b\.json \(resolved against the base URI http:\/\/example\.com\/a\/root\.json\) is not a schema of the version/,
    ],
    [
      "$recursiveRef (draft 2019-09)",
      { files: { "e.schema.json": { $schema: v2020, properties: { a: { $recursiveRef: "#" } } } } },
      /e\.schema\.json#\/properties\/a\/\$recursiveRef: \$recursiveRef is draft 2019-09's keyword/,
    ],
    [
      "a ref to a schema of the other dialect",
      { files: { "e.schema.json": { $schema: draft7, $ref: "https://json-schema.org/draft/2020-12/schema" } } },
      /e\.schema\.json#\/\$ref: \$ref "https:\/\/json-schema\.org\/draft\/2020-12\/schema" leads to a 2020-12 schema .* from a draft-07 version/,
    ],
    [
      "a custom meta-schema requiring a vocabulary the tool does not know",
      {
        files: { "e.schema.json": { $schema: "http://localhost:1234/meta.json" } },
        remotes: { "meta.json": { $schema: v2020, $vocabulary: { "https://json-schema.org/draft/2020-12/vocab/core": true, "https://example.com/vocab/mine": true } } },
      },
      /remotes\/meta\.json#\/\$vocabulary: the meta-schema requires vocabularies this tool does not know: https:\/\/example\.com\/vocab\/mine/,
    ],
    [
      "two schemas declaring one $id",
      { files: { "e.schema.json": { $schema: draft7, $id: "http://example.com/s.json" }, "shared/s.json": { $schema: draft7, $id: "http://example.com/s.json" } } },
      /shared\/s\.json#\/\$id: \$id http:\/\/example\.com\/s\.json is already declared by .*e\.schema\.json/,
    ],
    [
      "a fragment that is not valid percent-encoding",
      { files: { "e.schema.json": { $schema: v2020, properties: { a: { $ref: "#/$defs/%zz" } } } } },
      /#\/properties\/a\/\$ref: \$ref "#\/\$defs\/%zz": its fragment "#\/\$defs\/%zz" is not valid percent-encoding/,
    ],
  ] as const)("%s", async (_what, catalogue, message) => {
    expect(await problemsOf(catalogue)).toMatch(message);
  });

  it("lists at most twenty declared $ids in a refusal", async () => {
    const files: Record<string, unknown> = { "e.schema.json": { $schema: draft7, $ref: "https://example.com/elsewhere.json" } };
    for (let i = 10; i < 35; i++) files[`shared/s${i}.json`] = { $schema: draft7, $id: `http://example.com/s${i}.json` };
    const message = await problemsOf({ files });
    expect(message).toMatch(/declare these \$ids: http:\/\/example\.com\/s10\.json, .*http:\/\/example\.com\/s29\.json and 5 more;/);
    expect(message).not.toContain("s30.json");
  });

  it(`refuses a $dynamicRef target that would need more than ${maxSpecialisations} copies`, async () => {
    const files: Record<string, unknown> = {
      "shared/list.json": {
        $schema: v2020,
        $id: "http://example.com/list",
        $dynamicAnchor: "item",
        type: "array",
        items: { $dynamicRef: "#item" },
      },
    };
    for (let i = 0; i <= maxSpecialisations; i++) {
      files[`e${i}.schema.json`] = { $schema: v2020, $id: `http://example.com/e${i}`, $ref: "list", $defs: { item: { $dynamicAnchor: "item", const: i } } };
    }
    expect(await problemsOf({ files })).toMatch(
      new RegExp(`e9\\.schema\\.json#/\\$ref: \\$ref "list": the schema it reaches \\(.*list\\.json#\\) would need more than ${maxSpecialisations} copies`),
    );
  });

  it("checks the manifest's remotes: a URI prefix ending in /, a folder; a reference under a prefix says where it looked", async () => {
    const project = await tempDir("codegen-resolve-");
    await mkdir(path.join(project, "schemas/acme/v1"), { recursive: true });
    await writeFile(path.join(project, "schemas/acme/v1/e.schema.json"), '{"$ref": "http://localhost:1234/int.json"}');
    const manifest = (remotes: unknown) =>
      JSON.stringify({ name: "acme", title: "Acme", event: { in: "header", name: "x-e" }, signing: { scheme: "standard-webhooks" }, remotes });
    const load = () => loadCatalogue(path.join(project, "schemas"), { cwd: project });
    await writeFile(path.join(project, "schemas/acme/provider.json"), manifest({ "http://localhost:1234": "remotes" }));
    await expect(load()).rejects.toThrow(/provider\.json#\/remotes.*(must match pattern|property name)/s);
    await writeFile(path.join(project, "schemas/acme/provider.json"), manifest({ "http://localhost:1234/": "remotes" }));
    // no such folder anywhere: the prefix serves nothing
    const none = await load();
    expect(() => buildModels(none.providers)).toThrow(
      /e\.schema\.json#\/\$ref: \$ref "http:\/\/localhost:1234\/int\.json": http:\/\/localhost:1234\/int\.json: no file int\.json in schemas\/acme\/remotes \(the manifest's remotes serve http:\/\/localhost:1234\/ from there\)/,
    );
    await writeFile(path.join(project, "schemas/acme/remotes"), "");
    await expect(load()).rejects.toThrow(/provider\.json#\/remotes\/http:~1~1localhost:1234~1: schemas\/acme\/remotes is not a folder/);
    await rm(path.join(project, "schemas/acme/remotes"));
    // once it exists, the remotes folder is not a version
    await mkdir(path.join(project, "schemas/acme/remotes"));
    await writeFile(path.join(project, "schemas/acme/remotes/int.json"), '{"type":"integer"}');
    const catalogue = await load();
    expect(catalogue.providers[0]!.versions.map((v) => v.name)).toEqual(["v1"]);
    expect([...catalogue.providers[0]!.remotes![0]!.files.keys()]).toEqual(["int.json"]);
    expect(Object.keys(buildModels(catalogue.providers)[0]!.definitions)).toEqual(["E", "Int"]);
  });
});

describe("URI references (RFC 3986)", () => {
  it.each([
    ["b.json", "http://example.com/a/root.json", "http://example.com/a/b.json"],
    ["../b.json#/x", "http://example.com/a/c/root.json", "http://example.com/a/b.json#/x"],
    ["#foo", "urn:example:root", "urn:example:root#foo"],
    ["bar.json", "urn:example:foo", "urn:bar.json"],
    ["other", "tag:example.com,2020:a/b", "tag:example.com,2020:a/other"],
    ["http://x.org/s#", "catalogue:/version/a.json", "http://x.org/s#"],
    ["../../out.json", "catalogue:/version/a.json", "catalogue:/out.json"],
  ])("%s against %s is %s", (reference, base, expected) => {
    expect(resolveUri(reference, base)).toBe(expected);
  });
});

const suiteDir = path.resolve(repoRoot, "..", "shared", "corpus", "json-schema-test-suite");
const suitePresent = existsSync(suiteDir);
if (!suitePresent) console.warn(`meta-schema comparison skipped: ${suiteDir} not found (it sits beside the checkout in this project's CI)`);

describe.skipIf(!suitePresent)(
  suitePresent ? "the shipped meta-schemas judge schemas as Ajv's copies do (JSON-Schema-Test-Suite schemas, and broken variants)" : "meta-schemas: SKIPPED, ../shared/corpus not found",
  () => {
    it.each([
      ["draft-07", "draft7", draft7],
      ["2020-12", "draft2020-12", v2020],
    ] as const)("%s", async (_dialect, folder, uri) => {
      const schemas: unknown[] = [];
      for (const file of readdirSync(path.join(suiteDir, "tests", folder)).filter((f) => f.endsWith(".json"))) {
        const groups = JSON.parse(readFileSync(path.join(suiteDir, "tests", folder, file), "utf8")) as { schema: unknown }[];
        for (const { schema } of groups) {
          // Ajv's validateSchema knows no custom meta-schema
          if (schema !== null && typeof schema === "object" && "$schema" in schema && (schema as { $schema: unknown }).$schema !== uri) continue;
          schemas.push(schema);
          if (schema === null || typeof schema !== "object") continue;
          for (const broken of [{ minLength: -1 }, { type: "nope" }, { properties: 1 }, { required: [1] }, { items: 2 }, { allOf: [] }, { $defs: { a: { maximum: "1" } } }]) {
            schemas.push({ ...schema, ...broken });
          }
        }
      }
      const model = await build({ files: { "e.schema.json": { $schema: uri, $ref: uri } } });
      const ours = (await validators(model))("e");
      const options = { strict: false, formats: formatDefinitions, logger: false } as const;
      const ajv = folder === "draft7" ? new Ajv(options) : new Ajv2020(options);
      const differ = schemas.filter((schema) => ours(schema) !== ajv.validateSchema(schema as boolean | object));
      expect(schemas.length).toBeGreaterThan(1000);
      expect(differ).toEqual([]);
    });
  },
);

describe("schema resolution: odd references end in a problem or a model, never a crash", () => {
  const odd = ["%", "a%zz.json", "#%", "#/%GG", "http://[::1", "\u0000", "//host/x.json", "?q", "..", "../", "/abs.json", "#/", "##", "#a#b", "urn:", "file:///etc/passwd", "catalogue:/version/e.schema.json", "catalogue:/x.json", "a b.json", "\\\\server\\x.json", "#/$defs/a%2Fb", "#/definitions/__proto__", "#/definitions/constructor"];
  it.each(odd)("%j", async (ref) => {
    for (const dialect of [draft7, v2020]) {
      for (const where of [{ $ref: ref }, { $dynamicRef: ref }, { $id: ref }, { $anchor: ref }]) {
        const catalogue = { files: { "e.schema.json": { $schema: dialect, properties: { a: where }, definitions: { x: { $id: ref, type: "string" } } } } };
        try {
          await build(catalogue);
        } catch (error) {
          expect(error).toBeInstanceOf(CodegenError);
        }
      }
    }
  });
});

describe("remotes are inputs: a change to one is a change to the version", () => {
  it("changes the model's source hash and the run's cache key", async () => {
    const project = await tempDir("codegen-resolve-");
    const provider = path.join(project, "schemas/acme");
    await mkdir(path.join(provider, "v1"), { recursive: true });
    await mkdir(path.join(provider, "remotes"), { recursive: true });
    await writeFile(
      path.join(provider, "provider.json"),
      JSON.stringify({ name: "acme", title: "Acme", event: { in: "header", name: "x-e" }, signing: { scheme: "standard-webhooks" }, remotes: { "http://localhost:1234/": "remotes" } }),
    );
    await writeFile(path.join(provider, "v1/e.schema.json"), JSON.stringify({ $ref: "http://localhost:1234/int.json" }));
    const state = async () => {
      const catalogue = await loadCatalogue(path.join(project, "schemas"), { cwd: project });
      return { hash: buildModels(catalogue.providers)[0]!.hash, key: cacheKey({ schemas: path.join(project, "schemas"), out: path.join(project, "out"), cwd: project }) };
    };
    await writeFile(path.join(provider, "remotes/int.json"), '{"type":"integer"}');
    const before = await state();
    await writeFile(path.join(provider, "remotes/int.json"), '{"type":"integer","minimum":0}');
    const after = await state();
    expect(after.hash).not.toBe(before.hash);
    expect(after.key).not.toBe(before.key);
  });
});

it("a bundle whose references hold malformed percent-encoding is a problem, not a crash", async () => {
  const project = await tempDir("codegen-resolve-");
  await mkdir(path.join(project, "schemas/acme/v1"), { recursive: true });
  await writeFile(
    path.join(project, "schemas/acme/provider.json"),
    JSON.stringify({ name: "acme", title: "Acme", event: { in: "body", pointer: "/type" }, signing: { scheme: "standard-webhooks" } }),
  );
  const bundle = {
    $schema: draft7,
    anyOf: [{ $ref: "#/definitions/%zz" }, { properties: { type: { const: "b" }, x: { $ref: "#/definitions/%zz" } } }],
    definitions: { a: { properties: { type: { const: "a" } } } },
  };
  await writeFile(path.join(project, "schemas/acme/v1/acme.bundle.json"), JSON.stringify(bundle));
  const catalogue = await loadCatalogue(path.join(project, "schemas"), { cwd: project });
  expect(() => buildModels(catalogue.providers)).toThrow(CodegenError);
});
