// After tsc: the JSON Schemas of our own inputs (meta/*.schema.json) compiled by Ajv ahead
// of time into dist/meta/<name>.cjs, so that a run does not load and run Ajv's compiler to
// check a config and its manifests (most of a run that has nothing to do). src/meta.ts uses
// these when it runs from dist/, and compiles at run time when it runs from the sources.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const Ajv = require("ajv").default;
const addFormats = require("ajv-formats").default;
const standaloneCode = require("ajv/dist/standalone").default;
const root = fileURLToPath(new URL("..", import.meta.url));

mkdirSync(`${root}dist/meta`, { recursive: true });
for (const name of ["provider", "config"]) {
  // the options src/meta.ts compiles with, plus code generation
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false, code: { source: true } }));
  const validate = ajv.compile(JSON.parse(readFileSync(`${root}meta/${name}.schema.json`, "utf8")));
  writeFileSync(`${root}dist/meta/${name}.cjs`, standaloneCode(ajv, validate));
}
