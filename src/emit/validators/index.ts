import { CodegenError } from "../../errors.js";
import { pointerSegments } from "../../load/manifest.js";
import type { VersionModel } from "../../model/build.js";
import { compare } from "../../order.js";
import { printWidth, type FileOutput } from "../../output.js";
import { equalSource, errorsSource, explainRuntime, formatRuntime, ucs2lengthSource } from "../../runtime.js";
import { layout, literal, type Schema } from "./code.js";
import { Compiler } from "./compiler.js";
import { schemaText, stringLiteral } from "./explain.js";
import { formatsUsed } from "./format.js";
import { prepareSchemas } from "./prepare.js";

export { ajvKeywords, compiledKeywords } from "./registry.js";

/** The exported name of an event's validator. */
export const validatorName = (typeName: string): string => `validate${typeName}`;

/**
 * validators.js: for every event of the version, a validator compiled ahead of time from the
 * model's schemas, plus a dispatcher that picks the validator by the payload's event name.
 * validators.d.ts: its declarations, typed by types.ts.
 *
 * A validator runs in two passes. The first is plain code compiled from the schemas that only
 * answers valid or not, and allocates nothing (but for unevaluatedProperties and
 * unevaluatedItems, which collect what was evaluated): each named definition is one function
 * the events share (as are repeated anonymous shapes), a union whose branches pin a property
 * to constants is a switch on that property, enums are Sets, patterns are hoisted, formats are
 * fast checks with the full checks' verdicts, and a required property whose own check fails on
 * undefined needs no separate presence check. Only when it says "invalid" does the second pass
 * run (templates/runtime/explain.js): it walks the schemas, embedded as JSON and read on first
 * use, testing each part with the first pass's functions so that it walks only what fails, and
 * reports exactly the errors Ajv reports with allErrors, which validateEvent then makes
 * readable (validateEvent runs the first pass alone and explains only when the result's errors
 * are first read). The semantics are Ajv's with strict off, allErrors and ownProperties (a payload's
 * properties are its own); test/differential*.test.ts compare verdicts and errors with Ajv on
 * thousands of payloads per event. Every keyword Ajv evaluates is compiled (registry.ts); a
 * schema the compiler cannot take ($dynamicRef, a value Ajv would refuse) is a Problem naming
 * its file and pointer, and nothing is written.
 */
export function emitValidators(model: VersionModel, header: string): FileOutput[] {
  // the compiler lays its code out itself (prettier would spend more time on this file than
  // the rest of the run takes)
  const validators: FileOutput = { path: `${model.provider.name}/${model.version}/validators.js`, content: `${header}\n${validatorModule(model)}`, formatted: true };
  return [validators, declarationsFile(model, header)];
}

/**
 * validators.d.ts. Its head (the bulk of a large version: a line per event) is laid out here as
 * prettier prints it; the format stage formats the tail (see declarations).
 */
export function declarationsFile(model: VersionModel, header: string): FileOutput {
  const { head, tail } = declarations(model);
  return { path: `${model.provider.name}/${model.version}/validators.d.ts`, content: `${header}\n${head}${tail}`, formatFrom: header.length + 1 + head.length };
}

/** The validators.js module of a version (without the banner). */
export function validatorModule(model: VersionModel): string {
  const prepared = prepareSchemas(model);
  if (!prepared.ok) throw new CodegenError(prepared.problems);
  return compiledModule(model, prepared.definitions);
}

// ---------------------------------------------------------------------------------------
// The module.

/**
 * Deep equality where no const or enum value is an object or an array: the compiled checks
 * then never call it, and the second pass compares only primitives (with ===).
 */
const noObjectConstants = `// No const or enum of these schemas is an object or an array: values compare with ===.
function $equal(a, b) {
  return a === b;
}`;

