import { describe, expect, it } from "vitest";
import { diffSchemas } from "../src/diff/compare.js";
import {
  diffModels,
  diffVersions,
  failsOn,
  formatSummary,
  formatText,
  hasChangeAtLeast,
  parseFailOn,
  rules,
  type ChangeKind,
  type Classification,
} from "../src/diff/index.js";
import { emitValidators } from "../src/emit/validators/index.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./helpers.js";
import type { Manifest } from "../src/load/manifest.js";
import type { JsonSchema, VersionModel } from "../src/model/build.js";

/**
 * One small old/new schema pair per rule, with the change it must report at which path and
 * how it is classified for a receiver (the README's "codegen diff" table, row by row).
 */
interface Row {
  old: JsonSchema;
  new: JsonSchema;
  /** Definitions both sides may refer to as #/definitions/<Name> (each side's own when given as a pair). */
  definitions?: Record<string, JsonSchema> | { old: Record<string, JsonSchema>; new: Record<string, JsonSchema> };
  /** Each change: for deployed receivers (before any witness search) and for your code. */
  want: { path: string; kind: ChangeKind; receivers: Classification; code: Classification }[];
}

const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties), extra: JsonSchema = {}): JsonSchema => ({
  type: "object",
  properties,
  required,
  ...extra,
});
const str = { type: "string" };
const int = { type: "integer" };

