// @octokit/webhooks-schemas as published (issue 13): its one combined schema.json (a draft-07
// document whose root is a oneOf of $refs, one per X-GitHub-Event value, most of them a oneOf
// per action) read as a user would, through a manifest's "sources"; a tiny combined document of
// the same shape for the splitter's own rules.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot, run, tempDir } from "./helpers.js";

const schemasPackage = path.join(repoRoot, "node_modules", "@octokit", "webhooks-schemas");
const installed = existsSync(path.join(schemasPackage, "schema.json"));
const typesPackage = path.join(repoRoot, "node_modules", "@octokit", "webhooks-types");
const examplesFile = path.join(repoRoot, "node_modules", "@octokit", "webhooks-examples", "api.github.com", "index.json");

/** octokit's definition names: <event>_event (the union of its actions) or <event>$event (an event without actions). */
const octokitDefinitions = "^(.+?)(?:_event|\\$event)$";

const manifest = (sources: Record<string, unknown>, event: Record<string, unknown> = {}) => ({
  name: "octokit",
  title: "Octokit",
  event: { in: "header", name: "X-GitHub-Event", refine: "/action", definition: octokitDefinitions, ...event },
  signing: { scheme: "hmac", algorithm: "sha256", encoding: "hex", header: "X-Hub-Signature-256", prefix: "sha256=" },
  deliveryId: { in: "header", name: "X-GitHub-Delivery" },
  sources,
});

/** A project whose catalogue is schemas/octokit/provider.json and whose node_modules holds `packages`. */
async function project(prefix: string, json: unknown, packages: Record<string, string>): Promise<string> {
  const dir = await tempDir(prefix);
  await mkdir(path.join(dir, "schemas", "octokit"), { recursive: true });
  await writeFile(path.join(dir, "schemas", "octokit", "provider.json"), JSON.stringify(json));
  await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: "octokit-receiver", private: true, type: "module" }));
  for (const [name, target] of Object.entries(packages)) {
    await mkdir(path.dirname(path.join(dir, "node_modules", name)), { recursive: true });
    await symlink(target, path.join(dir, "node_modules", name), "dir");
  }
  return dir;
}

