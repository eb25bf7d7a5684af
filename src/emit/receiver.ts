import { createHash } from "node:crypto";
import { pointerSegments, type Location } from "../load/manifest.js";
import { describeSigning } from "../load/signing.js";
import type { VersionModel } from "../model/build.js";
import { NameRegistry } from "../model/names.js";
import { banner, type FileOutput } from "../output.js";
import { readPackageFile, toolVersion } from "../paths.js";
import type { ImportExtension } from "../project.js";
import { jsModule, tsModule } from "./specifiers.js";

/**
 * The receiver: runtime.ts (the same for every provider, from templates/receiver/) and,
 * per provider, index.ts: the runtime configured from the manifest, over the validators
 * of every version of the provider, with types that follow the event name.
 */
export const runtimeTemplate = "templates/receiver/runtime.ts";

export function emitRuntime(): FileOutput {
  const source = readPackageFile(runtimeTemplate);
  const hash = `sha256:${createHash("sha256").update(source).digest("hex").slice(0, 16)}`;
  // the template is kept as prettier prints it (test/format.test.ts), so it skips the format stage
  return { path: "runtime.ts", content: `${banner({ version: toolVersion, source: runtimeTemplate, hash })}\n${source}`, formatted: true };
}

/** `models`: every version of one provider, in ascending order. */
export function emitProviderIndex(
  models: VersionModel[],
  header: string,
  choice: { unknownVersion?: "reject" | "latest" } = {},
  extension: ImportExtension = ".js",
): FileOutput {
  const runtime = JSON.stringify(tsModule("../runtime", extension));
  const { name, title, manifest } = models[0]!.provider;
  const aliases = new NameRegistry(["config"]);
  const versions = models.map((m) => ({
    model: m,
    key: m.pinnedVersion ?? m.version,
    module: aliases.claim(`v${m.version.replace(/[^A-Za-z0-9]/g, "_")}`),
    map: aliases.claim(`M${m.version.replace(/[^A-Za-z0-9]/g, "_")}`),
  }));
  const literal = (value: unknown) => JSON.stringify(value);
  const path = (location: Location | undefined) =>
    location?.in === "body" ? literal(pointerSegments(location.pointer)) : undefined;
  const signing = describeSigning(manifest.signing);
  const signingConfig = literal(signing);
  const keys = versions.map((v) => `keyof ${v.map}`).join(" | ");
  const event = manifest.event;
  const byHeader = event.in === "header" ? event : undefined;
  // a refined provider's handlers may also be registered by the header's name alone
  const groups = new Map<string, string[]>();
  if (byHeader?.refine !== undefined) {
    const names = [...new Set(models.flatMap((m) => m.events.flatMap((e) => e.names)))].sort();
    for (const name of names) {
      const group = name.split(".")[0]!;
      groups.set(group, [...(groups.get(group) ?? []), name]);
    }
    for (const [group, members] of groups) if (!members.some((m) => m !== group)) groups.delete(group);
  }
  const groupsType = groups.size > 0 ? `, ${title}EventGroups` : "";
  const headersType = "Headers | Record<string, string | readonly string[] | undefined>";
  const headerValues = byHeader
    ? [...new Set(models.flatMap((m) => m.events.flatMap((e) => e.names)).map((n) => (byHeader.refine !== undefined ? n.split(".")[0]! : n)))].sort()
    : [];
  const signOptions = byHeader ? `SignWebhookOptions & { event: ${title}EventHeaderValue }` : "SignWebhookOptions";
  const signingSummary = `HMAC-${signing.algorithm.toUpperCase()} of ${signing.signed}, ${signing.encoding}, in the ${signing.header.join(" or ")} header`;
  const timestampNote =
    signing.timestamp?.in === "body"
      ? `, with the delivery time (\`timestamp\`,\n * default now) at /${signing.timestamp.path.join("/")}, so that the receiver finds it fresh`
      : "";
  const content = `${header}
import {
  createHandler,
  createParser,
  createTestRequest,
  signDelivery,
  verifyDelivery,
  type HandlerContext,
  type Handlers,
  type InvalidPayloadPolicy,
  type ParseResult,
  type ProviderConfig,
  type SignedWebhook,
  type SignWebhookOptions,
  type VerifyResult,
  type WebhookHandlerOptions,
} from ${runtime};
${versions
  .map(
    (v) => `import * as ${v.module} from ${literal(jsModule(`./${v.model.version}/validators`, extension))};
import type { ${title}EventMap as ${v.map} } from ${literal(tsModule(`./${v.model.version}/types`, extension))};`,
  )
  .join("\n")}

export {
  createMemoryStore,
  createRedisStore,
  toNodeListener,
  type DeliveryStore,
  type HandlerContext,
  type InvalidPayloadPolicy,
  type MayNotMatch,
  type ParseError,
  type PayloadError,
  type RedisClientLike,
  type Rejection,
  type SignedWebhook,
  type SignWebhookOptions,
  type VerifyResult,
} from ${runtime};

/** Each ${title} event by name, typed as its payload in every version that has it (${comment(versions.map((v) => v.key).join(", "))}). */
export type ${title}EventMap = {
  [N in ${keys}]: ${versions.map((v) => `(N extends keyof ${v.map} ? ${v.map}[N] : never)`).join(" | ")};
};

export type ${title}EventName = keyof ${title}EventMap;

export type ${title}Event = ${title}EventMap[${title}EventName];
${
  byHeader
    ? `
/** What the ${byHeader.name} header may say${byHeader.refine !== undefined ? ` (refined by ${byHeader.refine} into the event names)` : ""}. */
export type ${title}EventHeaderValue = ${headerValues.map(literal).join(" | ") || "never"};
`
    : ""
}
${
  groups.size > 0
    ? `/**
 * The events of each ${byHeader!.name} value that ${byHeader!.refine} refines: a handler registered
 * by the header's name alone receives any of them (unless the exact event has its own).
 */
export type ${title}EventGroups = {
${[...groups].map(([group, members]) => `  ${literal(group)}: ${members.map(literal).join(" | ")};`).join("\n")}
};

/** Handlers by event name, or by ${byHeader!.name}'s value for all its events; each receives its events' exact types. */
export type ${title}Handlers = Handlers<${title}EventMap, "reject", ${title}EventGroups>;
`
    : `/** Handlers by event name; each receives its event's exact type. */
export type ${title}Handlers = Handlers<${title}EventMap>;
`
}
const config: ProviderConfig = {
  provider: ${literal(name)},
  event: ${event.in === "body" ? literal(pointerSegments(event.pointer)) : "[]"},
${byHeader ? `  eventHeader: ${literal(byHeader.name)},\n` : ""}${
    byHeader?.refine !== undefined ? `  eventRefine: ${literal(pointerSegments(byHeader.refine))},\n` : ""
  }${manifest.version?.in === "body" ? `  version: ${path(manifest.version)},\n` : ""}  versions: [${versions.map((v) => `[${literal(v.key)}, ${v.module}]`).join(", ")}],
${manifest.version?.in === "body" ? `  unknownVersion: ${literal(choice.unknownVersion ?? "reject")},
` : ""}  signing: ${signingConfig},
${manifest.deliveryId?.in === "body" ? `  deliveryId: ${path(manifest.deliveryId)},\n` : ""}${
    manifest.deliveryId?.in === "header" ? `  deliveryIdHeader: ${literal(manifest.deliveryId.name)},\n` : ""
  }};

${
  byHeader
    ? `/**
 * Parses and validates a ${title} webhook body against the schemas of the version it
 * declares (the latest when it declares none), as the event its ${byHeader.name} header names${
   byHeader.refine !== undefined ? `\n * (refined by ${byHeader.refine})` : ""
 }: the delivery's headers are needed. It does not check the signature: that is
 * verify${title}Webhook, or the handler, which does both.
 */
export const parse${title}Webhook: (
  body: string | Uint8Array,
  headers: ${headersType},
) => ParseResult<${title}EventMap> = createParser<${title}EventMap>(config);`
    : `/**
 * Parses and validates a ${title} webhook body against the schemas of the version it
 * declares (the latest when it declares none). It does not check the signature: that is
 * verify${title}Webhook, or the handler, which does both.
 */
export const parse${title}Webhook: (body: string | Uint8Array) => ParseResult<${title}EventMap> =
  createParser<${title}EventMap>(config);`
}

/** Checks a delivery's signature (over the raw body) and freshness. */
export function verify${title}Webhook(
  delivery: { headers: ${headersType}; body: string | Uint8Array },
  secret: string | readonly string[],
  options: { toleranceSeconds?: number; now?: () => number } = {},
): Promise<VerifyResult> {
  return verifyDelivery(config, delivery, secret, options);
}

/**
 * A Fetch-style handler, \`(request: Request) => Promise<Response>\`: 200 when the event's
 * handler succeeds, 401 for a missing, wrong or stale signature, 400 for a body that is not
 * JSON or does not match its schema (with the errors), 200 (or \`unhandledStatus\`) for a valid
 * event with no handler, 500 when a handler throws; with \`deduplicate\`, 200 without running a
 * handler for a delivery id already seen. With \`onInvalidPayload: "accept"\`, a payload that
 * fails its event's schema still reaches the handler, with the errors in
 * \`context.validation\`. Mount it in node:http or Express with \`toNodeListener\`, before
 * any body parser.
 */
export function create${title}WebhookHandler<P extends InvalidPayloadPolicy = "reject">(
  options: WebhookHandlerOptions<${title}EventMap, P${groupsType}>,
): (request: Request) => Promise<Response> {
  return createHandler(config, options);
}

export type ${title}HandlerContext<N extends ${title}EventName = ${title}EventName> = HandlerContext<N>;

/**
 * Signs a ${title} delivery as ${title} does, for tests: the headers and the exact body the
 * signature covers (${signingSummary}).
 * A string is signed byte for byte; an event is sent as its JSON${timestampNote}.
 */
export function sign${title}Webhook(
  payload: ${title}Event | string,
  options: ${signOptions},
): Promise<SignedWebhook> {
  return signDelivery(config, payload, options);
}

/** A signed POST \`Request\` carrying the payload, to call a ${title} handler with in tests. */
export function create${title}TestRequest(
  payload: ${title}Event | string,
  options: ${signOptions} & { url?: string },
): Promise<Request> {
  return createTestRequest(config, payload, options);
}
`;
  return { path: `${name}/index.ts`, content };
}

/** Text from a schema inside a block comment: it cannot end the comment or break the line. */
function comment(text: string): string {
  return text.replace(/\*\//g, "*\\/").replace(/\s+/g, " ").trim();
}
