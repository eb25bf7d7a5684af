import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CodegenConfig } from "./config.js";
import { emitValidators } from "./emit/validators/index.js";
import { originOf, verifyOutput } from "./emit/verify.js";
import { isPlainObject } from "./json.js";
import { loadCatalogue } from "./load/catalogue.js";
import { pointerSegments, type Location } from "./load/manifest.js";
import { buildModels, type VersionModel } from "./model/build.js";
import { compare } from "./order.js";
import { displayPath } from "./paths.js";

/**
 * `codegen validate`: checks payload files against the catalogue with the very code
 * `codegen` generates (built in memory, imported from a data: URL), after finding each
 * payload's provider, event and version from the payload itself unless flags say them.
 */
export interface PayloadReport {
  file: string;
  ok: boolean;
  /** Why it failed: the generated validator's kind, or "unreadable" for a file that is not JSON. */
  kind?: "unknown_event" | "invalid_payload" | "version_mismatch" | "unreadable";
  provider?: string;
  version?: string;
  event?: string;
  /** The version the payload declares, when it differs from the schemas'. */
  payloadVersion?: string;
  /** The provider versions payloads but this one declares none: it was checked against the latest version. */
  versionMissing?: boolean;
  errors: { path: string; message: string }[];
}

interface GeneratedValidators {
  validateEvent(payload: unknown, name?: string): {
    ok: boolean;
    kind?: PayloadReport["kind"];
    name?: string;
    version?: string;
    errors?: { path: string; message: string }[];
  };
}

export async function validatePayloads(
  config: CodegenConfig,
  files: string[],
  choose: { version?: string; event?: string } = {},
): Promise<PayloadReport[]> {
  const cwd = config.cwd ?? process.cwd();
  const catalogue = await loadCatalogue(config.schemas, { cwd, ...(config.providers ? { providers: config.providers } : {}) });
  const models = buildModels(catalogue.providers).filter((m) => choose.version === undefined || m.version === choose.version);
  const modules = new Map<VersionModel, Promise<GeneratedValidators>>();
  const load = (model: VersionModel) => {
    if (!modules.has(model)) modules.set(model, importValidators(model));
    return modules.get(model)!;
  };

  const reports: PayloadReport[] = [];
  for (const file of files) {
    const shown = displayPath(path.resolve(cwd, file), cwd);
    let payload: unknown;
    try {
      payload = JSON.parse(await readFile(path.resolve(cwd, file), "utf8"));
    } catch (error) {
      reports.push({ file: shown, ok: false, kind: "unreadable", errors: [{ path: "", message: (error as Error).message }] });
      continue;
    }
    // a header-named provider's event: --event, or the headers in <payload>.headers.json
    const headersFile = `${path.resolve(cwd, file)}.headers.json`;
    let headers: Record<string, unknown> | undefined;
    if (existsSync(headersFile)) {
      try {
        const read: unknown = JSON.parse(await readFile(headersFile, "utf8"));
        if (!isPlainObject(read)) throw new Error("not a JSON object of header names and values");
        headers = read;
      } catch (error) {
        reports.push({ file: shown, ok: false, kind: "unreadable", errors: [{ path: "", message: `${displayPath(headersFile, cwd)}: ${(error as Error).message}` }] });
        continue;
      }
    }
    const given = { ...(choose.event !== undefined ? { event: choose.event } : {}), ...(headers ? { headers } : {}) };
    const model = pickModel(models, payload, given);
    const event = model?.provider.manifest.event;
    if (model && event?.in === "header" && eventNameFor(model, payload, given) === undefined) {
      reports.push({
        file: shown,
        ok: false,
        kind: "unknown_event",
        provider: model.provider.name,
        version: model.version,
        errors: [
          {
            path: "",
            message: `${model.provider.name} names its events in the ${event.name} header: pass --event NAME or put the headers in ${shown}.headers.json${headers ? ` (${displayPath(headersFile, cwd)} has no ${event.name})` : ""}`,
          },
        ],
      });
      continue;
    }
    if (!model) {
      const names = [...new Set(models.map((m) => eventNameFor(m, payload, given)).filter((n) => n !== undefined))];
      reports.push({
        file: shown,
        ok: false,
        kind: "unknown_event",
        errors: [
          {
            path: "",
            message: names.length
              ? `no provider in the catalogue has an event named ${names.map((n) => JSON.stringify(n)).join(" or ")}`
              : "no provider's event name was found in the payload; pass --provider to say whose it is",
          },
        ],
      });
      continue;
    }
    const result = (await load(model)).validateEvent(payload, eventNameFor(model, payload, given));
    const versionMissing =
      model.provider.manifest.version !== undefined && stringAt(payload, model.provider.manifest.version) === undefined;
    reports.push({
      file: shown,
      ok: result.ok,
      provider: model.provider.name,
      version: model.version,
      ...(result.name ? { event: result.name } : {}),
      ...(result.ok || result.kind === undefined ? {} : { kind: result.kind }),
      ...(result.kind === "version_mismatch" && result.version ? { payloadVersion: result.version } : {}),
      ...(versionMissing ? { versionMissing } : {}),
      errors: (result.errors ?? []).map((e) => ({ path: e.path, message: e.message })),
    });
  }
  return reports;
}