describe.skipIf(!installed)(
  installed ? "@octokit/webhooks-schemas as published" : "@octokit/webhooks-schemas as published: SKIPPED, the package is not installed (npm ci)",
  async () => {
    const dir = await project("codegen-octokit-", manifest({ "webhooks-schemas": { npm: "@octokit/webhooks-schemas", file: "schema.json" } }), {
      "@octokit/webhooks-schemas": schemasPackage,
    });
    const generation = await run(["--no-cache", "--out", "generated"], dir);
    const document = JSON.parse(await readFile(path.join(schemasPackage, "schema.json"), "utf8")) as { definitions: Record<string, unknown> };

    it("generates the combined schema.json read through the manifest's sources, without a problem or a warning", () => {
      expect(generation.stderr).toBe("");
      expect(generation.code).toBe(0);
    });

    it("names an event for each action of each X-GitHub-Event value, and the header alone where there is no action", async () => {
      const validators = await import(pathToFileURL(path.join(dir, "generated", "octokit", "webhooks-schemas", "validators.js")).href);
      // octokit's own names: <event>$<action>, <event>$event for an event without actions
      const expected = Object.keys(document.definitions)
        .filter((key) => key.includes("$"))
        .map((key) => key.replace(/\$event$/, "").replace("$", "."))
        .sort();
      expect([...validators.eventNames].sort()).toEqual(expected);
      expect(validators.eventNames).toContain("pull_request.opened");
      expect(validators.eventNames).toContain("repository_dispatch");
    });

    it.skipIf(!existsSync(examplesFile))(
      "judges every example of @octokit/webhooks-examples as Ajv (draft-07, ajv-formats) judges it on the same document",
      async () => {
        const octokit = await import(pathToFileURL(path.join(dir, "generated", "octokit", "index.ts")).href);
        const groups = JSON.parse(await readFile(examplesFile, "utf8")) as { name: string; examples: Record<string, unknown>[] }[];
        const ajv = new Ajv({ strict: false, allErrors: false });
        (addFormatsModule as unknown as { default: (a: Ajv) => void }).default(ajv);
        ajv.addSchema({ ...document, $id: "https://octokit.invalid/schema.json" });
        const compiled = new Map<string, ValidateFunction>();
        // octokit's own names: <event>$<action>, else <event>$event for an event without actions
        const ajvVerdict = (event: string, payload: Record<string, unknown>): string => {
          const action = typeof payload["action"] === "string" ? payload["action"] : undefined;
          const key = action !== undefined && `${event}$${action}` in document.definitions ? `${event}$${action}` : `${event}$event` in document.definitions ? `${event}$event` : undefined;
          if (key === undefined) return "unknown_event";
          let validate = compiled.get(key);
          if (!validate) compiled.set(key, (validate = ajv.compile({ $ref: `https://octokit.invalid/schema.json#/definitions/${encodeURIComponent(key)}` })));
          return validate(payload) ? `ok ${key.replace(/\$event$/, "").replace("$", ".")}` : "invalid_payload";
        };
        let total = 0;
        let accepted = 0;
        const rejected: Record<string, number> = {};
        const differing: string[] = [];
        const reasons = new Map<string, number>();
        for (const group of groups) {
          for (const [index, payload] of group.examples.entries()) {
            total++;
            const result = octokit.parseOctokitWebhook(JSON.stringify(payload), { "X-GitHub-Event": group.name });
            const ours = result.ok ? `ok ${result.name}` : result.error.kind;
            const theirs = ajvVerdict(group.name, payload);
            if (ours !== theirs) differing.push(`${group.name}[${index}]: ours ${ours}, Ajv ${theirs}`);
            if (result.ok) accepted++;
            else {
              rejected[`${group.name}: ${result.error.kind}`] = (rejected[`${group.name}: ${result.error.kind}`] ?? 0) + 1;
              for (const error of (result.error.errors ?? []) as { keyword?: string; params?: Record<string, unknown> }[]) {
                const detail = error.params?.["missingProperty"] ?? error.params?.["format"] ?? error.params?.["additionalProperty"];
                const reason = detail === undefined ? String(error.keyword) : `${error.keyword} ${String(detail)}`;
                reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
              }
            }
          }
        }
        console.log(
          `@octokit/webhooks-examples through @octokit/webhooks-schemas: ${total} examples; accepted ${accepted}, rejected ${total - accepted}; verdicts equal to Ajv's: ${total - differing.length}\n` +
            `rejected by event: ${JSON.stringify(rejected)}\nerrors of the rejected examples: ${JSON.stringify(Object.fromEntries(reasons))}`,
        );
        expect(differing).toEqual([]);
        expect(total).toBe(groups.reduce((n, g) => n + g.examples.length, 0));
        expect(accepted).toBeGreaterThan(total / 2);
      },
      300_000,
    );

    it("types free-form objects (client_payload, workflow inputs, a deployment's payload) as index signatures of unknown values", async () => {
      const types = await readFile(path.join(dir, "generated", "octokit", "webhooks-schemas", "types.ts"), "utf8");
      const indexSignature = "{\n    [k: string]: unknown | undefined;\n  }";
      expect(types).toContain(`  client_payload: ${indexSignature};`);
      expect(types).toContain(`  inputs: ${indexSignature} | null;`);
      expect(types).toContain(`  payload: ${indexSignature};`);
    });

    it("strict tsc is clean over the generated output", async () => {
      await writeFile(
        path.join(dir, "usage.ts"),
        [
          'import type { OctokitEventMap, OctokitHandlers } from "./generated/octokit/index.js";',
          "export function read(event: OctokitEventMap[\"repository_dispatch\"]): unknown {",
          "  // with client_payload typed {}, indexing it is an error under noImplicitAny",
          '  return event.client_payload["anything"];',
          "}",
          "export const handlers: OctokitHandlers = {",
          '  "pull_request.opened": (event) => void (event.action satisfies "opened"),',
          "};",
          "",
        ].join("\n"),
      );
      expect(await strictTsc(dir, ["generated/**/*.ts", "usage.ts"])).toBe("");
    }, 300_000);

    it.skipIf(!existsSync(typesPackage))(
      "types each event+action, and each X-GitHub-Event's union of them, as @octokit/webhooks-types does: mutually assignable under strict tsc",
      async () => {
        const validators = await import(pathToFileURL(path.join(dir, "generated", "octokit", "webhooks-schemas", "validators.js")).href);
        const { failing, controls } = await compareWithOctokitTypes(dir, [...validators.eventNames].sort());
        // the comparison sees differences: another action's type, and every field optional, are not the same type
        expect(controls).toEqual(["control: another action ours→theirs", "control: another action theirs→ours", "control: every field optional theirs→ours"]);
        expect(Object.fromEntries(failing)).toEqual(knownTypeDifferences);
      },
      300_000,
    );
  },
);