const table: [string, Row][] = [
  ["required property removed", {
    old: object({ id: str, title: str }),
    new: object({ id: str }),
    want: [{ path: "/title", kind: "property-removed", receivers: "breaking", code: "breaking" }],
  }],
  ["optional property removed", {
    old: object({ id: str, title: str }, ["id"]),
    new: object({ id: str }),
    want: [{ path: "/title", kind: "optional-property-removed", receivers: "safe", code: "breaking" }],
  }],
  ["property no longer required", {
    old: object({ id: str, title: str }),
    new: object({ id: str, title: str }, ["id"]),
    want: [{ path: "/title", kind: "property-optional", receivers: "breaking", code: "breaking" }],
  }],
  ["property now required", {
    old: object({ id: str, title: str }, ["id"]),
    new: object({ id: str, title: str }),
    want: [{ path: "/title", kind: "property-required", receivers: "safe", code: "safe" }],
  }],
  ["optional property added", {
    old: object({ id: str }),
    new: object({ id: str, title: str }, ["id"]),
    want: [{ path: "/title", kind: "property-added", receivers: "safe", code: "safe" }],
  }],
  ["required property added", {
    old: object({ id: str }),
    new: object({ id: str, title: str }),
    want: [{ path: "/title", kind: "property-added", receivers: "safe", code: "safe" }],
  }],
  ["null added (anyOf with a null branch)", {
    old: object({ assignee: { $ref: "#/definitions/User" } }),
    new: object({ assignee: { anyOf: [{ $ref: "#/definitions/User" }, { type: "null" }] } }),
    definitions: { User: object({ id: str }) },
    want: [{ path: "/assignee", kind: "null-added", receivers: "breaking", code: "breaking" }],
  }],
  ["null added (type array)", {
    old: object({ icon: str }),
    new: object({ icon: { type: ["string", "null"] } }),
    want: [{ path: "/icon", kind: "null-added", receivers: "breaking", code: "breaking" }],
  }],
  ["null removed", {
    old: object({ icon: { anyOf: [str, { type: "null" }] } }),
    new: object({ icon: str }),
    want: [{ path: "/icon", kind: "null-removed", receivers: "safe", code: "safe" }],
  }],
  ["nullable written another way is no change", {
    old: object({ icon: { type: ["string", "null"] } }),
    new: object({ icon: { $ref: "#/definitions/NullableString" } }),
    definitions: { NullableString: { anyOf: [str, { type: "null" }] } },
    want: [],
  }],
  ["type widened", {
    old: object({ size: int }),
    new: object({ size: { type: ["integer", "string"] } }),
    want: [{ path: "/size", kind: "type-widened", receivers: "breaking", code: "breaking" }],
  }],
  ["type widened from integer to number", {
    old: object({ size: int }),
    new: object({ size: { type: "number" } }),
    want: [{ path: "/size", kind: "type-widened", receivers: "breaking", code: "breaking" }],
  }],
  ["type narrowed", {
    old: object({ size: { anyOf: [int, str] } }),
    new: object({ size: int }),
    want: [{ path: "/size", kind: "type-narrowed", receivers: "safe", code: "potentially-breaking" }],
  }],
  ["type changed", {
    old: object({ size: int }),
    new: object({ size: str }),
    want: [{ path: "/size", kind: "type-changed", receivers: "breaking", code: "breaking" }],
  }],
  ["enum value added", {
    old: object({ status: { type: "string", enum: ["TODO", "DONE"] } }),
    new: object({ status: { type: "string", enum: ["TODO", "DONE", "SNOOZED"] } }),
    want: [{ path: "/status", kind: "enum-value-added", receivers: "breaking", code: "potentially-breaking" }],
  }],
  ["enum value removed", {
    old: object({ status: { type: "string", enum: ["TODO", "DONE", "SNOOZED"] } }),
    new: object({ status: { type: "string", enum: ["TODO", "DONE"] } }),
    want: [{ path: "/status", kind: "enum-value-removed", receivers: "safe", code: "potentially-breaking" }],
  }],
  ["enum value renamed: one added, one removed", {
    old: object({ status: { enum: ["TODO", "DONE"] } }),
    new: object({ status: { enum: ["TODO", "CLOSED"] } }),
    want: [
      { path: "/status", kind: "enum-value-added", receivers: "breaking", code: "potentially-breaking" },
      { path: "/status", kind: "enum-value-removed", receivers: "safe", code: "potentially-breaking" },
    ],
  }],
  ["constant changed", {
    old: object({ source: { type: "string", const: "EMAIL" } }),
    new: object({ source: { type: "string", const: "CHAT" } }),
    want: [{ path: "/source", kind: "const-changed", receivers: "breaking", code: "breaking" }],
  }],
  ["values no longer restricted", {
    old: object({ status: { type: "string", enum: ["TODO", "DONE"] } }),
    new: object({ status: str }),
    want: [{ path: "/status", kind: "values-unrestricted", receivers: "breaking", code: "potentially-breaking" }],
  }],
  ["values now restricted", {
    old: object({ status: str }),
    new: object({ status: { type: "string", enum: ["TODO", "DONE"] } }),
    want: [{ path: "/status", kind: "values-restricted", receivers: "safe", code: "safe" }],
  }],
  ["additional properties opened", {
    old: object({ id: str }, ["id"], { additionalProperties: false }),
    new: object({ id: str }, ["id"], { additionalProperties: true }),
    want: [{ path: "", kind: "additional-properties-opened", receivers: "breaking", code: "safe" }],
  }],
  ["additional properties closed", {
    old: object({ id: str }),
    new: object({ id: str }, ["id"], { additionalProperties: false }),
    want: [{ path: "", kind: "additional-properties-closed", receivers: "safe", code: "safe" }],
  }],
  ["format added", {
    old: object({ at: str }),
    new: object({ at: { type: "string", format: "date-time" } }),
    want: [{ path: "/at", kind: "format-added", receivers: "safe", code: "safe" }],
  }],
  ["format removed", {
    old: object({ id: { type: "string", format: "uuid" } }),
    new: object({ id: str }),
    want: [{ path: "/id", kind: "format-removed", receivers: "breaking", code: "potentially-breaking" }],
  }],
  ["format changed", {
    old: object({ at: { type: "string", format: "date" } }),
    new: object({ at: { type: "string", format: "date-time" } }),
    want: [{ path: "/at", kind: "format-changed", receivers: "breaking", code: "potentially-breaking" }],
  }],
  ["pattern added", {
    old: object({ id: str }),
    new: object({ id: { type: "string", pattern: "^th_[0-9A-Z]{26}$" } }),
    want: [{ path: "/id", kind: "pattern-added", receivers: "safe", code: "safe" }],
  }],
  ["pattern removed", {
    old: object({ id: { type: "string", pattern: "^th_[0-9A-Z]{26}$" } }),
    new: object({ id: str }),
    want: [{ path: "/id", kind: "pattern-removed", receivers: "breaking", code: "potentially-breaking" }],
  }],
  ["pattern widened (decided by strings, not text)", {
    old: object({ id: { type: "string", pattern: "^[a-z]+$" } }),
    new: object({ id: { type: "string", pattern: "^[a-z0-9]+$" } }),
    want: [{ path: "/id", kind: "pattern-widened", receivers: "breaking", code: "potentially-breaking" }],
  }],
  ["pattern narrowed", {
    old: object({ id: { type: "string", pattern: "^[a-z0-9]+$" } }),
    new: object({ id: { type: "string", pattern: "^[a-z]{2,}$" } }),
    want: [{ path: "/id", kind: "pattern-narrowed", receivers: "safe", code: "safe" }],
  }],
  ["pattern changed both ways", {
    old: object({ id: { type: "string", pattern: "^[a-z]+$" } }),
    new: object({ id: { type: "string", pattern: "^[0-9]+$" } }),
    want: [{ path: "/id", kind: "pattern-changed", receivers: "breaking", code: "potentially-breaking" }],
  }],
  ["property added to a closed object", {
    old: object({ id: str }, ["id"], { additionalProperties: false }),
    new: object({ id: str, assignedAt: str }, ["id", "assignedAt"], { additionalProperties: false }),
    want: [{ path: "/assignedAt", kind: "property-added-closed", receivers: "breaking", code: "safe" }],
  }],
  ["a union holding an any-schema is any: no change against {}", {
    old: object({ at: { anyOf: [str, {}] } }),
    new: object({ at: {} }),
    want: [],
  }],
  ["a union holding an any-schema narrowed to a string is a narrowing only", {
    old: object({ at: { anyOf: [{ type: "string", format: "date-time" }, {}] } }),
    new: object({ at: { type: "string", format: "date-time" } }),
    want: [
      { path: "/at", kind: "format-added", receivers: "safe", code: "safe" },
      { path: "/at", kind: "type-narrowed", receivers: "safe", code: "potentially-breaking" },
    ],
  }],
  ["same-type variants only reordered are no change", {
    old: object({ v: { anyOf: [object({ a: str }), object({ a: str, b: int }), object({ c: str })] } }),
    new: object({ v: { anyOf: [object({ c: str }), object({ a: str, b: int }), object({ a: str })] } }),
    want: [],
  }],
  ["limit loosened", {
    old: object({ text: { type: "string", maxLength: 5000 } }),
    new: object({ text: { type: "string", maxLength: 10000 } }),
    want: [{ path: "/text", kind: "constraint-loosened", receivers: "breaking", code: "potentially-breaking" }],
  }],
  ["limit tightened", {
    old: object({ tags: { type: "array", items: str } }),
    new: object({ tags: { type: "array", items: str, minItems: 1 } }),
    want: [{ path: "/tags", kind: "constraint-tightened", receivers: "safe", code: "safe" }],
  }],
  ["array items are compared at /*", {
    old: object({ labels: { type: "array", items: { $ref: "#/definitions/Label" } } }),
    new: object({ labels: { type: "array", items: { $ref: "#/definitions/Label" } } }),
    definitions: { old: { Label: object({ id: str, name: str }) }, new: { Label: object({ id: str }) } },
    want: [{ path: "/labels/*/name", kind: "property-removed", receivers: "breaking", code: "breaking" }],
  }],
  ["tagged union: variant added", {
    old: object({ actor: { $ref: "#/definitions/Actor" } }),
    new: object({ actor: { $ref: "#/definitions/Actor" } }),
    definitions: {
      old: { Actor: { anyOf: [object({ actorType: { const: "user" }, userId: str })] } },
      new: { Actor: { anyOf: [object({ actorType: { const: "user" }, userId: str }), object({ actorType: { const: "customer" }, customerId: str })] } },
    },
    want: [{ path: "/actor", kind: "variant-added", receivers: "breaking", code: "potentially-breaking" }],
  }],
  ["tagged union: variant removed", {
    old: { anyOf: [object({ type: { const: "A" } }), object({ type: { const: "B" } }), object({ type: { const: "C" } })] },
    new: { anyOf: [object({ type: { const: "A" } }), object({ type: { const: "B" } })] },
    want: [{ path: "", kind: "variant-removed", receivers: "safe", code: "potentially-breaking" }],
  }],
  ["tagged union: variants matched by tag whatever their order, changes named by the tag", {
    old: { oneOf: [object({ type: { const: "A" }, a: str }), object({ type: { const: "B" }, b: str })] },
    new: { oneOf: [object({ type: { const: "B" }, b: int }), object({ type: { const: "A" }, a: str })] },
    want: [{ path: "[type=B]/b", kind: "type-changed", receivers: "breaking", code: "breaking" }],
  }],
  ["an equal variant whose definition changed is still named by its tag", {
    old: { anyOf: [{ $ref: "#/definitions/A" }, { $ref: "#/definitions/B" }] },
    new: { anyOf: [{ $ref: "#/definitions/B" }, { $ref: "#/definitions/A" }] },
    definitions: {
      old: { A: object({ type: { const: "A" }, a: str }), B: object({ type: { const: "B" }, b: { $ref: "#/definitions/Inner" } }), Inner: str },
      new: { A: object({ type: { const: "A" }, a: str }), B: object({ type: { const: "B" }, b: { $ref: "#/definitions/Inner" } }), Inner: int },
    },
    want: [{ path: "[type=B]/b", kind: "type-changed", receivers: "breaking", code: "breaking" }],
  }],
  ["a union of types: a type branch added is a widening", {
    old: object({ value: { anyOf: [str, int] } }),
    new: object({ value: { anyOf: [str, int, { type: "boolean" }] } }),
    want: [{ path: "/value", kind: "type-widened", receivers: "breaking", code: "breaking" }],
  }],
  ["allOf members are merged", {
    old: object({ email: { allOf: [str, { type: "string", pattern: "^.+@.+$" }] } }),
    new: object({ email: { type: "string", format: "email" } }),
    want: [
      { path: "/email", kind: "format-added", receivers: "safe", code: "safe" },
      { path: "/email", kind: "pattern-removed", receivers: "breaking", code: "potentially-breaking" },
    ],
  }],
  ["annotations are not changes", {
    old: object({ id: { type: "string", description: "old words", title: "Id" } }),
    new: object({ id: { type: "string", description: "new words", default: "x", examples: ["y"] } }),
    want: [],
  }],
];

