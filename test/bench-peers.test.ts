import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { afterAll, describe, expect, it } from "vitest";
import { checkPeers, peerNames, preparePeers, type Check } from "../bench/peers.js";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels, type VersionModel } from "../src/model/build.js";
import { catalogueDir, generatedDir, repoRoot } from "./helpers.js";

// The peers of `npm run bench` (bench/peers.js) are set up on the same JSON Schemas Ajv
// compiles: these tests hold them to Ajv's verdicts, so that the bench compares validators
// that check the same things (typia, types only, on what types can tell).

// inside the repository: typia's generator looks for the package.json above its working directory
const work = path.join(repoRoot, "node_modules", ".cache", "webhook-codegen-test-peers");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

const models = buildModels((await loadCatalogue(catalogueDir, { cwd: repoRoot, providers: ["plain", "agentmail"] })).providers);
const asDocument = (model: VersionModel) => ({ definitions: model.definitions, anyOf: model.events.map((e) => ({ $ref: `#/definitions/${e.typeName}` })) });
const versions = models.map((model) => ({
  label: `${model.provider.name} ${model.version}`,
  document: asDocument(model),
  model,
  typesFile: path.join(generatedDir, model.provider.name, model.version, "types.ts"),
}));

/** Copies of a payload broken as the bench breaks them: a date made impossible, a string made a number, a field removed. */
function broken(payload: Record<string, unknown>): { date?: unknown; number?: unknown; missing: unknown } {
  const change = (test: (value: unknown) => boolean, to: unknown) => {
    const copy = structuredClone(payload);
    const visit = (node: unknown): boolean => {
      if (node === null || typeof node !== "object") return false;
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (test(record[key])) {
          record[key] = to;
          return true;
        }
        if (visit(record[key])) return true;
      }
      return false;
    };
    return visit(copy) ? copy : undefined;
  };
  const missing = structuredClone(payload);
  delete missing[Object.keys(missing)[0]!];
  return { date: change((v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v), "2024-02-30T10:00:00Z"), number: change((v) => typeof v === "string", 42), missing };
}

const skipped: string[] = [];
const peers = await preparePeers(versions, { root: repoRoot, work, progress: () => {}, skipped });

describe("the bench's peers", () => {
  it("are all set up on the catalogue's Plain and AgentMail versions", () => {
    expect(skipped).toEqual([]);
    for (const v of versions) expect(Object.keys(peers.get(v)!).sort()).toEqual(Object.values(peerNames).sort());
  });

  for (const v of versions) {
    it(`schemasafe and TypeBox give Ajv's verdict on every sample of ${v.label} and on broken copies`, () => {
      const ajv = addFormats.default(new Ajv.default({ strict: false })).compile(v.document);
      const samples = v.model.samples.map((s) => s.json as Record<string, unknown>);
      const payloads = [...samples, ...samples.flatMap((p) => Object.values(broken(p)).filter((copy) => copy !== undefined))];
      expect(payloads.filter((p) => ajv(p)).length).toBeGreaterThan(0);
      expect(payloads.filter((p) => !ajv(p)).length).toBeGreaterThan(0);
      for (const name of [peerNames.schemasafe, peerNames.typebox]) {
        const check = peers.get(v)![name]!;
        expect(payloads.filter((p) => check(p) !== ajv(p)), name).toEqual([]);
      }
    });

    it(`typia's is<T> accepts the valid samples of ${v.label} and rejects a string made a number`, () => {
      const ajv = addFormats.default(new Ajv.default({ strict: false })).compile(v.document);
      const is = peers.get(v)![peerNames.typia]!;
      const valid = v.model.samples.map((s) => s.json).filter((p) => ajv(p));
      expect(valid.length).toBeGreaterThan(0);
      expect(valid.filter((p) => !is(p))).toEqual([]);
      for (const p of valid) expect(is(broken(p as Record<string, unknown>).number)).toBe(false);
    });
  }

  it("TypeBox follows a $ref into a definition (a JSON pointer) and checks its format", async () => {
    const document = {
      definitions: { when: { anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] } },
      type: "object",
      properties: { at: { $ref: "#/definitions/when/anyOf/0" } },
      required: ["at"],
      additionalProperties: false,
    };
    const v = { label: "pointer", document, model: { provider: { title: "None" } }, typesFile: "" };
    const local: string[] = [];
    const check = (await preparePeers([v], { root: repoRoot, work: path.join(work, "pointer"), progress: () => {}, skipped: local })).get(v)![peerNames.typebox]!;
    expect(check({ at: "2024-02-29T10:00:00Z" })).toBe(true);
    expect(check({ at: "2024-02-30T10:00:00Z" })).toBe(false);
    expect(check({ at: null })).toBe(false);
    expect(check({ at: "2024-02-29T10:00:00Z", more: 1 })).toBe(false);
  });

  it("a keyword TypeBox has no kind for leaves TypeBox out of that version, with the keyword named; the others are set up", async () => {
    const document = { type: "object", patternProperties: { "^x": { type: "string" } } };
    const v = { label: "patterns", document, model: { provider: { title: "None" } }, typesFile: "" };
    const local: string[] = [];
    const set = (await preparePeers([v], { root: repoRoot, work: path.join(work, "patterns"), progress: () => {}, skipped: local })).get(v)!;
    expect(Object.keys(set)).toEqual([peerNames.schemasafe]);
    expect(local[0]).toBe(`${peerNames.typebox} on patterns: no TypeBox kind for the keyword patternProperties, at #`);
    expect(local[1]).toBe(`${peerNames.typia} on patterns: no generated types at `);
    expect(set[peerNames.schemasafe]!({ x1: 1 })).toBe(false);
  });

  it("a peer that throws on a payload is left out and listed as skipped; a different verdict is a note", () => {
    const set: Record<string, Check> = {
      thrower: () => {
        throw new Error("boom\nsecond line");
      },
      lenient: () => true,
    };
    const local: string[] = [];
    const notes = checkPeers("set", set, { valid: [1, 2], invalid: [3] }, local);
    expect(Object.keys(set)).toEqual(["lenient"]);
    expect(local).toEqual(["thrower on set: threw on a payload: boom"]);
    expect(notes).toEqual(["set: lenient accepts 1 of the 1 payloads (b) rejects"]);
  });
});
