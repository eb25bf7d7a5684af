// The receiver runtime shared by every provider: signature verification (Web Crypto, so
// it runs in Node, Deno, Bun, Workers and edge routes), safe JSON parsing, dispatch to the
// validators of the payload's version, the Fetch-style handler and a node:http adapter.
// It imports nothing; each provider's index.ts configures it from its manifest.

/** One validation error: where in the payload, and what is wrong, in words. */
export interface PayloadError {
  path: string;
  message: string;
  keyword?: string;
}

export type ParseError =
  | { kind: "invalid_json"; errors: PayloadError[] }
  | { kind: "unknown_event"; event: string | undefined; errors: PayloadError[] }
  | { kind: "invalid_payload"; event: string; errors: PayloadError[] }
  | {
      kind: "version_mismatch";
      event: string;
      version: string;
      expected: string[];
      errors: PayloadError[];
    };

/** `event` is typed by the event's name: check `name` to narrow it. */
export type ParseResult<M> =
  | { [N in keyof M & string]: { ok: true; name: N; event: M[N]; version: string } }[keyof M &
      string]
  | { ok: false; error: ParseError };

export type VerifyFailure =
  "missing_signature" | "invalid_signature" | "stale_timestamp" | "future_timestamp";

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure; message: string };

export type SigningConfig =
  | {
      scheme: "hmac-sha256";
      header: string;
      encoding: "hex" | "base64";
      /** Property path of the delivery time inside the (signed) body, for the freshness check. */
      timestamp?: readonly string[];
      toleranceSeconds: number;
    }
  | { scheme: "standard-webhooks"; headerPrefixes: readonly string[]; toleranceSeconds: number };

/** What a version's generated validators.js exports, as the receiver uses it. */
export interface VersionValidators {
  schemaVersion: string | null;
  validateEvent(
    payload: unknown,
    name?: string,
  ):
    | { ok: true; name: string }
    | {
        ok: false;
        kind: "unknown_event" | "invalid_payload" | "version_mismatch";
        name?: string | undefined;
        errors: PayloadError[];
      };
}

export interface ProviderConfig {
  provider: string;
  /** The event name's property path in the body. */
  event: readonly string[];
  /** The version's property path in the body, for providers that version payloads. */
  version?: readonly string[];
  /** Validators by version, in ascending order; the last is the latest. */
  versions: readonly (readonly [string, VersionValidators])[];
  /**
   * A payload declaring a version not in `versions`: "reject" it (a version_mismatch that
   * lists the accepted versions) or validate it against the "latest", accepting it when
   * only its version differs.
   */
  unknownVersion?: "reject" | "latest";
  signing: SigningConfig;
}

export interface HandlerContext<N extends string = string> {
  name: N;
  /** The schema version the payload was validated against. */
  version: string;
  request: Request;
}

export type Handlers<M> = {
  [N in keyof M & string]?: (event: M[N], context: HandlerContext<N>) => unknown;
};

export interface WebhookHandlerOptions<M> {
  /** The signing secret; several during a rotation: any may match. */
  secret: string | readonly string[];
  on: Handlers<M>;
  /** Runs for a valid event that has no handler in `on`. */
  onUnhandled?: (event: M[keyof M], context: HandlerContext) => unknown;
  /** Status for a valid event with no handler (default 200). */
  unhandledStatus?: number;
  /** Told when a handler throws; the response is a 500 that does not reveal the error. */
  onError?: (error: unknown, context: HandlerContext) => void;
  /** How far the delivery time may be from now, either way (default: the provider's, 300 s). */
  toleranceSeconds?: number;
  /** Largest body accepted, in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** The clock, in milliseconds (tests set it). */
  now?: () => number;
}

export class WebhookError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "WebhookError";
    this.status = status;
  }
}

const encoder = new TextEncoder();
const defaultMaxBodyBytes = 1024 * 1024;

function own(node: unknown, key: string): unknown {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
  return Object.prototype.hasOwnProperty.call(node, key)
    ? (node as Record<string, unknown>)[key]
    : undefined;
}

function stringAt(payload: unknown, path: readonly string[]): string | undefined {
  let node = payload;
  for (const key of path) node = own(node, key);
  return typeof node === "string" ? node : undefined;
}

// --- JSON ------------------------------------------------------------------------------

/**
 * JSON.parse, except that "__proto__" keys, and "prototype" under "constructor", are
 * dropped, so that merging the result into another object cannot reach a prototype.
 */