/**
 * Where our types and @octokit/webhooks-types (json-schema-to-typescript over the same
 * schemas, with its defaults) are known not to be mutually assignable, and why. Besides these,
 * one convention is set aside before the comparison: our index signatures say `| undefined`
 * (json-schema-to-typescript's strictIndexSignatures, so that a key read from a free-form object
 * may be absent), theirs do not; under exactOptionalPropertyTypes that alone makes every event
 * with a repository (its custom_properties) differ. A new difference fails the test.
 */
const knownTypeDifferences: Record<string, string> = {};

/**
 * Type-checks, with the TypeScript compiler and the options generated code is held to, an
 * assignment each way between our type and theirs for every event+action (theirs: the member of
 * EventPayloadMap[event] whose action is that literal), for every X-GitHub-Event's union, and
 * for the header values themselves; returns the assignments that fail, with the compiler's
 * message, and the control assignments (which must fail) that did.
 */
async function compareWithOctokitTypes(dir: string, names: string[]): Promise<{ failing: Map<string, string>; controls: string[] }> {
  const copy = path.join(dir, "node_modules", "@octokit", "webhooks-types");
  await mkdir(copy, { recursive: true });
  await writeFile(path.join(copy, "package.json"), await readFile(path.join(typesPackage, "package.json")));
  const theirs = await readFile(path.join(typesPackage, "schema.d.ts"), "utf8");
  await writeFile(path.join(copy, "schema.d.ts"), theirs.replace(/(\[k: string\]: )([^;]+);/g, "$1$2 | undefined;"));
  const lines = [
    'import type { OctokitEventGroups as Groups, OctokitEventMap as Ours } from "./generated/octokit/index.js";',
    'import type { EventPayloadMap } from "@octokit/webhooks-types";',
    "type Theirs<E extends keyof EventPayloadMap, A extends string> = [A] extends [never] ? EventPayloadMap[E] : Extract<EventPayloadMap[E], { action: A }>;",
    "type Header<E extends string> = Ours[Extract<E | Groups[E & keyof Groups], keyof Ours>];",
  ];
  const labels = new Map<number, string>();
  let n = 0;
  const both = (label: string, ours: string, their: string): void => {
    n++;
    lines.push(`declare const ours${n}: ${ours};`, `export const toTheirs${n}: ${their} = ours${n};`);
    labels.set(lines.length, `${label} ours→theirs`);
    lines.push(`declare const theirs${n}: ${their};`, `export const toOurs${n}: ${ours} = theirs${n};`);
    labels.set(lines.length, `${label} theirs→ours`);
  };
  for (const name of names) {
    const [event, action] = name.split(".");
    both(name, `Ours[${JSON.stringify(name)}]`, `Theirs<${JSON.stringify(event)}, ${action === undefined ? "never" : JSON.stringify(action)}>`);
  }
  for (const event of [...new Set(names.map((name) => name.split(".")[0]!))]) both(`${event} (every action)`, `Header<${JSON.stringify(event)}>`, `EventPayloadMap[${JSON.stringify(event)}]`);
  lines.push("export const headers: [Exclude<keyof EventPayloadMap, keyof Groups | keyof Ours>] extends [never] ? true : false = true;");
  labels.set(lines.length, "X-GitHub-Event values");
  both("control: another action", 'Ours["check_run.completed"]', 'Theirs<"check_run", "created">');
  lines.push('declare const partial: Partial<Theirs<"pull_request", "opened">>;', 'export const optional: Ours["pull_request.opened"] = partial;');
  labels.set(lines.length, "control: every field optional theirs→ours");
  await writeFile(path.join(dir, "compare.ts"), lines.join("\n") + "\n");

  const tsconfig = JSON.parse(await readFile(path.join(repoRoot, "tsconfig.generated.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
  const { options } = ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions, dir);
  const program = ts.createProgram([path.join(dir, "compare.ts")], options);
  const failing = new Map<string, string>();
  const controls: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
    const label = diagnostic.file?.fileName === path.join(dir, "compare.ts") ? labels.get(line) : undefined;
    if (label?.startsWith("control:")) controls.push(label);
    else failing.set(label ?? `${diagnostic.file?.fileName ?? ""}:${line}`, message.split("\n").slice(0, 8).join("\n"));
  }
  return { failing, controls: controls.sort() };
}

/** Strict tsc (the options generated code is held to) over `include` in `dir`: its output, "" when clean. */
async function strictTsc(dir: string, include: string[]): Promise<string> {
  const tsconfig = JSON.parse(await readFile(path.join(repoRoot, "tsconfig.generated.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
  await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: tsconfig.compilerOptions, include }));
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  return promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).then(
    () => "",
    (error: { stdout: string; message: string }) => error.stdout || error.message,
  );
}

