import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../src/load/catalogue.js";
import { buildModels } from "../src/model/build.js";
import { catalogueDir, generatedProviders, generatedDir, repoRoot } from "./helpers.js";

interface PayloadError {
  path: string;
  keyword: string;
  message: string;
}
type Result = { ok: true; name: string } | { ok: false; kind: string; name?: string; errors: PayloadError[] };
interface ValidatorModule {
  validateEvent(payload: unknown): Result;
  eventNames: readonly string[];
}

const catalogue = await loadCatalogue(catalogueDir, { cwd: repoRoot, providers: generatedProviders });
const models = buildModels(catalogue.providers);
const versions = catalogue.providers.flatMap((provider) =>
  provider.versions.map((version) => ({
    provider: provider.name,
    version,
    model: models.find((m) => m.provider.name === provider.name && m.version === version.name)!,
  })),
);

async function validators(provider: string, version: string): Promise<ValidatorModule> {
  const file = path.join(generatedDir, provider, version, "validators.js");
  return (await import(pathToFileURL(file).href)) as ValidatorModule;
}

type Json = Record<string, any>;
interface Mutation {
  name: string;
  /** Whether the mutation fits this payload (a message event has no domain). */
  applies: (payload: Json) => boolean;
  edit: (payload: Json) => void;
  path: string;
  keyword: string;
}

const always = () => true;

/** One broken copy per kind of mistake, with where the error must point. */
const mutations: Record<string, Mutation[]> = {
  plain: [
    { name: "required field removed", applies: always, edit: (p) => delete p.workspaceId, path: "", keyword: "required" },
    {
      name: "wrong type",
      applies: always,
      edit: (p) => (p.webhookMetadata.webhookDeliveryAttemptNumber = "1"),
      path: "/webhookMetadata/webhookDeliveryAttemptNumber",
      keyword: "type",
    },
    { name: "bad date-time", applies: always, edit: (p) => (p.timestamp = "2024-02-30T10:00:00Z"), path: "/timestamp", keyword: "format" },
    { name: "id of the wrong shape", applies: always, edit: (p) => (p.id = "pEv_1"), path: "/id", keyword: "pattern" },
    {
      name: "bad enum value",
      applies: (p) => p.payload.thread !== undefined,
      edit: (p) => (p.payload.thread.status = "OPEN"),
      path: "/payload/thread/status",
      keyword: "enum",
    },
    {
      name: "nested required field removed",
      applies: (p) => p.payload.thread !== undefined,
      edit: (p) => delete p.payload.thread.title,
      path: "/payload/thread",
      keyword: "required",
    },
  ],
  agentmail: [
    { name: "required field removed", applies: always, edit: (p) => delete p.event_id, path: "", keyword: "required" },
    { name: "wrong constant", applies: always, edit: (p) => (p.type = "message"), path: "/type", keyword: "const" },
    { name: "wrong type", applies: (p) => p.message !== undefined, edit: (p) => (p.message.size = "2 kB"), path: "/message/size", keyword: "type" },
    {
      name: "bad enum value",
      applies: (p) => p.message !== undefined,
      edit: (p) => (p.message.attachments = [{ attachment_id: "att_1", size: 1, content_disposition: "sideways" }]),
      path: "/message/attachments/0/content_disposition",
      keyword: "enum",
    },
    { name: "bad date-time", applies: (p) => p.thread !== undefined, edit: (p) => (p.thread.timestamp = "27/10/2023"), path: "/thread/timestamp", keyword: "format" },
    { name: "bad domain status", applies: (p) => p.domain !== undefined, edit: (p) => (p.domain.status = "verified"), path: "/domain/status", keyword: "enum" },
    ...["send", "delivery", "bounce", "complaint", "reject"].map(
      (key): Mutation => ({
        name: `bad date-time in ${key}`,
        applies: (p) => p[key] !== undefined,
        edit: (p) => (p[key].timestamp = "yesterday"),
        path: `/${key}/timestamp`,
        keyword: "format",
      }),
    ),
  ],
};