/**
 * The model a payload belongs to: a provider that knows its event name, at the version
 * the payload declares (or, failing that, the latest version that knows the event, which
 * then reports a version mismatch).
 */
function pickModel(models: VersionModel[], payload: unknown, given: Given): VersionModel | undefined {
  const knowing = models.filter((m) => {
    const name = eventNameFor(m, payload, given);
    return name !== undefined && m.events.some((e) => e.names.includes(name));
  });
  if (knowing.length === 0) {
    // an unknown event of the only provider in question is still that provider's to report
    const providers = new Set(models.map((m) => m.provider.name));
    return providers.size === 1 ? latest(models) : undefined;
  }
  const provider = knowing[0]!.provider.name;
  const ofProvider = knowing.filter((m) => m.provider.name === provider);
  const manifest = ofProvider[0]!.provider.manifest;
  const declared = manifest.version ? stringAt(payload, manifest.version) : undefined;
  return ofProvider.find((m) => declared !== undefined && (m.pinnedVersion ?? m.version) === declared) ?? latest(ofProvider);
}

/** What names the event of a header-named provider: --event, or the payload's headers file. */
interface Given {
  event?: string;
  headers?: Record<string, unknown>;
}

/**
 * The event a payload is of, as the receiver names it: from the body, or from the header
 * (refined by the body, to <header>.<value>, when the version knows that event or knows
 * neither), the header's value given by --event or by the headers file.
 */
function eventNameFor(model: VersionModel, payload: unknown, given: Given): string | undefined {
  const event = model.provider.manifest.event;
  if (event.in === "body") return stringAt(payload, event);
  let named = given.event;
  if (named === undefined && given.headers) {
    const wanted = event.name.toLowerCase();
    const found = Object.entries(given.headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
    named = typeof found === "string" && found.trim() !== "" ? found.trim() : undefined;
  }
  if (named === undefined || event.refine === undefined) return named;
  const refinement = stringAt(payload, { in: "body", pointer: event.refine });
  if (refinement === undefined) return named;
  const refined = `${named}.${refinement}`;
  const knows = (name: string) => model.events.some((e) => e.names.includes(name));
  return knows(refined) || !knows(named) ? refined : named;
}

function latest(models: VersionModel[]): VersionModel | undefined {
  return [...models].sort((a, b) => compare(b.version, a.version))[0];
}

function stringAt(payload: unknown, location: Location): string | undefined {
  if (location.in !== "body") return undefined;
  let node = payload;
  for (const key of pointerSegments(location.pointer)) {
    if (!isPlainObject(node) || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = node[key];
  }
  return typeof node === "string" ? node : undefined;
}

async function importValidators(model: VersionModel): Promise<GeneratedValidators> {
  const [module] = emitValidators(model, "");
  await verifyOutput([module!], [originOf(model)]); // a module that does not load is an internal error, not a crash
  const url = `data:text/javascript;base64,${Buffer.from(module!.content).toString("base64")}`;
  return (await import(url)) as GeneratedValidators;
}