function sides(row: Row): { old: Record<string, JsonSchema>; new: Record<string, JsonSchema> } {
  const definitions = row.definitions ?? {};
  return "old" in definitions && "new" in definitions
    ? (definitions as { old: Record<string, JsonSchema>; new: Record<string, JsonSchema> })
    : { old: definitions as Record<string, JsonSchema>, new: definitions as Record<string, JsonSchema> };
}

describe("codegen diff: one rule per row", () => {
  it.each(table)("%s", (_, row) => {
    const definitions = sides(row);
    const changes = diffSchemas({
      old: { schema: row.old, definitions: definitions.old },
      new: { schema: row.new, definitions: definitions.new },
    });
    expect(changes.map(({ path, kind, receivers, code }) => ({ path, kind, receivers: receivers.classification, code: code.classification }))).toEqual(row.want);
  });

  it("the README's rules table lists every kind, with both verdicts as the rules give them and an example", () => {
    const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### How changes are classified"), readme.indexOf("## Config file"));
    const label = (c: Classification) => c.replace("-", " ");
    const rows = new Map(
      section
        .split("\n")
        .filter((line) => line.startsWith("| ") && !line.startsWith("| kind") && !line.startsWith("|---"))
        .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| /, "")))
        .map(([title, receivers, code, example]) => [title!, { receivers, code, example }]),
    );
    expect(rows.size).toBe(Object.keys(rules).length);
    for (const rule of Object.values(rules)) {
      expect(rows.get(rule.title), rule.title).toMatchObject({ receivers: label(rule.receivers.classification), code: label(rule.code.classification) });
      expect(rows.get(rule.title)!.example!.length).toBeGreaterThan(10);
    }
  });

  it("every rule of the table is the one the README documents", () => {
    for (const row of table) {
      for (const want of row[1].want) expect([rules[want.kind].receivers.classification, rules[want.kind].code.classification]).toEqual([want.receivers, want.code]);
    }
  });
});