export function parseJson(text: string): unknown {
  if (!text.includes("__proto__") && !text.includes("constructor")) return JSON.parse(text);
  return JSON.parse(text, function (this: Record<string, unknown>, key, value: unknown) {
    if (key === "__proto__") return undefined;
    if (
      key === "constructor" &&
      typeof value === "object" &&
      value !== null &&
      "prototype" in value
    ) {
      const { prototype: _, ...rest } = value as Record<string, unknown>;
      return rest;
    }
    return value;
  });
}

// --- signatures --------------------------------------------------------------------------

function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function fromBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  try {
    const binary = atob(clean.padEnd(Math.ceil(clean.length / 4) * 4, "="));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** A plain ArrayBuffer copy: what Web Crypto and Request accept under every TypeScript version's typings. */
function bufferOf(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return copy;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** HMAC-SHA256 keys, imported once per secret. */
class Keys {
  private readonly keys: Promise<CryptoKey[]>;

  constructor(secrets: readonly Uint8Array[]) {
    this.keys = Promise.all(
      secrets.map((secret) =>
        globalThis.crypto.subtle.importKey(
          "raw",
          bufferOf(secret),
          { name: "HMAC", hash: "SHA-256" },
          false,
          ["verify"],
        ),
      ),
    );
  }

  /** Whether any signature matches under any key; the platform compares in constant time. */
  async anyMatches(signatures: readonly Uint8Array[], message: Uint8Array): Promise<boolean> {
    const data = bufferOf(message);
    for (const key of await this.keys) {
      for (const signature of signatures) {
        if (await globalThis.crypto.subtle.verify("HMAC", key, bufferOf(signature), data))
          return true;
      }
    }
    return false;
  }
}

function secretBytes(signing: SigningConfig, secret: string): Uint8Array {
  if (signing.scheme === "hmac-sha256") {
    if (secret === "") throw new WebhookError(500, "the webhook secret is empty");
    return encoder.encode(secret);
  }
  const bytes = fromBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
  if (bytes === undefined || bytes.length === 0) {
    throw new WebhookError(
      500,
      "the webhook secret must be a non-empty base64 string, optionally prefixed whsec_",
    );
  }
  return bytes;
}

type HeaderSource = Headers | Record<string, string | readonly string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function")
    return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue;
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.join(", ");
  }
  return undefined;
}

const failure = (reason: VerifyFailure, message: string): VerifyResult => ({
  ok: false,
  reason,
  message,
});

function checkFreshness(at: number, now: number, tolerance: number): VerifyResult {
  if (!Number.isFinite(at))
    return failure("stale_timestamp", "the delivery time is missing or not a time");
  if (now - at > tolerance * 1000)
    return failure("stale_timestamp", `the delivery is more than ${tolerance} s old`);
  if (at - now > tolerance * 1000)
    return failure("future_timestamp", `the delivery time is more than ${tolerance} s ahead`);
  return { ok: true };
}

/**
 * Verifies a delivery's signature over the raw body bytes, then its freshness. For a
 * scheme whose delivery time is inside the body (Plain), `payload` is the parsed body;
 * it is read only after the signature over the raw bytes has matched.
 */
export function createVerifier(
  signing: SigningConfig,
  secrets: string | readonly string[],
  toleranceSeconds?: number,
) {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  if (list.length === 0) throw new WebhookError(500, "no webhook secret configured");
  const keys = new Keys(list.map((s) => secretBytes(signing, s)));
  const tolerance = toleranceSeconds ?? signing.toleranceSeconds;

  async function signature(
    headers: HeaderSource,
    body: Uint8Array,
    now: number,
  ): Promise<VerifyResult> {
    if (signing.scheme === "hmac-sha256") {
      const provided = header(headers, signing.header)?.trim();
      if (!provided) return failure("missing_signature", `the ${signing.header} header is missing`);
      const bytes = signing.encoding === "hex" ? fromHex(provided) : fromBase64(provided);
      if (bytes === undefined || !(await keys.anyMatches([bytes], body))) {
        return failure("invalid_signature", "the signature does not match the body");
      }
      return { ok: true };
    }
    const prefix = signing.headerPrefixes.find(
      (p) => header(headers, `${p}-signature`) !== undefined,
    );
    const id = prefix && header(headers, `${prefix}-id`);
    const stamp = prefix && header(headers, `${prefix}-timestamp`);
    const signed = prefix && header(headers, `${prefix}-signature`);
    if (!prefix || !id || !stamp || !signed) {
      const names = signing.headerPrefixes
        .map((p) => `${p}-id/${p}-timestamp/${p}-signature`)
        .join(" or ");
      return failure("missing_signature", `the ${names} headers are missing`);
    }
    if (!/^\d+$/.test(stamp.trim()))
      return failure("stale_timestamp", "the timestamp header is not a number of seconds");
    const fresh = checkFreshness(Number(stamp.trim()) * 1000, now, tolerance);
    if (!fresh.ok) return fresh;
    const signatures = signed
      .split(" ")
      .map((entry) => entry.split(","))
      .filter(([version, value]) => version === "v1" && value)
      .map(([, value]) => fromBase64(value!))
      .filter((bytes): bytes is Uint8Array => bytes !== undefined);
    const message = concat(encoder.encode(`${id}.${stamp}.`), body);
    if (signatures.length === 0 || !(await keys.anyMatches(signatures, message))) {
      return failure("invalid_signature", "no signature matches the body");
    }
    return { ok: true };
  }

  function freshness(payload: unknown, now: number): VerifyResult {
    if (signing.scheme !== "hmac-sha256" || signing.timestamp === undefined) return { ok: true };
    const at = stringAt(payload, signing.timestamp);
    return checkFreshness(at === undefined ? NaN : Date.parse(at), now, tolerance);
  }

  return { signature, freshness };
}

