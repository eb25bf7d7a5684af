// For the matrix, not the recipe: Deno types validators.js from its .d.ts (the
// `@ts-self-types` line codegen writes with importExtension ".ts"); from the JavaScript
// alone, this type would not exist.
import type { ValidateEventResult } from "./generated/plain/2026-02-27/validators.js";

export type Checked = ValidateEventResult;