describe("codegen diff: the walk", () => {
  it("follows $refs into a shared definition and reports its change once per path", () => {
    const Thread = (withTitle: boolean) => object(withTitle ? { id: str, title: str } : { id: str });
    const root = object({ thread: { $ref: "#/definitions/Thread" }, previousThread: { $ref: "#/definitions/Thread" } });
    const changes = diffSchemas({
      old: { schema: root, definitions: { Thread: Thread(true) } },
      new: { schema: root, definitions: { Thread: Thread(false) } },
    });
    expect(changes.map((c) => [c.path, c.definition, c.at])).toEqual([
      ["/previousThread/title", "Thread", "/title"],
      ["/thread/title", "Thread", "/title"],
    ]);
  });

  it("does not hang on a recursive definition, and reports its change where it is first reached", () => {
    const Node = (nameType: string) => object({ name: { type: nameType }, children: { type: "array", items: { $ref: "#/definitions/Node" } } });
    const changes = diffSchemas({
      old: { schema: { $ref: "#/definitions/Node" }, definitions: { Node: Node("string") } },
      new: { schema: { $ref: "#/definitions/Node" }, definitions: { Node: Node("integer") } },
    });
    expect(changes.map((c) => [c.path, c.kind])).toEqual([["/name", "type-changed"]]);
  });

  it("does not hang on mutually recursive definitions", () => {
    const definitions = (extra: boolean) => ({
      A: object({ b: { $ref: "#/definitions/B" }, ...(extra ? { x: str } : {}) }, ["b"]),
      B: object({ a: { anyOf: [{ $ref: "#/definitions/A" }, { type: "null" }] } }),
    });
    const changes = diffSchemas({
      old: { schema: { $ref: "#/definitions/A" }, definitions: definitions(false) },
      new: { schema: { $ref: "#/definitions/A" }, definitions: definitions(true) },
    });
    expect(changes.map((c) => [c.path, c.kind])).toEqual([["/x", "property-added"]]);
  });

  it("places a change in a composed definition (allOf) in that definition, not in its base", () => {
    const definitions = (extra: JsonSchema) => ({
      Base: object({ id: str }),
      Thread: { allOf: [{ $ref: "#/definitions/Base" }, object({ extra }, [])] },
    });
    const changes = diffSchemas({
      old: { schema: object({ thread: { $ref: "#/definitions/Thread" } }), definitions: definitions(str) },
      new: { schema: object({ thread: { $ref: "#/definitions/Thread" } }), definitions: definitions(int) },
    });
    expect(changes.map((c) => [c.path, c.kind, c.definition, c.at])).toEqual([["/thread/extra", "type-changed", "Thread", "/extra"]]);
  });

  it("matches untagged object variants by the properties they share", () => {
    const changes = diffSchemas({
      old: { schema: { anyOf: [object({ a: str, b: str }), object({ c: str, d: str })] }, definitions: {} },
      new: { schema: { anyOf: [object({ c: str, d: str, e: str }, ["c", "d"]), object({ a: str, b: str })] }, definitions: {} },
    });
    expect(changes.map((c) => [c.path, c.kind])).toEqual([["[{c, d}]/e", "property-added"]]);
  });

  it("reports the version constant at the manifest's version pointer as the payload version", () => {
    const meta = (version: string) => object({ webhookMetadata: object({ webhookTargetVersion: { type: "string", const: version } }) });
    const changes = diffSchemas({
      old: { schema: meta("2024-09-18"), definitions: {} },
      new: { schema: meta("2026-02-27"), definitions: {} },
      versionPath: "/webhookMetadata/webhookTargetVersion",
    });
    expect(changes).toMatchObject([{ kind: "version-changed", receivers: { classification: "breaking" }, code: { classification: "potentially-breaking" }, before: "2024-09-18", after: "2026-02-27" }]);
  });
});