// --- parsing ----------------------------------------------------------------------------

const decoder = new TextDecoder("utf-8", { fatal: true });

export function createParser<M>(config: ProviderConfig) {
  const byVersion = new Map(config.versions);
  const [latestVersion, latest] = config.versions[config.versions.length - 1]!;

  return function parse(raw: string | Uint8Array | unknown): ParseResult<M> {
    let payload: unknown = raw;
    if (typeof raw === "string" || raw instanceof Uint8Array) {
      try {
        payload = parseJson(typeof raw === "string" ? raw : decoder.decode(raw));
      } catch (error) {
        return {
          ok: false,
          error: {
            kind: "invalid_json",
            errors: [{ path: "", message: `not valid JSON: ${(error as Error).message}` }],
          },
        };
      }
    }
    const declared = config.version ? stringAt(payload, config.version) : undefined;
    const unknown = declared !== undefined && !byVersion.has(declared);
    if (unknown && config.unknownVersion !== "latest") {
      const accepted = [...byVersion.keys()];
      return {
        ok: false,
        error: {
          kind: "version_mismatch",
          event: stringAt(payload, config.event) ?? "",
          version: declared,
          expected: accepted,
          errors: [
            {
              path: "/" + config.version!.join("/"),
              message: `version ${JSON.stringify(declared)} is not accepted here; accepted: ${accepted.join(", ")}`,
              keyword: "version",
            },
          ],
        },
      };
    }
    const [version, validators] =
      declared !== undefined && !unknown
        ? [declared, byVersion.get(declared)!]
        : [latestVersion, latest];
    let result: ReturnType<VersionValidators["validateEvent"]>;
    try {
      result = validators.validateEvent(payload);
    } catch (error) {
      // e.g. a payload nested so deep that validating it exhausts the stack
      return {
        ok: false,
        error: {
          kind: "invalid_payload",
          event: stringAt(payload, config.event) ?? "",
          errors: [{ path: "", message: `cannot be validated: ${(error as Error).message}` }],
        },
      };
    }
    if (result.ok)
      return { ok: true, name: result.name, event: payload, version } as ParseResult<M>;
    const event = result.name ?? stringAt(payload, config.event);
    if (result.kind === "unknown_event")
      return { ok: false, error: { kind: "unknown_event", event, errors: result.errors } };
    if (result.kind === "version_mismatch") {
      // under "latest", a payload whose only difference is its version is accepted
      if (unknown && result.errors.length === 1)
        return { ok: true, name: event!, event: payload, version } as ParseResult<M>;
      return {
        ok: false,
        error: {
          kind: "version_mismatch",
          event: event ?? "",
          version: declared ?? "",
          expected: [...byVersion.keys()],
          errors: result.errors,
        },
      };
    }
    return {
      ok: false,
      error: { kind: "invalid_payload", event: event ?? "", errors: result.errors },
    };
  };
}

