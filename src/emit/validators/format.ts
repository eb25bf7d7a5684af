import { isPlainObject } from "../../json.js";
import { formatDefinitions } from "../../runtime.js";
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
    // an unknown format is not asserted, as Ajv with strict: false (the model warns about it)
    prepare: (value, at, c) => (typeof value !== "string" ? c.refuse("a format that is not a string", at) : Object.prototype.hasOwnProperty.call(formatDefinitions, value) ? value : omitted),
    compile(schema, c, group) {
      const check = c.format(schema["format"], group === "number" ? "number" : "string");
      return check === undefined ? undefined : { conditions: [check] };
    },
    explain: "$keywords",
  },
];

/** Every format name the schemas use. */
export function formatsUsed(definitions: Record<string, Schema>): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isPlainObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === "format" && typeof value === "string") found.add(value);
        else if (key === "const" || key === "enum") continue;
        else visit(value);
      }
    }
  };
  Object.values(definitions).forEach(visit);
  return found;
}