function compiledModule(model: VersionModel, definitions: Record<string, Schema>): string {
  const formats = formatRuntime(formatsUsed(definitions));
  const compiler = new Compiler(definitions, formats.checks);
  const compiled = compiler.compile();
  const table = [...formats.checks].map(([name, check]) => `  ${JSON.stringify(name)}: ${check.identifier},`);
  const text = schemaText(definitions, {
    functionFor: (schema) => compiler.functionFor(schema),
    enumSet: (values) => compiler.enumSet(values),
    patternRegExp: (source) => compiler.patternRegExp(source),
  });
  const schemas = Object.entries(text.definitions).map(([name, json]) => `  ${name}: [$v_${name}, ${stringLiteral(json)}],`);
  const validators = [...new Set(model.events.map((e) => e.typeName))].map(
    (typeName) => `export const ${validatorName(typeName)} = $validator($v_${typeName}, ${JSON.stringify(typeName)});`,
  );
  return `// Compiled by webhook-codegen from the schemas of ${model.provider.name} ${model.version}; no imports.
// First pass: $v_<Definition>(value) answers valid or not. Second pass, on failure only:
// $explain(definition, value) reports Ajv's errors, read from the schemas below.
// The helpers, the second pass and the readable errors are webhook-codegen's
// templates/runtime/*.js without their comments; read them there.

${ucs2lengthSource.trim()}

${compiled.constants.includes("$equal(") || compiled.functions.includes("$equal(") ? equalSource.trim() : noObjectConstants}

function $isObject(value) {
  return typeof value == "object" && value !== null && !Array.isArray(value);
}

function $own(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

${formats.source.trim()}

const $formats = {
${table.join("\n")}
};

${[compiled.constants, layout(compiled.functions)].filter((section) => section !== "").join("\n\n")}

/** Each definition's check and its schema as JSON, parsed for the second pass the first time it is walked. */
const $schemas = {
${schemas.join("\n")}
};

/** The first pass's functions the second pass tests subschemas with: {"$check": name} in a schema names one. */
const $checks = { ${text.checks.join(", ")} };

/** The first pass's Sets and RegExps the second pass reads: "enum": name and "pattern": {"$regexp": name}. */
const $enums = { ${text.enums.join(", ")} };
const $regexps = { ${text.regexps.join(", ")} };

/** Subschemas that occur more than once, each written once; the number i in a schema stands for the i-th. */
const $shared = [
${text.shared.map((json) => `  ${stringLiteral(json)},`).join("\n")}
];

const $parsed = new Map();

function $definition(name) {
  let schema = $parsed.get(name);
  if (schema === undefined) $parsed.set(name, (schema = $plan(JSON.parse($schemas[name][1]))));
  return schema;
}

${explainRuntime(text.keys)}

${errorsSource.trim()}

/** A validator as Ajv's look: a type guard that leaves its errors on .errors. */
function $validator(check, name) {
  const validate = (data) => {
    if (check(data)) {
      validate.errors = null;
      return true;
    }
    validate.errors = $explain(name, data);
    return false;
  };
  return validate;
}

${validators.join("\n")}

${dispatcher(model).trim()}
`;
}
// ---------------------------------------------------------------------------------------
// The dispatcher and the declarations.

