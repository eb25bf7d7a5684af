import { describe, expect, it } from "vitest";
import { diffSchemas } from "../src/diff/compare.js";
import { diffModels, formatSummary, formatText, hasChangeAtLeast, rules, type ChangeKind, type Classification } from "../src/diff/index.js";
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
  want: { path: string; kind: ChangeKind; classification: Classification }[];
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
    want: [{ path: "/title", kind: "property-removed", classification: "breaking" }],
  }],
  ["optional property removed", {
    old: object({ id: str, title: str }, ["id"]),
    new: object({ id: str }),
    want: [{ path: "/title", kind: "optional-property-removed", classification: "potentially-breaking" }],
  }],
  ["property no longer required", {
    old: object({ id: str, title: str }),
    new: object({ id: str, title: str }, ["id"]),
    want: [{ path: "/title", kind: "property-optional", classification: "breaking" }],
  }],
  ["property now required", {
    old: object({ id: str, title: str }, ["id"]),
    new: object({ id: str, title: str }),
    want: [{ path: "/title", kind: "property-required", classification: "safe" }],
  }],
  ["optional property added", {
    old: object({ id: str }),
    new: object({ id: str, title: str }, ["id"]),
    want: [{ path: "/title", kind: "property-added", classification: "safe" }],
  }],
  ["required property added", {
    old: object({ id: str }),
    new: object({ id: str, title: str }),
    want: [{ path: "/title", kind: "property-added", classification: "safe" }],
  }],
  ["null added (anyOf with a null branch)", {
    old: object({ assignee: { $ref: "#/definitions/User" } }),
    new: object({ assignee: { anyOf: [{ $ref: "#/definitions/User" }, { type: "null" }] } }),
    definitions: { User: object({ id: str }) },
    want: [{ path: "/assignee", kind: "null-added", classification: "breaking" }],
  }],
  ["null added (type array)", {
    old: object({ icon: str }),
    new: object({ icon: { type: ["string", "null"] } }),
    want: [{ path: "/icon", kind: "null-added", classification: "breaking" }],
  }],
  ["null removed", {
    old: object({ icon: { anyOf: [str, { type: "null" }] } }),
    new: object({ icon: str }),
    want: [{ path: "/icon", kind: "null-removed", classification: "safe" }],
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
    want: [{ path: "/size", kind: "type-widened", classification: "breaking" }],
  }],
  ["type widened from integer to number", {
    old: object({ size: int }),
    new: object({ size: { type: "number" } }),
    want: [{ path: "/size", kind: "type-widened", classification: "breaking" }],
  }],
  ["type narrowed", {
    old: object({ size: { anyOf: [int, str] } }),
    new: object({ size: int }),
    want: [{ path: "/size", kind: "type-narrowed", classification: "breaking" }],
  }],
  ["type changed", {
    old: object({ size: int }),
    new: object({ size: str }),
    want: [{ path: "/size", kind: "type-changed", classification: "breaking" }],
  }],
  ["enum value added", {
    old: object({ status: { type: "string", enum: ["TODO", "DONE"] } }),
    new: object({ status: { type: "string", enum: ["TODO", "DONE", "SNOOZED"] } }),
    want: [{ path: "/status", kind: "enum-value-added", classification: "potentially-breaking" }],
  }],
  ["enum value removed", {
    old: object({ status: { type: "string", enum: ["TODO", "DONE", "SNOOZED"] } }),
    new: object({ status: { type: "string", enum: ["TODO", "DONE"] } }),
    want: [{ path: "/status", kind: "enum-value-removed", classification: "safe" }],
  }],
  ["enum value renamed: one added, one removed", {
    old: object({ status: { enum: ["TODO", "DONE"] } }),
    new: object({ status: { enum: ["TODO", "CLOSED"] } }),
    want: [
      { path: "/status", kind: "enum-value-added", classification: "potentially-breaking" },
      { path: "/status", kind: "enum-value-removed", classification: "safe" },
    ],
  }],
  ["constant changed", {
    old: object({ source: { type: "string", const: "EMAIL" } }),
    new: object({ source: { type: "string", const: "CHAT" } }),
    want: [{ path: "/source", kind: "const-changed", classification: "breaking" }],
  }],
  ["values no longer restricted", {
    old: object({ status: { type: "string", enum: ["TODO", "DONE"] } }),
    new: object({ status: str }),
    want: [{ path: "/status", kind: "values-unrestricted", classification: "potentially-breaking" }],
  }],
  ["values now restricted", {
    old: object({ status: str }),
    new: object({ status: { type: "string", enum: ["TODO", "DONE"] } }),
    want: [{ path: "/status", kind: "values-restricted", classification: "safe" }],
  }],
  ["additional properties opened", {
    old: object({ id: str }, ["id"], { additionalProperties: false }),
    new: object({ id: str }, ["id"], { additionalProperties: true }),
    want: [{ path: "", kind: "additional-properties-opened", classification: "potentially-breaking" }],
  }],
  ["additional properties closed", {
    old: object({ id: str }),
    new: object({ id: str }, ["id"], { additionalProperties: false }),
    want: [{ path: "", kind: "additional-properties-closed", classification: "safe" }],
  }],
  ["format added", {
    old: object({ at: str }),
    new: object({ at: { type: "string", format: "date-time" } }),
    want: [{ path: "/at", kind: "format-added", classification: "safe" }],
  }],
  ["format removed", {
    old: object({ id: { type: "string", format: "uuid" } }),
    new: object({ id: str }),
    want: [{ path: "/id", kind: "format-removed", classification: "potentially-breaking" }],
  }],
  ["format changed", {
    old: object({ at: { type: "string", format: "date" } }),
    new: object({ at: { type: "string", format: "date-time" } }),
    want: [{ path: "/at", kind: "format-changed", classification: "breaking" }],
  }],
  ["pattern added", {
    old: object({ id: str }),
    new: object({ id: { type: "string", pattern: "^th_[0-9A-Z]{26}$" } }),
    want: [{ path: "/id", kind: "pattern-added", classification: "safe" }],
  }],
  ["pattern removed", {
    old: object({ id: { type: "string", pattern: "^th_[0-9A-Z]{26}$" } }),
    new: object({ id: str }),
    want: [{ path: "/id", kind: "pattern-removed", classification: "potentially-breaking" }],
  }],
  ["pattern changed", {
    old: object({ id: { type: "string", pattern: "^[a-z]+$" } }),
    new: object({ id: { type: "string", pattern: "^[a-z0-9]+$" } }),
    want: [{ path: "/id", kind: "pattern-changed", classification: "potentially-breaking" }],
  }],
  ["limit loosened", {
    old: object({ text: { type: "string", maxLength: 5000 } }),
    new: object({ text: { type: "string", maxLength: 10000 } }),
    want: [{ path: "/text", kind: "constraint-loosened", classification: "potentially-breaking" }],
  }],
  ["limit tightened", {
    old: object({ tags: { type: "array", items: str } }),
    new: object({ tags: { type: "array", items: str, minItems: 1 } }),
    want: [{ path: "/tags", kind: "constraint-tightened", classification: "safe" }],
  }],
  ["array items are compared at /*", {
    old: object({ labels: { type: "array", items: { $ref: "#/definitions/Label" } } }),
    new: object({ labels: { type: "array", items: { $ref: "#/definitions/Label" } } }),
    definitions: { old: { Label: object({ id: str, name: str }) }, new: { Label: object({ id: str }) } },
    want: [{ path: "/labels/*/name", kind: "property-removed", classification: "breaking" }],
  }],
  ["tagged union: variant added", {
    old: object({ actor: { $ref: "#/definitions/Actor" } }),
    new: object({ actor: { $ref: "#/definitions/Actor" } }),
    definitions: {
      old: { Actor: { anyOf: [object({ actorType: { const: "user" }, userId: str })] } },
      new: { Actor: { anyOf: [object({ actorType: { const: "user" }, userId: str }), object({ actorType: { const: "customer" }, customerId: str })] } },
    },
    want: [{ path: "/actor", kind: "variant-added", classification: "potentially-breaking" }],
  }],
  ["tagged union: variant removed", {
    old: { anyOf: [object({ type: { const: "A" } }), object({ type: { const: "B" } }), object({ type: { const: "C" } })] },
    new: { anyOf: [object({ type: { const: "A" } }), object({ type: { const: "B" } })] },
    want: [{ path: "", kind: "variant-removed", classification: "safe" }],
  }],
  ["tagged union: variants matched by tag whatever their order, changes named by the tag", {
    old: { oneOf: [object({ type: { const: "A" }, a: str }), object({ type: { const: "B" }, b: str })] },
    new: { oneOf: [object({ type: { const: "B" }, b: int }), object({ type: { const: "A" }, a: str })] },
    want: [{ path: "[type=B]/b", kind: "type-changed", classification: "breaking" }],
  }],
  ["a union of types: a type branch added is a widening", {
    old: object({ value: { anyOf: [str, int] } }),
    new: object({ value: { anyOf: [str, int, { type: "boolean" }] } }),
    want: [{ path: "/value", kind: "type-widened", classification: "breaking" }],
  }],
  ["allOf members are merged", {
    old: object({ email: { allOf: [str, { type: "string", pattern: "^.+@.+$" }] } }),
    new: object({ email: { type: "string", format: "email" } }),
    want: [
      { path: "/email", kind: "format-added", classification: "safe" },
      { path: "/email", kind: "pattern-removed", classification: "potentially-breaking" },
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
    expect(changes.map(({ path, kind, classification }) => ({ path, kind, classification }))).toEqual(row.want);
  });

  it("every rule of the table is the one the README documents", () => {
    for (const row of table) for (const want of row[1].want) expect(rules[want.kind].classification).toBe(want.classification);
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
    expect(changes.map((c) => [c.path, c.kind])).toEqual([["[variant 1]/e", "property-added"]]);
  });

  it("reports the version constant at the manifest's version pointer as the payload version", () => {
    const meta = (version: string) => object({ webhookMetadata: object({ webhookTargetVersion: { type: "string", const: version } }) });
    const changes = diffSchemas({
      old: { schema: meta("2024-09-18"), definitions: {} },
      new: { schema: meta("2026-02-27"), definitions: {} },
      versionPath: "/webhookMetadata/webhookTargetVersion",
    });
    expect(changes).toMatchObject([{ kind: "version-changed", classification: "breaking", before: "2024-09-18", after: "2026-02-27" }]);
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
    expect(report.events.map((e) => [e.name, e.status, e.changes.map((c) => `${c.kind} ${c.classification}`)])).toEqual([
      ["order.created", "changed", ["property-added safe", "version-changed breaking"]],
      ["order.deleted", "removed", ["event-removed breaking"]],
      ["order.shipped", "added", ["event-added safe"]],
    ]);
  });

  it("decides --fail-on", () => {
    expect(hasChangeAtLeast(report, "breaking")).toBe(true);
    const additive = diffModels(model("v1", { a: { id: str } }), model("v1", { a: { id: str, b: str }, c: {} }));
    expect(hasChangeAtLeast(additive, "potentially-breaking")).toBe(false);
    expect(additive.summary.worst).toBe("safe");
  });

  it("is deterministic and says nothing changed when nothing did", () => {
    expect(JSON.stringify(diffModels(before, after))).toBe(JSON.stringify(report));
    const same = diffModels(before, before);
    expect(same.summary.worst).toBe("none");
    expect(same.events.every((e) => e.status === "unchanged")).toBe(true);
    expect(formatText(same)).toContain("No changes.");
  });

  it("has a one-line summary for codegen to print", () => {
    expect(formatSummary(report)).toBe("acme v1 → v2: 2 breaking, 0 potentially breaking, 2 safe; 1 event added, 1 event removed");
  });
});