describe.each(versions)("$provider $version.name", ({ provider, version, model }) => {
  const valid = model.samples.filter((s) => !s.expect);
  const knownBad = model.samples.filter((s) => s.expect);

  it("has samples", () => {
    expect(valid.length).toBeGreaterThan(0);
  });

  it.each(valid.map((s) => [s.file, s] as const))("sample %s passes its validator", async (_, sample) => {
    const result = (await validators(provider, version.name)).validateEvent(sample.json);
    expect(result.ok ? [] : result.errors).toEqual([]);
    // dispatched by the name in the payload to the event the file is named for
    const dispatchedTo = model.events.find((e) => e.names.includes(result.name ?? ""));
    expect(dispatchedTo?.name).toBe(sample.event);
  });

  it.each(knownBad.map((s) => [s.file, s] as const))("known-bad sample %s fails where expected", async (_, sample) => {
    const result = (await validators(provider, version.name)).validateEvent(sample.json);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    for (const want of sample.expect!.errors) {
      expect(errors.map((e) => ({ path: e.path, keyword: e.keyword }))).toContainEqual({
        path: want.path,
        keyword: want.keyword ?? expect.any(String),
      });
    }
  });

  const cases = valid.flatMap((sample) =>
    (mutations[provider] ?? [])
      .filter((m) => m.applies(sample.json as Json))
      .map((m) => [`${sample.file}: ${m.name}`, sample, m] as const),
  );
  it("applies at least three kinds of mutation to every sample", () => {
    for (const sample of valid) {
      expect((mutations[provider] ?? []).filter((m) => m.applies(sample.json as Json)).length, sample.file).toBeGreaterThanOrEqual(3);
    }
  });
  it.each(cases)("mutated %s fails at the expected path", async (_, sample, mutation) => {
    const payload = structuredClone(sample.json) as Json;
    mutation.edit(payload);
    const result = (await validators(provider, version.name)).validateEvent(payload);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((e) => `${e.path} ${e.keyword}`)).toContain(`${mutation.path} ${mutation.keyword}`);
    expect(result.ok ? "ok" : result.kind).toBe("invalid_payload");
  });

  it.runIf(provider === "plain")("reports a payload of another version as a version mismatch, not a structural error", async () => {
    const payload = structuredClone(valid[0]!.json) as Json;
    payload.webhookMetadata.webhookTargetVersion = "2099-01-01";
    const result = (await validators(provider, version.name)).validateEvent(payload);
    expect(result).toMatchObject({ ok: false, kind: "version_mismatch", version: "2099-01-01", expected: version.name });
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(["/webhookMetadata/webhookTargetVersion"]);

    delete payload.timestamp;
    const both = (await validators(provider, version.name)).validateEvent(payload);
    expect(both.ok ? [] : both.errors.map((e) => `${e.path} ${e.keyword}`)).toEqual([
      "/webhookMetadata/webhookTargetVersion version",
      " required",
    ]);
  });

  it("reports an unknown event name as unknown_event, listing the known ones", async () => {
    const payload = structuredClone(valid[0]!.json) as Json;
    const module = await validators(provider, version.name);
    if (provider === "plain") payload.payload.eventType = "thread.not_an_event";
    else payload.event_type = "not.an_event";
    const result = module.validateEvent(payload);
    expect(result).toMatchObject({ ok: false, kind: "unknown_event", name: payload.payload?.eventType ?? payload.event_type });
    expect(result.ok ? "" : result.errors[0]!.message).toContain(module.eventNames[0]);
  });

  it("does not mistake an inherited property for the event name", async () => {
    const module = await validators(provider, version.name);
    const hostile = JSON.parse('{"__proto__": {"eventType": "thread.email_sent", "event_type": "message.received"}}');
    expect(module.validateEvent(hostile)).toMatchObject({ ok: false, kind: "unknown_event" });
    expect(module.validateEvent({ payload: { eventType: "constructor" }, event_type: "toString" })).toMatchObject({
      ok: false,
      kind: "unknown_event",
    });
  });

  it("validators.js imports and requires nothing", async () => {
    const file = path.join(generatedDir, provider, version.name, "validators.js");
    const source = ts.createSourceFile(file, await readFile(file, "utf8"), ts.ScriptTarget.Latest, true);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) || ts.isImportEqualsDeclaration(node)) found.push(node.getText());
      if (ts.isExportDeclaration(node) && node.moduleSpecifier) found.push(node.getText());
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require")) {
          found.push(node.getText());
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(found).toEqual([]);
  });
});
