import { isPlainObject } from "../../json.js";
import { ajvFormatNames, formatDefinitions } from "../../runtime.js";
import type { Schema } from "./code.js";
import { omitted, type Keyword } from "./keyword.js";

// The format keyword: strings (and, for int32, double and the like, numbers) checked by the
// format functions of src/runtime.ts, inlined into the module.

export const formatKeywords: Keyword[] = [
  {
    keyword: "format",
    dialects: ["draft-07", "2020-12"],
    phase: ["number", "string"],
    order: 9,
    // An unknown format is not asserted, as Ajv with strict: false (the model warns about it).
    // In 2020-12 a format is an annotation unless a vocabulary says otherwise: Ajv asserts the
    // ones it has anyway, and those are asserted; ours beyond them (iri, idn-email, …) are not.
    prepare(value, at, c) {
      if (typeof value !== "string") return c.refuse("a format that is not a string", at);
      if (!Object.prototype.hasOwnProperty.call(formatDefinitions, value)) return omitted;
      return c.dialect === "2020-12" && !ajvFormatNames.has(value) ? omitted : value;
    },
    compile(schema, c, group) {
      const check = c.format(schema["format"], group === "number" ? "number" : "string");
      return check === undefined ? undefined : { conditions: [check] };
    },
    explain: "explain-format.js",
  },
];

/** Every format name the schemas use. */
export function formatsUsed(definitions: Record<string, Schema>): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isPlainObject(node)) {
      // (keys, not entries: no pair made for each of the many keys)
      for (const key of Object.keys(node)) {
        const value = node[key];
        if (key === "format" && typeof value === "string") found.add(value);
        else if (key === "const" || key === "enum") continue;
        else visit(value);
      }
    }
  };
  Object.values(definitions).forEach(visit);
  return found;
}