// --- the handler ------------------------------------------------------------------------

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (declared > limit) throw new WebhookError(413, `the body is larger than ${limit} bytes`);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new WebhookError(413, `the body is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return concat(...chunks);
}

export function createHandler<M>(
  config: ProviderConfig,
  options: WebhookHandlerOptions<M>,
): (request: Request) => Promise<Response> {
  const verifier = createVerifier(config.signing, options.secret, options.toleranceSeconds);
  const parse = createParser<M>(config);
  const now = options.now ?? Date.now;
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;

  return async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") return json(405, { error: "method_not_allowed" });
    let body: Uint8Array;
    try {
      body = await readBody(request, limit);
    } catch (error) {
      if (error instanceof WebhookError)
        return json(error.status, { error: "body_too_large", message: error.message });
      throw error;
    }
    const at = now();
    const signed = await verifier.signature(request.headers, body, at);
    if (!signed.ok) return json(401, { error: signed.reason, message: signed.message });

    let text: string;
    try {
      text = decoder.decode(body);
    } catch {
      return json(400, {
        error: "invalid_json",
        errors: [{ path: "", message: "the body is not UTF-8" }],
      });
    }
    let payload: unknown;
    try {
      payload = parseJson(text);
    } catch (error) {
      return json(400, {
        error: "invalid_json",
        errors: [{ path: "", message: `not valid JSON: ${(error as Error).message}` }],
      });
    }
    const fresh = verifier.freshness(payload, at);
    if (!fresh.ok) return json(401, { error: fresh.reason, message: fresh.message });

    const parsed = parse(payload);
    if (!parsed.ok) return json(400, { error: parsed.error.kind, errors: parsed.error.errors });

    const context: HandlerContext = { name: parsed.name, version: parsed.version, request };
    const handler = (
      options.on as Record<
        string,
        ((event: unknown, context: HandlerContext) => unknown) | undefined
      >
    )[parsed.name];
    try {
      if (handler) await handler(parsed.event, context);
      else {
        await options.onUnhandled?.(parsed.event as M[keyof M], context);
        return json(options.unhandledStatus ?? 200, { ok: true, handled: false });
      }
    } catch (error) {
      try {
        options.onError?.(error, context);
      } catch {
        // a failing error reporter must not change the response
      }
      return json(500, { error: "handler_failed" });
    }
    return json(200, { ok: true });
  };
}

// --- node:http ---------------------------------------------------------------------------

/** The parts of node:http's IncomingMessage the adapter uses (no @types/node needed). */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  destroy?(error?: Error): void;
  resume?(): void;
}

export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string | Uint8Array): unknown;
}

/**
 * Serves a Fetch-style handler from node:http (and so Express: mount it before any body
 * parser, which would consume the raw body the signature is over). Bodies over the limit
 * get 413 as soon as they pass it, without being buffered whole.
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options: { maxBodyBytes?: number } = {},
): (req: NodeRequestLike, res: NodeResponseLike) => Promise<void> {
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
  return async (req, res) => {
    const send = async (response: Response) => {
      res.statusCode = response.status;
      response.headers.forEach((value, name) => res.setHeader(name, value));
      res.end(new Uint8Array(await response.arrayBuffer()));
    };
    const tooLarge = () =>
      send(
        json(413, { error: "body_too_large", message: `the body is larger than ${limit} bytes` }),
      );
    const declared = Number(req.headers["content-length"] ?? "");
    if (declared > limit) {
      req.resume?.();
      return tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of req) {
      const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
      size += bytes.length;
      if (size > limit) {
        await tooLarge();
        req.destroy?.();
        return;
      }
      chunks.push(bytes);
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const request = new Request(
      new URL(req.url ?? "/", `http://${headers.get("host") ?? "localhost"}`),
      {
        method: req.method ?? "POST",
        headers,
        ...(req.method === "GET" || req.method === "HEAD"
          ? {}
          : { body: bufferOf(concat(...chunks)) }),
      },
    );
    try {
      await send(await handler(request));
    } catch {
      await send(json(500, { error: "internal_error" }));
    }
  };
}

/** Signature and freshness of one delivery, without handling it. */
export async function verifyDelivery(
  config: ProviderConfig,
  delivery: { headers: HeaderSource; body: string | Uint8Array },
  secret: string | readonly string[],
  options: { toleranceSeconds?: number; now?: () => number } = {},
): Promise<VerifyResult> {
  const verifier = createVerifier(config.signing, secret, options.toleranceSeconds);
  const body = typeof delivery.body === "string" ? encoder.encode(delivery.body) : delivery.body;
  const at = (options.now ?? Date.now)();
  const signed = await verifier.signature(delivery.headers, body, at);
  if (!signed.ok || config.signing.scheme !== "hmac-sha256") return signed;
  let payload: unknown;
  try {
    payload = parseJson(decoder.decode(body));
  } catch {
    return failure("stale_timestamp", "the body is not JSON, so its delivery time cannot be read");
  }
  return verifier.freshness(payload, at);
}
