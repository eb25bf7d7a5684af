import { Ajv, type Options } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { _ } from "ajv/dist/compile/codegen/index.js";
import standaloneCodeModule from "ajv/dist/standalone/index.js";
import { CodegenError } from "../errors.js";
import { pointerSegments } from "../load/manifest.js";
import type { VersionModel } from "../model/build.js";
import type { FileOutput } from "../output.js";
import { formatDefinitions, formatsSource, runtimeHelpers } from "../runtime.js";

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
  const location = model.provider.manifest.event;
  const path = location.in === "body" ? pointerSegments(location.pointer) : [];
  const pointer = location.in === "body" ? location.pointer : "";
  return `
const $validators = new Map([
${names.map((n) => `  [${JSON.stringify(n.name)}, ${n.validator}],`).join("\n")}
]);

/** Every event name this version knows, sorted. */
export const eventNames = Object.freeze(${JSON.stringify(names.map((n) => n.name))});

/** The event name a payload carries at ${pointer || "(a header)"}, or undefined. */
export function eventNameOf(payload) {
  let node = payload;
  for (const key of ${JSON.stringify(path)}) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = node[key];
  }
  return typeof node === "string" ? node : undefined;
}

/** The validator of one event, found by name (never by trying each schema in turn). */
export function validatorFor(name) {
  return $validators.get(name);
}

/** Validates a payload against the schema of the event it names. */
export function validateEvent(payload, name = eventNameOf(payload)) {
  const validate = name === undefined ? undefined : $validators.get(name);
  if (validate === undefined) {
    return {
      ok: false,
      kind: "unknown_event",
      name,
      errors: [
        {
          instancePath: ${JSON.stringify(pointer)},
          schemaPath: "",
          keyword: "event",
          params: { allowedValues: eventNames },
          message: name === undefined ? "must name an event" : "must be one of the known events: " + eventNames.join(", "),
        },
      ],
    };
  }
  if (validate(payload)) return { ok: true, name, event: payload };
  return { ok: false, kind: "invalid_payload", name, errors: validate.errors ?? [] };
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

export declare const eventNames: readonly ${t}EventName[];

export declare function eventNameOf(payload: unknown): string | undefined;

export declare function validatorFor<N extends ${t}EventName>(name: N): Validator<${t}EventMap[N]>;
export declare function validatorFor(name: string): Validator<${t}Event> | undefined;

export type ValidateEventResult =
  | { [N in ${t}EventName]: { ok: true; name: N; event: ${t}EventMap[N] } }[${t}EventName]
  | {
      ok: false;
      kind: "unknown_event" | "invalid_payload";
      name: string | undefined;
      errors: ValidationError[];
    };

export declare function validateEvent(payload: unknown, name?: string): ValidateEventResult;
`;
}
