import { Ajv, type Options } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { _ } from "ajv/dist/compile/codegen/index.js";
import standaloneCodeModule from "ajv/dist/standalone/index.js";
import { CodegenError } from "../errors.js";
import { pointerSegments } from "../load/manifest.js";
import type { VersionModel } from "../model/build.js";
import type { FileOutput } from "../output.js";
import { errorsSource, formatDefinitions, formatsSource, runtimeHelpers } from "../runtime.js";

// CommonJS default export, seen through NodeNext.
const standaloneCode = (standaloneCodeModule as unknown as { default: typeof standaloneCodeModule.default }).default;

/** The exported name of an event's validator. */
export const validatorName = (typeName: string): string => `validate${typeName}`;

/**
 * validators.js: Ajv's standalone code for every event of the version, compiled ahead of
 * time, with Ajv's runtime helpers and the format checks inlined (no import, no require),
 * plus a dispatcher that picks the validator by the payload's event name.
 * validators.d.ts: its declarations, typed by types.ts.
 */
export function emitValidators(model: VersionModel, header: string): FileOutput[] {
  const base = `${model.provider.name}/${model.version}`;
  return [
    { path: `${base}/validators.js`, content: `${header}\n${validatorModule(model)}` },
    { path: `${base}/validators.d.ts`, content: `${header}\n${declarations(model)}` },
  ];
}

function validatorModule(model: VersionModel): string {
  const options: Options = {
    code: { source: true, esm: true, formats: _`$allFormats` },
    // Provider schemas carry keywords of their own (x-*, examples); unknown formats are
    // rejected earlier, by the model, with the file and pointer.
    strict: false,
    allErrors: true,
    // Each named definition is compiled once, as a function the events share, rather
    // than inlined into every event that refers to it.
    inlineRefs: false,
    formats: formatDefinitions,
  };
  const ajv = model.dialect === "2020-12" ? new Ajv2020(options) : new Ajv(options);
  const documentId = "webhook-codegen:document";
  ajv.addSchema({ definitions: model.definitions }, documentId);
  const exports = Object.fromEntries(
    model.events.map((e) => [validatorName(e.typeName), `${documentId}#/definitions/${e.typeName}`]),
  );
  const compiled = inlineRuntime(standaloneCode(ajv, exports), model);
  return `${compiled}\n\n${dispatcher(model)}`;
}

/** Replaces Ajv's `require`s of its runtime helpers with our own inline copies. */
function inlineRuntime(code: string, model: VersionModel): string {
  const prelude: string[] = [];
  let body = code.replace(/^"use strict";/, "");
  for (const [required, helper] of Object.entries(runtimeHelpers)) {
    if (!body.includes(required)) continue;
    body = body.split(required).join(helper.name);
    prelude.push(helper.source);
  }
  if (body.includes("$allFormats")) prelude.push(formatsSource);
  prelude.push(errorsSource);
  const leftover = /\brequire\(([^)]*)\)/.exec(body);
  if (leftover) {
    throw new CodegenError([
      {
        code: "unsupported",
        file: model.source,
        message: `the schemas need Ajv's runtime helper ${leftover[1]}, which cannot be inlined yet`,
      },
    ]);
  }
  return [...prelude, body].join("\n");
}