function dispatcher(model: VersionModel): string {
  const names = model.events.flatMap((e) => e.names.map((name) => ({ name, typeName: e.typeName, validator: validatorName(e.typeName) })));
  names.sort((a, b) => compare(a.name, b.name));
  const { event, version } = model.provider.manifest;
  const eventPointer = event.in === "body" ? event.pointer : "";
  const versionPointer = version?.in === "body" ? version.pointer : undefined;
  return `
/** Each event's validator, first pass and definition: validateEvent runs the first pass alone. */
const $events = new Map([
${names.map((n) => `  [${literal(n.name)}, [${n.validator}, $v_${n.typeName}, ${literal(n.typeName)}]],`).join("\n")}
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
  return $events.get(name)?.[0];
}

/**
 * Validates a payload against the schema of the event it names. A payload that fails
 * and declares another version than this module's is a version mismatch, not a
 * structural error; its other errors are listed after the version's.
 */
export function validateEvent(payload, name = eventNameOf(payload)) {
  const event = name === undefined ? undefined : $events.get(name);
  if (event === undefined) {
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
  const [, check, typeName] = event;
  if (check(payload)) return { ok: true, name, event: payload };
  const version = versionOf(payload);
  if (schemaVersion !== null && version !== undefined && version !== schemaVersion) return new $VersionMismatch(name, version, typeName, payload);
  return new $InvalidPayload(name, typeName, payload);
}

/**
 * A payload the first pass rejected. Its errors (every one, readable: the second pass) are
 * made when "errors" is first read, and are then an own property like the others: a receiver
 * answering 400 reads them, code that only needs the verdict never pays for them. (A class,
 * not an object literal with a getter: V8 makes these ten times faster.)
 */
class $InvalidPayload {
  #typeName;
  #payload;
  constructor(name, typeName, payload) {
    this.ok = false;
    this.kind = "invalid_payload";
    this.name = name;
    this.#typeName = typeName;
    this.#payload = payload;
  }
  get errors() {
    return (this.errors = this.explained());
  }
  set errors(errors) {
    Object.defineProperty(this, "errors", { value: errors, writable: true, enumerable: true, configurable: true });
  }
  explained() {
    return $readableErrors($explain(this.#typeName, this.#payload), this.#payload);
  }
  toJSON() {
    return { ...this, errors: this.errors };
  }
}

/** A rejected payload that declares another version: that is its first error, before the version's own. */
class $VersionMismatch extends $InvalidPayload {
  constructor(name, version, typeName, payload) {
    super(name, typeName, payload);
    this.kind = "version_mismatch";
    this.version = version;
    this.expected = schemaVersion;
  }
  explained() {
    const path = ${literal(versionPointer ?? "")};
    const mismatch = {
      path,
      message: "this payload is of version " + JSON.stringify(this.version) + "; these schemas are of version " + JSON.stringify(schemaVersion),
      keyword: "version",
      schemaPath: "",
      params: { allowedValue: schemaVersion },
    };
    return [mismatch, ...super.explained().filter((e) => e.path !== path)];
  }
}
`;
}

/**
 * validators.d.ts as a head and a tail. The head is laid out as prettier prints it (its
 * import on one line where that fits in the print width, else one name a line; a declaration
 * per event, never broken): the names are identifiers, so its layout depends only on their
 * lengths. The tail, whose lines grow with the provider's title, is left to prettier. Formatted
 * apart, the two are what prettier prints of the whole (statements are printed one by one and
 * the head ends with a blank line); test/golden.test.ts holds it to that.
 */
function declarations(model: VersionModel): { head: string; tail: string } {
  const t = model.provider.title;
  const typeNames = [...new Set(model.events.map((e) => e.typeName))].sort();
  const head = [
    importTypes([`${t}Event`, `${t}EventMap`, `${t}EventName`, ...typeNames], "./types.js"),
    `/** One validation error, as Ajv reports it. */
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
}`,
    ...(model.events.length > 0 ? [model.events.map((e) => `export declare const ${validatorName(e.typeName)}: Validator<${e.typeName}>;`).join("\n")] : []),
  ];
  const tail = `/** A validation error a person can act on. */
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

/**
 * Validates a payload against the schema of the event it names. A rejected payload's \`errors\`
 * (every error, readable) are made when first read, from the payload as it is then: read them
 * before changing the payload, spreading or cloning the result.
 */
export declare function validateEvent(payload: unknown, name?: string): ValidateEventResult;
`;
  return { head: `${head.join("\n\n")}\n\n`, tail };
}

/** `import type` of identifiers as prettier prints it: on one line when it fits, else a name a line. */
function importTypes(names: string[], from: string): string {
  const line = `import type { ${names.join(", ")} } from ${JSON.stringify(from)};`;
  return line.length <= printWidth ? line : `import type {\n${names.map((name) => `  ${name},\n`).join("")}} from ${JSON.stringify(from)};`;
}
