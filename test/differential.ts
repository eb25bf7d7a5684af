import { writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { validatorModule } from "../src/emit/validators/index.js";
import type { VersionModel } from "../src/model/build.js";
import { formatDefinitions } from "../src/runtime.js";
import { tempDir } from "./helpers.js";
import { mutator, schemaConstants, type Json } from "./mutate.js";

/**
 * The differential comparison behind test/differential*.test.ts: the generated validators
 * against Ajv compiled at run time from the very document the generator compiles (the
 * model's definitions), with the generator's formats and Ajv options (strict off, inlineRefs
 * off, ownProperties on) and allErrors on. On seeded mutations of real payloads, both must give the same
 * verdict and, on a failure, the same errors (instancePath, schemaPath, keyword, params,
 * message) in the same order, which is more than the first error's path.
 */
export const perEvent = 2000;

interface Validator {
  (data: unknown): boolean;
  errors?: unknown[] | null;
}
interface Module {
  validatorFor(name: string): Validator | undefined;
  validateEvent(payload: unknown, name?: string): { ok: boolean };
}

async function load(model: VersionModel): Promise<Module> {
  const file = path.join(await tempDir("codegen-differential-"), `${model.provider.name}-${model.version}.js`);
  await writeFile(file, validatorModule(model));
  return (await import(pathToFileURL(file).href)) as Module;
}

function reference(model: VersionModel): (typeName: string) => ValidateFunction {
  const options = { strict: false, allErrors: true, inlineRefs: false, ownProperties: true, formats: formatDefinitions } as const;
  const ajv = model.dialect === "2020-12" ? new Ajv2020(options) : new Ajv(options);
  ajv.addSchema({ definitions: model.definitions }, "document");
  return (typeName) => ajv.getSchema(`document#/definitions/${typeName}`)!;
}

function eventName(model: VersionModel, payload: Json): unknown {
  const { event } = model.provider.manifest;
  if (event.in !== "body") return undefined;
  let node: unknown = payload;
  for (const key of event.pointer.split("/").slice(1)) node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/**
 * A copy of a payload naming `name` at the manifest's event pointer and declaring the
 * model's version (the docs examples carry a version no published document declares, and a
 * revision from before versioning declares none).
 */
function withEventName(model: VersionModel, payload: Json, name: string): Json {
  const copy = structuredClone(payload) as Record<string, Json>;
  const { event, version } = model.provider.manifest;
  const setAt = (pointer: string, value: string | undefined) => {
    const keys = pointer.split("/").slice(1);
    let node = copy as Record<string, Json>;
    for (const key of keys.slice(0, -1)) {
      if (node[key] === null || typeof node[key] !== "object") return;
      node = node[key] as Record<string, Json>;
    }
    if (value === undefined) delete node[keys.at(-1)!];
    else node[keys.at(-1)!] = value;
  };
  if (event.in === "body") setAt(event.pointer, name);
  if (version?.in === "body") setAt(version.pointer, model.pinnedVersion);
  return copy;
}

export interface Comparison {
  /** Per event: "<name>: <valid> valid, <invalid> invalid". */
  report: string[];
  /** Up to five, each with the payload and both lists of errors. */
  disagreements: string[];
}

/**
 * `perEvent` payloads per event: the event's own samples (and `extra` payloads naming it),
 * then mutations of them; an event with none is seeded with every payload of the version.
 */
export async function compareWithAjv(
  model: VersionModel,
  extra: Json[] = [],
  { requireMix = true, exclude = (_payload: unknown): boolean => false } = {},
): Promise<Comparison> {
  const module = await load(model);
  const ajv = reference(model);
  const constants = schemaConstants(model.definitions);
  const pool = [...model.samples.map((s) => s.json as Json), ...extra];
  const report: string[] = [];
  const disagreements: string[] = [];
  model.events.forEach((event, index) => {
    const name = event.names[0]!;
    const theirs = ajv(event.typeName);
    const ours = module.validatorFor(name)!;
    const own = [...model.samples.filter((s) => s.event === event.name).map((s) => s.json as Json), ...extra.filter((p) => eventName(model, p) === name)];
    const seeds = (own.length > 0 ? own : pool).map((p) => withEventName(model, p, name));
    const mutate = mutator(1000 + index, constants, pool);
    let valid = 0;
    let validSeeds = 0;
    let ajvThrew = 0;
    let excluded = 0;
    for (let i = 0; i < perEvent; i++) {
      const payload = i < seeds.length ? seeds[i] : mutate(seeds[i % seeds.length]!);
      if (exclude(payload)) {
        excluded++;
        continue;
      }
      let want: boolean;
      try {
        want = theirs(payload);
      } catch {
        // Ajv's deep equality (fast-deep-equal) throws on an object with an own "toString"
        // or "valueOf" that is not a function, compared with an object const or enum: no
        // reference verdict to compare with
        ajvThrew++;
        continue;
      }
      const got = ours(payload);
      if (want) valid++;
      if (want && i < seeds.length) validSeeds++;
      const same = got === want && (want || JSON.stringify(ours.errors) === JSON.stringify(theirs.errors));
      if (!same && disagreements.length < 5) {
        disagreements.push(
          `${name} #${i}: Ajv ${want}, ours ${got}\n  payload ${JSON.stringify(payload).slice(0, 400)}\n` +
            `  Ajv  ${JSON.stringify(theirs.errors)?.slice(0, 600)}\n  ours ${JSON.stringify(ours.errors)?.slice(0, 600)}`,
        );
      }
      // the dispatcher gives the same verdict (checked on a tenth: it calls the same validator)
      if (i % 10 === 0 && module.validateEvent(payload, name).ok !== want && disagreements.length < 5) {
        disagreements.push(`${name} #${i}: validateEvent disagrees`);
      }
    }
    report.push(
      `${name}: ${valid} valid, ${perEvent - valid - ajvThrew - excluded} invalid${ajvThrew ? `, ${ajvThrew} on which Ajv threw` : ""}${excluded ? `, ${excluded} left out` : ""}`,
    );
    if (ajvThrew > perEvent / 100) disagreements.push(`${name}: Ajv threw on ${ajvThrew} payloads`);
    // mostly failures, and passes beyond the seeds when a seed passes (an event seeded with
    // other events' payloads never passes)
    if (requireMix && (valid > perEvent / 2 || (validSeeds > 0 && valid <= validSeeds))) {
      disagreements.push(`${name}: a poor mix of payloads (${valid} of ${perEvent} valid, ${validSeeds} of them seeds)`);
    }
  });
  if (process.env["DIFFERENTIAL_REPORT"]) console.log(`${model.provider.name} ${model.version}:\n  ${report.join("\n  ")}`);
  return { report, disagreements };
}