const manifest: Manifest = {
  name: "acme",
  title: "Acme",
  event: { in: "body", pointer: "/type" },
  version: { in: "body", pointer: "/version" },
  signing: { scheme: "hmac-sha256", header: "Acme-Signature", encoding: "hex" },
} as Manifest;

/** A version model with one schema per event (`type` pinned to the event name, `version` to the version). */
function model(version: string, events: Record<string, Record<string, unknown>>): VersionModel {
  const names = Object.keys(events).sort();
  const typeName = (name: string) => name.replace(/(^|\.)(\w)/g, (_, __, c: string) => c.toUpperCase());
  const definitions = Object.fromEntries(
    names.map((name) => [typeName(name), object({ type: { const: name }, version: { const: version }, ...events[name] })]),
  );
  return {
    provider: { name: "acme", title: "Acme", manifest },
    version,
    source: `schemas/acme/${version}`,
    dialect: "draft-07",
    definitions,
    events: names.map((name) => ({ name, names: [name], typeName: typeName(name), file: `${name}.schema.json` })),
    pinnedVersion: version,
    hash: "sha256:0",
    samples: [],
  };
}

describe("codegen diff: two versions", () => {
  const before = model("v1", { "order.created": { id: str }, "order.deleted": { id: str } });
  const after = model("v2", { "order.created": { id: str, total: int }, "order.shipped": { id: str } });
  const report = diffModels(before, after);

  it("reports events added (safe) and removed (breaking), and the payload version", () => {
    expect(report.summary).toMatchObject({
      eventsAdded: ["order.shipped"],
      eventsRemoved: ["order.deleted"],
      eventsChanged: ["order.created"],
      eventsUnchanged: 0,
      payloadVersion: { before: "v1", after: "v2" },
      worst: "breaking",
    });
    expect(report.events.map((e) => [e.name, e.status, e.changes.map((c) => `${c.kind} ${c.receivers.classification}/${c.code.classification}`)])).toEqual([
      ["order.created", "changed", ["property-added safe/safe", "version-changed breaking/potentially-breaking"]],
      ["order.deleted", "removed", ["event-removed safe/breaking"]],
      ["order.shipped", "added", ["event-added potentially-breaking/safe"]],
    ]);
  });

  it("decides --fail-on", () => {
    expect(hasChangeAtLeast(report, "breaking")).toBe(true);
    // an optional property added to an open object, and an event added: nothing breaks, the new event waits for a regenerated receiver
    const additive = diffModels(model("v1", { a: { id: str } }), model("v1", { a: { id: str, b: str }, c: {} }));
    expect(hasChangeAtLeast(additive, "breaking")).toBe(false);
    expect(hasChangeAtLeast(additive, "potentially-breaking", ["code"])).toBe(false);
    expect(additive.summary.worstFor).toEqual({ receivers: "potentially-breaking", code: "safe" });
  });

  it("is deterministic and says nothing changed when nothing did", () => {
    expect(JSON.stringify(diffModels(before, after))).toBe(JSON.stringify(report));
    const same = diffModels(before, before);
    expect(same.summary.worst).toBe("none");
    expect(same.events.every((e) => e.status === "unchanged")).toBe(true);
    expect(formatText(same)).toContain("No changes.");
  });

  it("has a one-line summary for codegen to print", () => {
    expect(formatSummary(report)).toBe("acme v1 → v2: deployed receivers 1 breaking; your code 1 potentially breaking; 1 event added, 1 event removed");
  });
});