function dispatcher(model: VersionModel): string {
  const names = model.events.flatMap((e) => e.names.map((name) => ({ name, validator: validatorName(e.typeName) })));
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { event, version } = model.provider.manifest;
  const eventPointer = event.in === "body" ? event.pointer : "";
  const versionPointer = version?.in === "body" ? version.pointer : undefined;
  const literal = (value: unknown) => JSON.stringify(value);
  return `
const $validators = new Map([
${names.map((n) => `  [${literal(n.name)}, ${n.validator}],`).join("\n")}
]);

/** Every event name this version knows, sorted. */
export const eventNames = Object.freeze(${literal(names.map((n) => n.name))});

/** The schema version this module validates${model.pinnedVersion === undefined ? " (its schemas pin none)" : ""}. */
export const schemaVersion = ${literal(model.pinnedVersion ?? null)};

/** The string at a path of own properties, or undefined. */
function $stringAt(payload, keys) {
  let node = payload;
  for (const key of keys) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = node[key];
  }
  return typeof node === "string" ? node : undefined;
}

/** The event name a payload carries${eventPointer ? ` at ${eventPointer}` : " (it travels in a header)"}, or undefined. */
export function eventNameOf(payload) {
  return ${eventPointer ? `$stringAt(payload, ${literal(pointerSegments(eventPointer))})` : "undefined"};
}

/** The schema version a payload declares${versionPointer ? ` at ${versionPointer}` : " (this provider does not version payloads)"}, or undefined. */
export function versionOf(payload) {
  return ${versionPointer ? `$stringAt(payload, ${literal(pointerSegments(versionPointer))})` : "undefined"};
}

/** The validator of one event, found by name (never by trying each schema in turn). */
export function validatorFor(name) {
  return $validators.get(name);
}

/**
 * Validates a payload against the schema of the event it names. A payload that fails
 * and declares another version than this module's is a version mismatch, not a
 * structural error; its other errors are listed after the version's.
 */
export function validateEvent(payload, name = eventNameOf(payload)) {
  const validate = name === undefined ? undefined : $validators.get(name);
  if (validate === undefined) {
    return {
      ok: false,
      kind: "unknown_event",
      name,
      errors: [
        {
          path: ${literal(eventPointer)},
          message: (name === undefined ? "must name an event" : "unknown event " + JSON.stringify(name)) + "; known events: " + eventNames.join(", "),
          keyword: "event",
          schemaPath: "",
          params: { allowedValues: eventNames },
        },
      ],
    };
  }
  if (validate(payload)) return { ok: true, name, event: payload };
  const errors = $readableErrors(validate.errors ?? [], payload);
  const version = versionOf(payload);
  if (schemaVersion !== null && version !== undefined && version !== schemaVersion) {
    const path = ${literal(versionPointer ?? "")};
    return {
      ok: false,
      kind: "version_mismatch",
      name,
      version,
      expected: schemaVersion,
      errors: [
        {
          path,
          message: "this payload is of version " + JSON.stringify(version) + "; these schemas are of version " + JSON.stringify(schemaVersion),
          keyword: "version",
          schemaPath: "",
          params: { allowedValue: schemaVersion },
        },
        ...errors.filter((e) => e.path !== path),
      ],
    };
  }
  return { ok: false, kind: "invalid_payload", name, errors };
}
`;
}

function declarations(model: VersionModel): string {
  const t = model.provider.title;
  const typeNames = [...new Set(model.events.map((e) => e.typeName))].sort();
  return `import type { ${[`${t}Event`, `${t}EventMap`, `${t}EventName`, ...typeNames].join(", ")} } from "./types.js";

/** One validation error, as Ajv reports it. */
export interface ValidationError {
  /** JSON pointer to the failing value in the payload. */
  instancePath: string;
  /** JSON pointer to the failing keyword in the schema. */
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A validator: a type guard that leaves its errors on \`.errors\` when it returns false. */
export interface Validator<T> {
  (data: unknown): data is T;
  errors?: ValidationError[] | null;
}

${model.events.map((e) => `export declare const ${validatorName(e.typeName)}: Validator<${e.typeName}>;`).join("\n")}

/** A validation error a person can act on. */
export interface PayloadError {
  /** JSON pointer to the failing value in the payload, e.g. /payload/thread/status. */
  path: string;
  /** e.g. 'must be one of TODO, DONE, SNOOZED; got "OPEN"'. */
  message: string;
  keyword: string;
  schemaPath: string;
  params: Record<string, unknown>;
}

export declare const eventNames: readonly ${t}EventName[];

export declare const schemaVersion: ${model.pinnedVersion === undefined ? "null" : JSON.stringify(model.pinnedVersion)};

export declare function eventNameOf(payload: unknown): string | undefined;

export declare function versionOf(payload: unknown): string | undefined;

export declare function validatorFor<N extends ${t}EventName>(name: N): Validator<${t}EventMap[N]>;
export declare function validatorFor(name: string): Validator<${t}Event> | undefined;

export type ValidateEventResult =
  | { [N in ${t}EventName]: { ok: true; name: N; event: ${t}EventMap[N] } }[${t}EventName]
  | { ok: false; kind: "unknown_event" | "invalid_payload"; name: string | undefined; errors: PayloadError[] }
  | { ok: false; kind: "version_mismatch"; name: string; version: string; expected: string; errors: PayloadError[] };

export declare function validateEvent(payload: unknown, name?: string): ValidateEventResult;
`;
}
