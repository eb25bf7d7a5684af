import type { Format } from "ajv";
import { fullFormats } from "ajv-formats/dist/formats.js";
import { readPackageFile } from "./paths.js";

/**
 * The code that generated validators carry inline instead of importing it: Ajv's
 * standalone output `require`s its runtime helpers and the format checks, so a
 * consumer would need ajv installed. We emit our own small versions of those
 * (templates/runtime/*.js) and give Ajv the very same functions when it compiles.
 */
export const formatsSource = readPackageFile("templates/runtime/formats.js");

const functionFormats = new Function(`${formatsSource}\nreturn $allFormats;`)() as Record<string, Format>;

/** Every format a validator can check: ajv-formats' regular expressions (Ajv inlines them) and ours. */
export const formatDefinitions: Record<string, Format> = Object.fromEntries(
  Object.entries(fullFormats as Record<string, Format>)
    .filter(([, format]) => format instanceof RegExp || format === true)
    .concat(Object.entries(functionFormats)),
);

export const supportedFormats = new Set(Object.keys(formatDefinitions));

/** Turns Ajv's errors into { path, message } a person can act on (used by validateEvent). */
export const errorsSource = readPackageFile("templates/runtime/errors.js");

/** Ajv's standalone `require(...)` of a runtime helper → the helper we inline instead. */
export const runtimeHelpers: Record<string, { name: string; source: string }> = {
  'require("ajv/dist/runtime/ucs2length").default': {
    name: "$ucs2length",
    source: readPackageFile("templates/runtime/ucs2length.js"),
  },
  'require("ajv/dist/runtime/equal").default': {
    name: "$equal",
    source: readPackageFile("templates/runtime/equal.js"),
  },
};