/** A one-event model holding a table row's schema under `/body` (and its definitions). */
function rowModel(body: JsonSchema, definitions: Record<string, JsonSchema>): VersionModel {
  const base = model("v1", { e: { body } });
  return { ...base, definitions: { ...definitions, ...base.definitions } };
}

async function validatorsOf(m: VersionModel): Promise<{ validateEvent(payload: unknown): { ok: boolean } }> {
  const [module] = emitValidators(m, "");
  return (await import(`data:text/javascript;base64,${Buffer.from(module!.content).toString("base64")}`)) as { validateEvent(payload: unknown): { ok: boolean } };
}

describe("codegen diff: a witness for every row breaking deployed receivers", () => {
  const breaking = table.filter(([, row]) => row.want.some((w) => w.receivers === "breaking"));

  it("has rows to prove", () => expect(breaking.length).toBeGreaterThanOrEqual(15));

  it.each(breaking)("%s: the witness passes the new validators and fails the old", async (_, row) => {
    const definitions = sides(row);
    const before = rowModel(row.old, definitions.old);
    const after = rowModel(row.new, definitions.new);
    const report = await diffVersions(before, after);
    const changes = report.events.flatMap((e) => e.changes).filter((c) => rules[c.kind].receivers.classification === "breaking");
    expect(changes.length).toBeGreaterThan(0);
    const [oldValidators, newValidators] = await Promise.all([validatorsOf(before), validatorsOf(after)]);
    for (const change of changes) {
      if (_ === "allOf members are merged") {
        // the old pattern ^.+@.+$ admits every address the new format does: no payload can prove it, and none is guessed
        expect(change.witness).toBeNull();
        continue;
      }
      expect(change.witness, `${change.kind} at ${change.path}`).toBeTruthy();
      expect(change.receivers.classification).toBe("breaking");
      expect(change.witness!.path.startsWith("/body")).toBe(true);
      expect(newValidators.validateEvent(change.witness!.payload).ok).toBe(true);
      expect(oldValidators.validateEvent(change.witness!.payload).ok).toBe(false);
    }
  });

  it("a schema that requires itself does not hang the search: the change is left unwitnessed", async () => {
    const node = (extra: boolean) => ({ Node: object({ child: { $ref: "#/definitions/Node" }, ...(extra ? { x: { enum: ["a", "b"] } } : { x: { enum: ["a"] } }) }) });
    const report = await diffVersions(rowModel({ $ref: "#/definitions/Node" }, node(false)), rowModel({ $ref: "#/definitions/Node" }, node(true)));
    const change = report.events.flatMap((e) => e.changes).find((c) => c.kind === "enum-value-added")!;
    expect(change.witness).toBeNull();
  });

  it("a change no payload can prove is potentially breaking, 'no witness found', not guessed", async () => {
    // the enum gains a value, but the union also admits any object with an id: the old validators accept it too
    const status = (values: string[]) => ({ anyOf: [object({ id: str, status: { enum: values } }), object({ id: str })] });
    const report = await diffVersions(rowModel(status(["A"]), {}), rowModel(status(["A", "B"]), {}));
    const change = report.events.flatMap((e) => e.changes).find((c) => c.kind === "enum-value-added")!;
    expect(change.witness).toBeNull();
    expect(change.receivers.classification).toBe("potentially-breaking");
    expect(change.receivers.why).toMatch(/^no witness found/);
    expect(failsOn(report, parseFailOn("receivers:breaking")!)).toBe(false);
  });
});

