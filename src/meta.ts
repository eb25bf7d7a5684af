import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Problem, ProblemCode } from "./errors.js";
import { readPackageFile } from "./paths.js";

const require = createRequire(import.meta.url);

/** The JSON Schemas of our own inputs, shipped in the package under meta/. */
export type MetaSchemaName = "provider" | "config";

const compiled = new Map<MetaSchemaName, ValidateFunction>();

function validatorFor(name: MetaSchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = (import.meta.url.endsWith(".js") && precompiled(name)) || compileMeta(name);
    compiled.set(name, validate);
  }
  return validate;
}

/** dist/meta/<name>.cjs, when the build wrote it (a bare `tsc` does not). */
function precompiled(name: MetaSchemaName): ValidateFunction | undefined {
  try {
    return require(`./meta/${name}.cjs`) as ValidateFunction;
  } catch {
    return undefined;
  }
}

/**
 * Ajv's compiler at run time, from the TypeScript sources (the tests); the built package
 * uses dist/meta/<name>.cjs, compiled with the same options by scripts/build-meta.js.
 */
export function compileMeta(name: MetaSchemaName): ValidateFunction {
  const { Ajv } = require("ajv") as typeof import("ajv");
  const addFormats = require("ajv-formats") as (ajv: InstanceType<typeof Ajv>) => InstanceType<typeof Ajv>;
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  return ajv.compile(JSON.parse(readPackageFile(`meta/${name}.schema.json`)) as object);
}

/** Checks a value against one of our meta schemas; returns a problem per distinct error. */
export function checkAgainstMeta(
  name: MetaSchemaName,
  value: unknown,
  file: string,
  code: ProblemCode,
): Problem[] {
  const validate = validatorFor(name);
  if (validate(value)) return [];
  const errors = readableErrors(validate.errors ?? []);
  // a misspelt field is one mistake, not an unknown field and a missing one
  const missing = (e: ErrorObject) => (e.keyword === "required" ? String((e.params as Record<string, unknown>)["missingProperty"]) : undefined);
  const unknown = (e: ErrorObject) => (e.keyword === "additionalProperties" ? String((e.params as Record<string, unknown>)["additionalProperty"]) : undefined);
  const meant = new Map<ErrorObject, string>();
  for (const error of errors) {
    const field = unknown(error);
    if (field === undefined) continue;
    const match = errors.find((e) => e.instancePath === error.instancePath && missing(e) !== undefined && ![...meant.values()].includes(missing(e)!) && editDistance(field, missing(e)!) <= 2);
    if (match) meant.set(error, missing(match)!);
  }
  const suggested = new Set(meant.values());
  return errors
    .filter((e) => !(missing(e) !== undefined && suggested.has(missing(e)!)))
    .map((error) => ({
      code,
      file,
      pointer: error.instancePath,
      message: meant.has(error) ? `unknown field "${unknown(error)!}": did you mean "${meant.get(error)!}"?` : describe(error),
      hint: `see the ${name} schema: node_modules/webhook-codegen/meta/${name}.schema.json`,
    }));
}

/** Levenshtein distance, for "did you mean" (field names are short). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Ajv reports every failed branch of a oneOf. Our oneOfs are tagged unions ("in":
 * "body" | "header", "scheme": …): a branch whose tag did not match is the wrong branch,
 * so its errors are noise when another branch's tag did match. Keep the rest.
 */
function readableErrors(errors: ErrorObject[]): ErrorObject[] {
  const branchOf = (e: ErrorObject) => /^(.*)\/oneOf\/(\d+)\//.exec(e.schemaPath);
  const wrongBranches = new Set<string>();
  const byUnion = new Map<string, Map<string, ErrorObject[]>>();
  for (const error of errors) {
    const match = branchOf(error);
    if (!match) continue;
    // the union is where the branch is applied: the error's instance path less the steps
    // the schema path takes inside the branch (a tag's const is one property down)
    const inside = error.schemaPath.slice(match[0].length);
    const steps = (inside.match(/(^|\/)(properties|patternProperties)\/[^/]+\/|(^|\/)items\/(\d+\/)?(?=.)/g) ?? []).length;
    const union = `${error.instancePath.split("/").slice(0, steps === 0 ? undefined : -steps).join("/")} ${match[1]}`;
    const branches = byUnion.get(union) ?? new Map();
    byUnion.set(union, branches);
    branches.set(match[0], [...(branches.get(match[0]) ?? []), error]);
  }
  for (const branches of byUnion.values()) {
    const tagMatched = [...branches].filter(([, list]) => !list.some((e) => e.keyword === "const"));
    if (tagMatched.length === 0) continue;
    for (const [branch, list] of branches) if (list.some((e) => e.keyword === "const")) wrongBranches.add(branch);
  }
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.keyword === "oneOf") return false;
    const match = branchOf(e);
    if (match && wrongBranches.has(match[0])) return false;
    const key = `${e.instancePath} ${describe(e)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `missing required field "${String(params["missingProperty"])}"`;
    case "additionalProperties":
      return `unknown field "${String(params["additionalProperty"])}"`;
    case "const":
      return `must be ${JSON.stringify(params["allowedValue"])}`;
    case "enum":
      return `must be one of ${(params["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return error.message ?? error.keyword;
  }
}