describe("a combined document of a header-named provider", () => {
  const action = (name: string) => ({ type: "object", required: ["action"], properties: { action: { type: "string", enum: [name] }, id: { type: "integer" } } });
  const combined = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    required: ["sender"],
    oneOf: [{ $ref: "#/definitions/thing_event" }, { $ref: "#/definitions/ping$event" }],
    definitions: {
      thing_event: { oneOf: [{ $ref: "#/definitions/thing$made" }, { $ref: "#/definitions/thing$gone" }] },
      thing$made: action("made"),
      thing$gone: action("gone"),
      ping$event: { type: "object", properties: { zen: { type: "string" } } },
    },
  };
  async function generateDocument(document: unknown, event: Record<string, unknown> = {}): Promise<{ dir: string; code: number; stderr: string }> {
    const dir = await project("codegen-combined-", manifest({}, event), {});
    await writeFile(path.join(dir, "hooks.json"), JSON.stringify(document));
    const result = await run(["--schemas", "hooks.json", "--provider", "octokit", "--out", "generated"], dir);
    return { dir, code: result.code, stderr: result.stderr };
  }

  it("is split per header value read from the definitions' names, and per action, the root's own constraints kept", async () => {
    const { dir, code, stderr } = await generateDocument(combined);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const validators = await import(pathToFileURL(path.join(dir, "generated", "octokit", "hooks", "validators.js")).href);
    expect([...validators.eventNames]).toEqual(["ping", "thing.gone", "thing.made"]);
    const octokit = await import(pathToFileURL(path.join(dir, "generated", "octokit", "index.ts")).href);
    const parse = (payload: unknown, event: string) => octokit.parseOctokitWebhook(JSON.stringify(payload), { "X-GitHub-Event": event });
    expect(parse({ action: "made", id: 1, sender: {} }, "thing")).toMatchObject({ ok: true, name: "thing.made" });
    expect(parse({ zen: "hi", sender: {} }, "ping")).toMatchObject({ ok: true, name: "ping" });
    // the root requires sender of every event
    expect(parse({ action: "gone", id: 1 }, "thing")).toMatchObject({ ok: false, error: { kind: "invalid_payload" } });
  });

  it("says how to read the header's value when the manifest does not", async () => {
    const { code, stderr } = await generateDocument(combined, { definition: undefined });
    expect(code).not.toBe(0);
    expect(stderr).toContain("the provider names events in the X-GitHub-Event header, and the manifest does not say how to read its value from the document");
  });

  it("names a branch that is no $ref the pattern reads, an event that pins several actions without a union of them, and an event twice", async () => {
    const broken = structuredClone(combined) as Record<string, unknown> & { oneOf: unknown[]; definitions: Record<string, unknown> };
    broken.oneOf.push({ type: "object" }, { $ref: "#/definitions/other" }, { $ref: "#/definitions/both_event" }, { $ref: "#/definitions/ping$event" });
    broken.definitions["other"] = { type: "object" };
    broken.definitions["both_event"] = { type: "object", properties: { action: { enum: ["a", "b"] } } };
    const { code, stderr } = await generateDocument(broken);
    expect(code).not.toBe(0);
    expect(stderr).toContain("hooks.json#/oneOf/2: the branch is not a $ref to a definition whose name the manifest's event.definition (^(.+?)(?:_event|\\$event)$) reads a X-GitHub-Event value from");
    expect(stderr).toContain("hooks.json#/oneOf/3: the branch is not a $ref");
    expect(stderr).toContain("hooks.json#/definitions/both_event: the schema of both pins /action to 2 values (a, b) but is no anyOf/oneOf whose branches pin one each");
    expect(stderr).toContain('hooks.json#/oneOf/5: event name "ping" is also claimed by hooks.json#/oneOf/1');
  });

  it("a pattern that is no regular expression, or has no group, is a manifest error naming the field", async () => {
    for (const [definition, message] of [
      ["(", "schemas/octokit/provider.json#/event/definition: not a regular expression"],
      ["(.+)_event\\", "schemas/octokit/provider.json#/event/definition: not a regular expression"],
      ["_event$", "schemas/octokit/provider.json#/event/definition: the pattern has no capture group: its first group is the header's value"],
    ]) {
      const { code, stderr } = await generateDocument(combined, { definition });
      expect(code).not.toBe(0);
      expect(stderr).toContain(message);
    }
  });
});
