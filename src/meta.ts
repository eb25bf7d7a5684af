import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { Problem, ProblemCode } from "./errors.js";
import { readPackageFile } from "./paths.js";

// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The JSON Schemas of our own inputs, shipped in the package under meta/. */
export type MetaSchemaName = "provider" | "config";

const compiled = new Map<MetaSchemaName, ValidateFunction>();

function validatorFor(name: MetaSchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readPackageFile(`meta/${name}.schema.json`)) as object);
    compiled.set(name, validate);
  }
  return validate;
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
  return readableErrors(validate.errors ?? []).map((error) => ({
    code,
    file,
    pointer: error.instancePath,
    message: describe(error),
    hint: `see the ${name} schema: node_modules/webhook-codegen/meta/${name}.schema.json`,
  }));
}

/**
 * Ajv reports every failed branch of a oneOf; a person wants the branch that came
 * closest. Keep the errors at the deepest paths, and drop the oneOf summary lines.
 */
function readableErrors(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => e.keyword !== "oneOf" && e.keyword !== "if");
  const pool = specific.length > 0 ? specific : errors;
  const depth = (e: ErrorObject) => e.instancePath.split("/").length;
  const deepest = Math.max(...pool.map(depth));
  const seen = new Set<string>();
  return pool
    .filter((e) => depth(e) === deepest || !pool.some((o) => o.instancePath.startsWith(e.instancePath + "/")))
    .filter((e) => {
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