describe("codegen diff: model-level rows", () => {
  it("event added: receivers potentially breaking (400 unknown_event until regenerated), code safe; event removed: code breaking", () => {
    const report = diffModels(model("v1", { a: { id: str }, gone: { id: str } }), model("v1", { a: { id: str }, fresh: { id: str } }));
    const verdict = (name: string) => report.events.find((e) => e.name === name)!.changes.map((c) => [c.kind, c.receivers.classification, c.code.classification]);
    expect(verdict("fresh")).toEqual([["event-added", "potentially-breaking", "safe"]]);
    expect(verdict("gone")).toEqual([["event-removed", "safe", "breaking"]]);
  });

  it("the event-name enum every event repeats grows into 'events added', not a change of each event", () => {
    const names = (list: string[]) => ({ kind: { enum: list } });
    const report = diffModels(model("v1", { a: names(["a"]) }), model("v1", { a: names(["a", "b"]), b: names(["a", "b"]) }));
    expect(report.events.find((e) => e.name === "a")!.status).toBe("unchanged");
    expect(report.summary.eventsAdded).toEqual(["b"]);
    // a name with no event schema of its own is still a change, reported alone
    const more = diffModels(model("v1", { a: names(["a"]) }), model("v1", { a: names(["a", "b", "c"]), b: names(["a", "b", "c"]) }));
    expect(more.events.find((e) => e.name === "a")!.changes).toMatchObject([{ kind: "enum-value-added", message: 'new value: "c"', after: ["a", "c"] }]);
  });

  it("a type name that now means another payload breaks your code", () => {
    const payload = (eventType: string) => object({ eventType: { const: eventType }, id: str });
    const events = { slack: { body: { $ref: "#/definitions/MessagePayload" } }, teams: { id: str } };
    const before = model("v1", events);
    const after = model("v1", events);
    before.definitions["MessagePayload"] = payload("slack");
    after.definitions["MessagePayload"] = payload("teams");
    const change = diffModels(before, after).events[0]!.changes.find((c) => c.kind === "type-name-changed")!;
    expect(change).toMatchObject({ code: { classification: "breaking" }, receivers: { classification: "safe" }, definition: "MessagePayload" });
    expect(change.message).toContain("MessagePayload now describes the payload with eventType \"teams\"");
  });
});

describe("codegen diff: --fail-on", () => {
  it("parses a level for both questions, or one question's", () => {
    expect(parseFailOn("breaking")).toEqual([{ threshold: "breaking", questions: ["receivers", "code"] }]);
    expect(parseFailOn("receivers:breaking,code:potentially-breaking")).toEqual([
      { threshold: "breaking", questions: ["receivers"] },
      { threshold: "potentially-breaking", questions: ["code"] },
    ]);
    expect(parseFailOn("severe")).toBeUndefined();
    expect(parseFailOn("deploy:breaking")).toBeUndefined();
  });

  it("asks only the questions named", () => {
    // a removed event breaks code only
    const report = diffModels(model("v1", { a: { id: str }, gone: { id: str } }), model("v1", { a: { id: str } }));
    expect(failsOn(report, parseFailOn("code:breaking")!)).toBe(true);
    expect(failsOn(report, parseFailOn("receivers:breaking")!)).toBe(false);
    expect(failsOn(report, parseFailOn("breaking")!)).toBe(true);
  });
});
