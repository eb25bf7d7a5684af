// The receiver runtime shared by every provider: signature verification (Node's crypto
// where the runtime has it, found without importing anything; Web Crypto elsewhere, so it
// runs in Node, Deno, Bun, Workers and edge routes), safe JSON parsing, dispatch to the
// validators of the payload's version, the Fetch-style handler, a node:http adapter that
// serves the same logic without Request or Response, and signing for consumers' tests.
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
  | {
      [N in keyof M & string]: {
        ok: true;
        name: N;
        event: M[N];
        version: string;
      };
    }[keyof M & string]
  | { ok: false; error: ParseError };

export type VerifyFailure =
  "missing_signature" | "invalid_signature" | "stale_timestamp" | "future_timestamp";

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure; message: string };

/**
 * An HMAC signing scheme, described by its parts (each provider's index.ts writes it from
 * the manifest's `signing`): Plain's, Standard Webhooks', GitHub's, Stripe's, Slack's and
 * Shopify's are all such descriptions.
 */
export interface SigningConfig {
  algorithm: "sha1" | "sha256" | "sha512";
  /** How the signature is written in its header. */
  encoding: "hex" | "base64";
  /** How the secret is given: its text as the key ("raw"), base64, or base64 after an optional "whsec_". */
  secret: "raw" | "base64" | "whsec";
  /**
   * The signature header; alternatives, tried in order (Standard Webhooks: webhook-signature,
   * svix-signature): the first present is read, with the timestamp and id headers at the same
   * position in their lists.
   */
  header: readonly string[];
  /** Before each signature ("sha256=", "v0=", "v1,"); an entry without it is skipped. */
  prefix: string;
  /** Several signatures in one header, separated by this (Standard Webhooks: " "). */
  separator?: string;
  /** The header is comma-separated key=value fields (Stripe's t=…,v1=…): the signatures are this key's values. */
  field?: string;
  /** What is signed: a template ending in {body}, with {id} and {timestamp} ("{id}.{timestamp}.{body}"). */
  signed: string;
  /**
   * Where the delivery time is, for the freshness check: a header (or a field of one) of
   * seconds since the epoch, read before the body; or a property path in the (signed) body,
   * an ISO 8601 date-time or seconds, read after the signature matched.
   */
  timestamp?:
    | { in: "header"; name: readonly string[]; field?: string }
    | { in: "body"; path: readonly string[] };
  /** The header of the delivery's id, when it is signed ({id}). */
  id?: { in: "header"; name: readonly string[] };
  toleranceSeconds: number;
}

/** What a version's generated validators.js exports, as the receiver uses it. */
export interface VersionValidators {
  schemaVersion: string | null;
  /** Every event name the version knows. */
  eventNames?: readonly string[];
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
  /** The event name's property path in the body (empty when a header names it). */
  event: readonly string[];
  /** Or the header that names the event (GitHub: X-GitHub-Event; Shopify: X-Shopify-Topic). */
  eventHeader?: string;
  /**
   * With `eventHeader`, the property path that refines its name (GitHub: action): header
   * `pull_request` and action `opened` name the event `pull_request.opened` when the version
   * knows it; a payload without the property (or of an event with one schema for all its
   * actions) keeps the header's name.
   */
  eventRefine?: readonly string[];
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
  /**
   * The property path of the delivery's id in the body, for providers that send none in a
   * header (Plain: the event's `id`). Standard Webhooks' id is its `<prefix>-id` header.
   */
  deliveryId?: readonly string[];
  /** Or the header that carries it (not covered by an hmac-sha256 signature). */
  deliveryIdHeader?: string;
}

export interface HandlerContext<N extends string = string> {
  name: N;
  /** The schema version the payload was validated against. */
  version: string;
  /**
   * The delivery's id, the same on every retry of one event (Standard Webhooks: the
   * `webhook-id` header; Plain: the event's `id`), covered by the signature.
   */
  deliveryId: string | undefined;
  request: Request;
  /**
   * Whether the payload matched its schema: always `{ ok: true }` under the default
   * `onInvalidPayload: "reject"`; under "accept", the errors of a payload that did not.
   */
  validation: { ok: true } | { ok: false; errors: PayloadError[] };
}

/** What a handler does with a payload of a known event that fails its schema. */
export type InvalidPayloadPolicy = "reject" | "accept";

/**
 * A payload that may not match its schema (`onInvalidPayload: "accept"`): any property may
 * be missing; check `context.validation` before trusting the rest.
 */
export type MayNotMatch<T> = T extends readonly (infer E)[]
  ? MayNotMatch<E>[]
  : T extends object
    ? { [K in keyof T]?: MayNotMatch<T[K]> }
    : T;

/** The payload of event `N` (of each, for a union of names), as a handler receives it. */
export type HandledPayload<M, N, P extends InvalidPayloadPolicy = "reject"> = N extends keyof M
  ? P extends "accept"
    ? MayNotMatch<M[N]>
    : M[N]
  : never;

/**
 * Handlers by event name; with `G` (a header-named provider refined by a body property),
 * also by the header's name alone, which receives the union of its events (`pull_request`:
 * every `pull_request.<action>`) unless the exact event has a handler of its own.
 */
export type Handlers<
  M,
  P extends InvalidPayloadPolicy = "reject",
  G extends Record<string, keyof M & string> = {},
> = {
  [N in (keyof M & string) | (keyof G & string)]?: (
    event: HandledPayload<M, N extends keyof G ? G[N] : N, P>,
    context: HandlerContext<N extends keyof G ? G[N] : N>,
  ) => unknown;
};

/** A delivery refused with 400 (signed, but not JSON, of an unknown event or version, or not matching its schema). */
export interface Rejection {
  error: ParseError;
  /** The raw body, as signed. */
  body: Uint8Array;
  request: Request;
}

export interface WebhookHandlerOptions<
  M,
  P extends InvalidPayloadPolicy = "reject",
  G extends Record<string, keyof M & string> = {},
> {
  /** The signing secret; several during a rotation: any may match. */
  secret: string | readonly string[];
  on: Handlers<M, P, G>;
  /**
   * A payload of a known event that fails its schema: "reject" (default) answers 400;
   * "accept" runs its handler anyway, with the errors in `context.validation` (for a
   * provider whose schemas lag behind what it sends).
   */
  onInvalidPayload?: P;
  /** Told of every delivery refused with 400, to record it (its errors, the raw body); awaited, its failures ignored. */
  onRejected?: (rejection: Rejection) => unknown;
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
  /** How long reading the body may take, in milliseconds (default 10 000); slower gets 408. */
  bodyTimeoutMs?: number;
  /**
   * Replay protection: a delivery whose id the store has already seen is answered 200
   * without running a handler. `createMemoryStore()` for one process, `createRedisStore(client)`
   * when several processes share the traffic.
   */
  deduplicate?: DeliveryStore;
  /** How long an id is remembered (default: twice the tolerance, the window a replay can be fresh in). */
  deduplicateTtlSeconds?: number;
  /** The clock, in milliseconds (tests set it). */
  now?: () => number;
}

/** Where delivery ids are remembered, for replay protection. */
export interface DeliveryStore {
  /**
   * Atomically: true when `id` was recorded and has not expired; otherwise records it for
   * `ttlSeconds` and returns false.
   */
  seen(id: string, ttlSeconds: number): Promise<boolean>;
  /** Forgets `id`, so that a delivery whose handler failed is handled when the provider retries it. */
  forget?(id: string): Promise<void>;
}

/**
 * A missing secret is a deployment mistake (an unset environment variable): refused when
 * the handler is made, naming the option, rather than on the first delivery.
 */
function checkSecret(secret: unknown): void {
  const secrets: unknown[] = Array.isArray(secret) ? secret : [secret];
  const bad = secrets.find((s) => typeof s !== "string" || s === "");
  if (secrets.length === 0 || bad !== undefined || secrets.includes(undefined)) {
    const what =
      secrets.length === 0 ? "an empty list" : bad === "" ? "an empty string" : String(bad);
    throw new TypeError(
      `the webhook handler's \`secret\` option is ${what}: pass the provider's signing secret (is its environment variable set where this runs?)`,
    );
  }
}

/** Answer to a request whose body something read before the handler (a body parser). */
const alreadyRead = {
  error: "body_already_read",
  message:
    "the request body was read before the webhook handler (a body parser such as express.json() or Fastify's): the signature is over the raw bytes, so mount the handler before any body parser, or give it the raw body",
};

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
 * Either key spelled out, or a text that merely looks like it (a prefilter: such texts are
 * walked). One regular expression scans a body faster than two includes(), and these shorter
 * halves let it skip further on real bodies (GitHub's: 2-3x faster than the full words).
 */
const prototypeKey = /__proto|structor/;
/** A \u escape of a letter of "__proto__" or "constructor" (_ c n o p r s t u), in either case. */
const escapedKeyLetter = /\\u00(?:5[fF]|6[3eEfF]|7[02-5])/;

/**
 * JSON.parse, except that "__proto__" keys, and "prototype" under "constructor", are
 * dropped, so that merging the result into another object cannot reach a prototype. The
 * decision is on each key as parsed, so escapes ("\u005f\u005fproto\u005f\u005f") change
 * nothing; a text that cannot hold such a key (no "__proto__", no "constructor", no \u
 * escape of one of their letters: a body's \u003c or \u00e9 is no reason) is not walked.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // (the escape looked for only where a text has any \u: most bodies have none)
  if (!prototypeKey.test(text) && !(text.includes("\\u") && escapedKeyLetter.test(text)))
    return value;
  // iterative: a document nested 100 000 deep must not exhaust the stack here
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    const record = node as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(record, "__proto__")) delete record["__proto__"];
    const constructor = Object.prototype.hasOwnProperty.call(record, "constructor")
      ? record["constructor"]
      : undefined;
    if (
      typeof constructor === "object" &&
      constructor !== null &&
      Object.prototype.hasOwnProperty.call(constructor, "prototype")
    )
      delete (constructor as Record<string, unknown>)["prototype"];
    for (const key of Object.keys(record)) stack.push(record[key]);
  }
  return value;
}

// --- signatures --------------------------------------------------------------------------

function toHex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Lenient, for secrets: URL-safe letters and missing padding are accepted, as the references do. */
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

// The crypto a runtime offers: Node's (Node ≥ 20.16, Bun, Deno, Workers with nodejs_compat),
// found through process.getBuiltinModule so that nothing is imported, or Web Crypto.

/** The part of node:crypto the verifier uses (no @types/node needed). */
interface NodeCrypto {
  createHmac(algorithm: SigningConfig["algorithm"], key: NodeKey): NodeHmac;
  createSecretKey?(key: Uint8Array): NodeKey;
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}
type NodeKey = Uint8Array | { readonly type: string };
interface NodeHmac {
  update(data: Uint8Array | string): NodeHmac;
  digest(encoding: SigningConfig["encoding"]): string;
}

let cryptoChoice: "auto" | "web" = "auto";
let nodeCryptoFound: NodeCrypto | null | undefined;

/**
 * For tests: "web" makes verifiers created from now on use Web Crypto even where Node's
 * crypto is present; "auto" (the default) prefers Node's, looking for it again.
 */
export function useCrypto(choice: "auto" | "web"): void {
  cryptoChoice = choice;
  nodeCryptoFound = undefined;
}

/** Which crypto a verifier created now would use. */
export function cryptoInUse(): "node" | "web" {
  return nodeCrypto() ? "node" : "web";
}

function nodeCrypto(): NodeCrypto | undefined {
  if (cryptoChoice === "web") return undefined;
  if (nodeCryptoFound === undefined) {
    nodeCryptoFound = null;
    try {
      const host = (
        globalThis as {
          process?: { getBuiltinModule?: (id: string) => unknown };
        }
      ).process;
      const found = host?.getBuiltinModule?.("node:crypto") as Partial<NodeCrypto> | undefined;
      if (typeof found?.createHmac === "function" && typeof found.timingSafeEqual === "function")
        nodeCryptoFound = found as NodeCrypto;
    } catch {
      // not a runtime with Node's modules
    }
  }
  return nodeCryptoFound ?? undefined;
}

/** A signature header with more entries than this is refused unread. */
const maxSignatureEntries = 16;
const macLengths = { sha1: 20, sha256: 32, sha512: 64 } as const;
const webHashes = {
  sha1: "SHA-1",
  sha256: "SHA-256",
  sha512: "SHA-512",
} as const;

/** The length of a MAC as its header writes it. */
function textLength(signing: SigningConfig): number {
  const bytes = macLengths[signing.algorithm];
  return signing.encoding === "hex" ? 2 * bytes : 4 * Math.ceil(bytes / 3);
}

/**
 * An HMAC under one secret, its key prepared once. MACs are handled as the header writes
 * them (hex in lower case, or canonical base64), so that a signature is compared as given,
 * never decoded.
 */
interface Key {
  /** The HMAC of `prefix` + `message`, as text. */
  sign(prefix: string, message: Uint8Array): string | Promise<string>;
  /**
   * Whether any candidate (each as long as the MAC's text) is the HMAC of `prefix` +
   * `message`, each compared in constant time, the message hashed once.
   */
  matches(
    candidates: readonly string[],
    prefix: string,
    message: Uint8Array,
  ): boolean | Promise<boolean>;
}

/** Node's crypto: createHmac, each candidate compared with timingSafeEqual; synchronous. */
function nodeKey(node: NodeCrypto, signing: SigningConfig, secret: Uint8Array): Key {
  const key = node.createSecretKey ? node.createSecretKey(secret) : secret;
  const { algorithm, encoding } = signing;
  const sign = (prefix: string, message: Uint8Array): string => {
    const hmac = node.createHmac(algorithm, key);
    if (prefix !== "") hmac.update(prefix);
    return hmac.update(message).digest(encoding);
  };
  // the texts compared, written into buffers made once (matches() is synchronous, so no two
  // deliveries share them at once): the text of a MAC is ASCII, and the candidates are of its
  // length (the verifier keeps only those)
  const length = textLength(signing);
  const expected = new Uint8Array(length);
  const given = new Uint8Array(length);
  return {
    sign,
    matches(candidates, prefix, message) {
      encoder.encodeInto(sign(prefix, message), expected);
      let match = false;
      for (const candidate of candidates) {
        // (all of it written: a candidate of other characters never meets what another left)
        if (candidate.length !== length || encoder.encodeInto(candidate, given).written !== length)
          continue;
        if (node.timingSafeEqual(expected, given)) match = true;
      }
      return match;
    },
  };
}

// `crypto`, not `globalThis.crypto`: Workers' types declare it as a global const, which
// globalThis does not list; its key type named through it (@types/node has no global CryptoKey)
type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

let compareKey: Promise<WebCryptoKey> | undefined;

/**
 * Web Crypto: the key imported once. Each candidate is compared by the platform in constant
 * time, by verifying it as a message under a random key against the expected text's tag
 * (so a header of many entries costs one hash of the body, not one per entry).
 */
function webKey(signing: SigningConfig, secret: Uint8Array): Key {
  const subtle = crypto.subtle;
  const hash = webHashes[signing.algorithm];
  const key = subtle.importKey("raw", bufferOf(secret), { name: "HMAC", hash }, false, ["sign"]);
  // an unused verifier must not leave a rejection unhandled
  key.catch(() => undefined);
  const text = signing.encoding === "hex" ? toHex : toBase64;
  const sign = async (prefix: string, message: Uint8Array): Promise<string> => {
    const signed = bufferOf(concat(encoder.encode(prefix), message));
    return text(new Uint8Array(await subtle.sign("HMAC", await key, signed)));
  };
  return {
    sign,
    async matches(candidates, prefix, message) {
      compareKey ??= subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
        "verify",
      ]) as Promise<WebCryptoKey>;
      const tagKey = await compareKey;
      const expected = bufferOf(encoder.encode(await sign(prefix, message)));
      const tag = await subtle.sign("HMAC", tagKey, expected);
      for (const candidate of candidates) {
        if (await subtle.verify("HMAC", tagKey, tag, bufferOf(encoder.encode(candidate))))
          return true;
      }
      return false;
    },
  };
}

/** Keys by crypto, scheme and secret: a secret's key is prepared once, however many verifiers use it. */
const keyCache = new Map<string, Key>();
const keyCacheSize = 64;

function keyFor(signing: SigningConfig, secret: string): Key {
  const node = nodeCrypto();
  const id = `${node ? "node" : "web"}:${signing.algorithm}:${signing.encoding}:${signing.secret}:${secret}`;
  let key = keyCache.get(id);
  if (key === undefined) {
    const bytes = secretBytes(signing, secret);
    key = node ? nodeKey(node, signing, bytes) : webKey(signing, bytes);
    keyCache.set(id, key);
    if (keyCache.size > keyCacheSize) keyCache.delete(keyCache.keys().next().value!);
  }
  return key;
}

/**
 * Whether any candidate is the HMAC under any key, from the `from`th; the body hashed once
 * per key. Synchronous with Node's crypto, so that a delivery waits on no promise for it.
 */
function anyMatches(
  keys: readonly Key[],
  candidates: readonly string[],
  prefix: string,
  message: Uint8Array,
  from = 0,
): boolean | Promise<boolean> {
  for (let i = from; i < keys.length; i++) {
    const match = keys[i]!.matches(candidates, prefix, message);
    if (typeof match !== "boolean")
      return match.then((found) => found || anyMatches(keys, candidates, prefix, message, i + 1));
    if (match) return true;
  }
  return false;
}

function secretBytes(signing: SigningConfig, secret: string): Uint8Array {
  if (signing.secret === "raw") {
    if (secret === "") throw new WebhookError(500, "the webhook secret is empty");
    return encoder.encode(secret);
  }
  const whsec = signing.secret === "whsec";
  const bytes = fromBase64(whsec && secret.startsWith("whsec_") ? secret.slice(6) : secret);
  if (bytes === undefined || bytes.length === 0) {
    throw new WebhookError(
      500,
      `the webhook secret must be a non-empty base64 string${whsec ? ", optionally prefixed whsec_" : ""}`,
    );
  }
  return bytes;
}

type HeaderSource =
  { get(name: string): string | null } | Record<string, string | readonly string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === "function")
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue;
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.join(", ");
  }
  return undefined;
}

const failure = (
  reason: VerifyFailure,
  message: string,
): { ok: false; reason: VerifyFailure; message: string } => ({
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

/** What the headers say, read before the body: the candidates and what the signature covers. */
type SignedHeaders =
  | { ok: false; reason: VerifyFailure; message: string }
  | {
      ok: true;
      /** The signatures as written, hex in lower case; not yet checked against the MAC's length. */
      candidates: string[];
      prefix: string;
      id: string | undefined;
    };

/** The values of `key` in a header of comma-separated key=value fields (Stripe's t=…,v1=…). */
function fieldValue(text: string, key: string): string | undefined {
  for (const part of text.split(",", maxSignatureEntries + 1)) {
    const equals = part.indexOf("=");
    if (equals > 0 && part.slice(0, equals).trim() === key) return part.slice(equals + 1).trim();
  }
  return undefined;
}

/** What is signed before the body: the template's text before {body}, its {id} and {timestamp} filled in. */
function prefixWriter(signing: SigningConfig) {
  // split once: the literal parts, with the placeholders between them
  const parts = signing.signed
    .slice(0, signing.signed.length - "{body}".length)
    .split(/(\{id\}|\{timestamp\})/);
  return (id: string | undefined, seconds: number | undefined): string => {
    let text = "";
    for (const part of parts)
      text += part === "{id}" ? (id ?? "") : part === "{timestamp}" ? String(seconds) : part;
    return text;
  };
}

/** A signature as the header may write it: hex digits of either case, or padded standard base64. */
const signatureText = {
  hex: /^(?:[0-9a-fA-F]{2})*$/,
  base64: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
};

/**
 * Verifies a delivery's signature over the raw body bytes, then its freshness. The headers
 * are read first (`headers`: a missing or malformed signature, or a stale timestamp header,
 * is refused before any of the body is read), then the body (`body`). For a scheme whose
 * delivery time is inside the body (Plain), `freshness` reads the parsed body, only after
 * the signature over the raw bytes has matched.
 */
export function createVerifier(
  signing: SigningConfig,
  secrets: string | readonly string[],
  toleranceSeconds?: number,
) {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  if (list.length === 0) throw new WebhookError(500, "no webhook secret configured");
  const keys = list.map((s) => keyFor(signing, s));
  const tolerance = toleranceSeconds ?? signing.toleranceSeconds;
  const length = textLength(signing);
  const wellFormed = signatureText[signing.encoding];
  const prefix = prefixWriter(signing);
  const several = signing.separator !== undefined || signing.field !== undefined;
  const mismatch = several
    ? "no signature matches the body"
    : "the signature does not match the body";
  const stamp = signing.timestamp?.in === "header" ? signing.timestamp : undefined;

  function missing(): SignedHeaders {
    const sets = signing.header.map((name, i) => {
      const names = [signing.id?.name[i], stamp?.name[i], name].filter(
        (n): n is string => n !== undefined,
      );
      return [...new Set(names)].join("/");
    });
    const plural = sets.some((set) => set.includes("/"));
    return failure(
      "missing_signature",
      `the ${sets.join(" or ")} header${plural ? "s are" : " is"} missing`,
    );
  }

  function headers(source: HeaderSource, now: number): SignedHeaders {
    // the first of the alternative headers present, each looked up once
    let at = 0;
    let signed = header(source, signing.header[0]!);
    while (signed === undefined && ++at < signing.header.length)
      signed = header(source, signing.header[at]!);
    if (signed === undefined) return missing();
    if (several ? !signed : !signed.trim()) return missing();
    const id = signing.id ? header(source, signing.id.name[at]!) : undefined;
    if (signing.id && !id) return missing();
    let seconds: number | undefined;
    if (stamp) {
      const name = stamp.name[at]!;
      const text = header(source, name);
      if (!text) return missing();
      const value = stamp.field === undefined ? text : fieldValue(text, stamp.field);
      if (!value)
        return failure("missing_signature", `the ${name} header has no ${stamp.field}= field`);
      // validated and signed as one value: the number the digits say, as the references sign it
      const digits = value.trim();
      if (!/^\d+$/.test(digits))
        return failure("stale_timestamp", "the timestamp header is not a number of seconds");
      seconds = Number(digits);
      const fresh = checkFreshness(seconds * 1000, now, tolerance);
      if (!fresh.ok) return fresh;
    }
    const entries =
      signing.field !== undefined
        ? signed.split(",", maxSignatureEntries + 1)
        : signing.separator !== undefined
          ? signed.split(signing.separator, maxSignatureEntries + 1)
          : [signed.trim()];
    if (entries.length > maxSignatureEntries) {
      return failure(
        "invalid_signature",
        `the signature header has more than ${maxSignatureEntries} entries`,
      );
    }
    const candidates: string[] = [];
    for (const entry of entries) {
      let value = entry;
      if (signing.field !== undefined) {
        const equals = entry.indexOf("=");
        if (equals < 0 || entry.slice(0, equals).trim() !== signing.field) continue;
        value = entry.slice(equals + 1).trim();
      }
      if (!value.startsWith(signing.prefix)) continue;
      value = value.slice(signing.prefix.length);
      // compared as text: base64 only as the signer's encoder writes it (canonical), as
      // the references compare it; hex in either case
      if (wellFormed.test(value))
        candidates.push(signing.encoding === "hex" ? value.toLowerCase() : value);
    }
    if (candidates.length === 0) return failure("invalid_signature", mismatch);
    return { ok: true, candidates, prefix: prefix(id, seconds), id };
  }

  const verdict = (match: boolean): VerifyResult =>
    match ? { ok: true } : failure("invalid_signature", mismatch);

  /** Synchronous with Node's crypto; a promise with Web Crypto. */
  function body(signed: SignedHeaders, bytes: Uint8Array): VerifyResult | Promise<VerifyResult> {
    if (!signed.ok) return signed;
    const candidates = signed.candidates.filter((c) => c.length === length);
    if (candidates.length === 0) return verdict(false);
    const match = anyMatches(keys, candidates, signed.prefix, bytes);
    return typeof match === "boolean" ? verdict(match) : match.then(verdict);
  }

  async function signature(
    source: HeaderSource,
    bytes: Uint8Array,
    now: number,
  ): Promise<VerifyResult> {
    return body(headers(source, now), bytes);
  }

  function freshness(payload: unknown, now: number): VerifyResult {
    if (signing.timestamp?.in !== "body") return { ok: true };
    let node = payload;
    for (const key of signing.timestamp.path) node = own(node, key);
    const at =
      typeof node === "string" ? Date.parse(node) : typeof node === "number" ? node * 1000 : NaN;
    return checkFreshness(at, now, tolerance);
  }

  return { headers, body, signature, freshness };
}

// --- parsing ----------------------------------------------------------------------------

// ignoreBOM spelt out (its default): Workers' types require it
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Parses a body (a string or UTF-8 bytes) and validates it; anything else is taken as an
 * already parsed payload.
 */
export function createParser<M>(config: ProviderConfig) {
  const validate = createValidator<M>(config);
  return function parse(
    raw: string | Uint8Array | unknown,
    headers?: HeaderSource,
  ): ParseResult<M> {
    let payload: unknown = raw;
    if (typeof raw === "string" || raw instanceof Uint8Array) {
      try {
        payload = parseJson(typeof raw === "string" ? raw : decoder.decode(raw));
      } catch (error) {
        return {
          ok: false,
          error: {
            kind: "invalid_json",
            errors: [
              {
                path: "",
                message: `not valid JSON: ${(error as Error).message}`,
              },
            ],
          },
        };
      }
    }
    return validate(payload, headers);
  };
}

/** The header that names the event, trimmed; undefined when missing or empty. */
function eventHeaderValue(config: ProviderConfig, headers: HeaderSource | undefined) {
  if (config.eventHeader === undefined || headers === undefined) return undefined;
  return header(headers, config.eventHeader)?.trim() || undefined;
}

/** Validates a parsed payload against the schemas of the version it declares (never parses). */
function createValidator<M>(config: ProviderConfig) {
  const byVersion = new Map(config.versions);
  const [latestVersion, latest] = config.versions[config.versions.length - 1]!;
  // each version's event names as a set: a refined name was searched for in GitHub's ~300,
  // one by one, on every delivery
  const namesOf = new Map(
    config.versions.map(([, validators]) => [
      validators,
      validators.eventNames && new Set(validators.eventNames),
    ]),
  );

  return function validate(payload: unknown, headers?: HeaderSource): ParseResult<M> {
    const named = eventHeaderValue(config, headers);
    if (config.eventHeader !== undefined && named === undefined) {
      const message = `the ${config.eventHeader} header, which names the event, is ${headers === undefined ? "not given" : "missing"}`;
      return {
        ok: false,
        error: {
          kind: "unknown_event",
          event: undefined,
          errors: [{ path: "", message, keyword: "event" }],
        },
      };
    }
    const declared = config.version ? stringAt(payload, config.version) : undefined;
    const unknown = declared !== undefined && !byVersion.has(declared);
    if (unknown && config.unknownVersion !== "latest") {
      const accepted = [...byVersion.keys()];
      return {
        ok: false,
        error: {
          kind: "version_mismatch",
          event: named ?? stringAt(payload, config.event) ?? "",
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
    const version = declared !== undefined && !unknown ? declared : latestVersion;
    const validators = version === latestVersion ? latest : byVersion.get(version)!;
    let name = named;
    if (named !== undefined && config.eventRefine !== undefined) {
      const refinement = stringAt(payload, config.eventRefine);
      const refined = `${named}.${refinement}`;
      const known = namesOf.get(validators);
      // the refined name when the version knows it, or when it knows neither (the error names it)
      if (refinement !== undefined && (!known || known.has(refined) || !known.has(named)))
        name = refined;
    }
    let result: ReturnType<VersionValidators["validateEvent"]>;
    try {
      result =
        name === undefined
          ? validators.validateEvent(payload)
          : validators.validateEvent(payload, name);
    } catch (error) {
      // e.g. a payload nested so deep that validating it exhausts the stack
      return {
        ok: false,
        error: {
          kind: "invalid_payload",
          event: name ?? stringAt(payload, config.event) ?? "",
          errors: [
            {
              path: "",
              message: `cannot be validated: ${(error as Error).message}`,
            },
          ],
        },
      };
    }
    if (result.ok)
      return {
        ok: true,
        name: result.name,
        event: payload,
        version,
      } as ParseResult<M>;
    const event = result.name ?? name ?? stringAt(payload, config.event);
    if (result.kind === "unknown_event")
      return {
        ok: false,
        error: { kind: "unknown_event", event, errors: result.errors },
      };
    if (result.kind === "version_mismatch") {
      // under "latest", a payload whose only difference is its version is accepted
      if (unknown && result.errors.length === 1)
        return {
          ok: true,
          name: event!,
          event: payload,
          version,
        } as ParseResult<M>;
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
      error: {
        kind: "invalid_payload",
        event: event ?? "",
        errors: result.errors,
      },
    };
  };
}

// --- the handler ------------------------------------------------------------------------

/** What the handler answers: a status and a JSON body. */
interface Answer {
  status: number;
  body: unknown;
  /** The body's JSON, for an answer made once and given to every delivery. */
  text?: string;
}

const answer = (status: number, body: unknown): Answer => ({ status, body });

/** An answer's JSON: written once for an answer given to every delivery. */
const answerText = (result: Answer): string => result.text ?? JSON.stringify(result.body);

/** The answer to a delivery handled: one object, its JSON written once. */
const handledBody = { ok: true };
const deliveryHandled: Answer = {
  status: 200,
  body: handledBody,
  text: JSON.stringify(handledBody),
};

/** A request whose URL or headers cannot even be read (node:http lets some through). */
const malformed = answer(400, {
  error: "bad_request",
  message: "the URL or a header is malformed",
});

/** An answer as a Fetch Response. */
function respond(result: Answer): Response {
  return new Response(answerText(result), {
    status: result.status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * One request as the handler's logic sees it, whether it came as a Fetch `Request` or as a
 * node:http request (which is then served without building a Request or a Response).
 */
interface Incoming {
  method: string;
  headers: HeaderSource;
  /** The content-length header as a number (NaN or 0 without one). */
  declared: number;
  /** The body, at most `limit` bytes within `timeoutMs`; a WebhookError (413, 408, 400) otherwise. */
  read(limit: number, timeoutMs: number): Promise<Uint8Array>;
  /** The request as a Fetch Request (its body being `body`), built only if a handler asks for it. */
  request(body: Uint8Array): Request;
}

type Core = (incoming: Incoming) => Promise<Answer>;

/** A promise (or any thenable) is awaited; a plain value is used at once, without a turn of the microtask queue. */
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

/** Where createHandler's function keeps its logic, for toNodeListener to call directly. */
const coreKey = Symbol("webhook-codegen handler");

const defaultBodyTimeoutMs = 10_000;

/**
 * One read of a body, from a stream's reader or an async iterator: not IteratorResult, as
 * Workers' ReadableStreamReadResult has an optional `value` when done (and @types/node
 * declares no ReadableStreamReadResult global).
 */
type Chunk = { done: true; value?: unknown } | { done?: false; value: Uint8Array | string };

/**
 * Reads the body into one buffer of at most `limit` bytes, within `timeoutMs`: 413 past the
 * limit, 408 past the time, 400 when the upload breaks off.
 */
async function readChunks(
  next: () => Promise<Chunk>,
  limit: number,
  timeoutMs: number,
): Promise<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WebhookError(408, `the body took more than ${timeoutMs} ms to arrive`)),
      timeoutMs,
    );
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const pending = next();
      // abandoned on a timeout: a later failure of this read must not go unhandled
      pending.catch(ignore);
      let chunk: Chunk;
      try {
        chunk = await Promise.race([pending, timeout]);
      } catch (error) {
        if (error instanceof WebhookError) throw error;
        throw new WebhookError(400, "the body could not be read to its end");
      }
      if (chunk.done) break;
      const bytes = typeof chunk.value === "string" ? encoder.encode(chunk.value) : chunk.value;
      size += bytes.length;
      if (size > limit) throw new WebhookError(413, `the body is larger than ${limit} bytes`);
      chunks.push(bytes);
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer); // Workers' clearTimeout takes no undefined
  }
  return chunks.length === 1 ? chunks[0]! : concat(...chunks);
}

async function readBody(request: Request, limit: number, timeoutMs: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  try {
    return await readChunks(() => reader.read(), limit, timeoutMs);
  } catch (error) {
    reader.cancel().catch(ignore);
    throw error;
  }
}

const refusals: Record<number, string> = {
  400: "unreadable_body",
  408: "body_timeout",
  413: "body_too_large",
};

const valid: HandlerContext["validation"] = { ok: true };

/**
 * The parse result as the handler uses it: under "accept", a payload of a known event that
 * fails its schema goes on, with its errors, validated against the version it declares
 * (else the latest).
 */
function acceptInvalid<M>(
  config: ProviderConfig,
  parsed: ParseResult<M>,
  payload: unknown,
  policy: InvalidPayloadPolicy | undefined,
):
  | {
      ok: true;
      name: string;
      event: unknown;
      version: string;
      validation: HandlerContext["validation"];
    }
  | { ok: false; error: ParseError } {
  // spelled out: a spread copy of the result was measured to keep each delivery's payload
  // alive past young-generation collections, as the getter above did
  if (parsed.ok)
    return {
      ok: true,
      name: parsed.name,
      event: parsed.event,
      version: parsed.version,
      validation: valid,
    };
  const { error } = parsed;
  if (policy !== "accept" || error.kind !== "invalid_payload" || error.event === "") return parsed;
  const declared = config.version ? stringAt(payload, config.version) : undefined;
  const version = config.versions.some(([key]) => key === declared)
    ? declared!
    : config.versions[config.versions.length - 1]![0];
  return {
    ok: true,
    name: error.event,
    event: payload,
    version,
    validation: { ok: false, errors: error.errors },
  };
}

/** One delivery's Fetch Request, built when first asked for. */
class Delivery {
  private readonly incoming: Incoming;
  readonly body: Uint8Array;
  private built: Request | undefined;
  constructor(incoming: Incoming, body: Uint8Array) {
    this.incoming = incoming;
    this.body = body;
  }
  request(): Request {
    return (this.built ??= this.incoming.request(this.body));
  }
}

// Classes, not object literals with a getter: a literal's getter is a new function per
// delivery, held from the old generation, so that each delivery's whole scope survived the
// young generation's collections (measured: 5-20 ms scavenges and mark-compacts under load,
// against 0.3 ms without).

/** A handler's context, its `request` built when read. */
class DeliveryContext implements HandlerContext {
  readonly name: string;
  readonly version: string;
  readonly deliveryId: string | undefined;
  readonly validation: HandlerContext["validation"];
  private readonly delivery: Delivery;
  constructor(
    name: string,
    version: string,
    deliveryId: string | undefined,
    validation: HandlerContext["validation"],
    delivery: Delivery,
  ) {
    this.name = name;
    this.version = version;
    this.deliveryId = deliveryId;
    this.validation = validation;
    this.delivery = delivery;
  }
  get request(): Request {
    return this.delivery.request();
  }
}

/** What onRejected is told, its `request` built when read. */
class DeliveryRejection implements Rejection {
  readonly error: ParseError;
  readonly body: Uint8Array;
  private readonly delivery: Delivery;
  constructor(error: ParseError, delivery: Delivery) {
    this.error = error;
    this.body = delivery.body;
    this.delivery = delivery;
  }
  get request(): Request {
    return this.delivery.request();
  }
}

// Functions of their own rather than closures made for every delivery, most of which never
// call them.

/** onRejected told (awaited, its failure ignored), then the 400. */
async function rejection(
  onRejected: ((rejection: Rejection) => unknown) | undefined,
  error: ParseError,
  delivery: Delivery,
): Promise<Answer> {
  try {
    await onRejected?.(new DeliveryRejection(error, delivery));
  } catch {
    // recording a rejection must not change the response
  }
  return answer(400, { error: error.kind, errors: error.errors });
}

function reportError(
  onError: ((error: unknown, context: HandlerContext) => void) | undefined,
  error: unknown,
  context: HandlerContext,
): void {
  try {
    onError?.(error, context);
  } catch {
    // a failing error reporter must not change the response
  }
}

/** The handler of `name` among the handlers' own keys. */
function handlerOf(handlers: Record<string, unknown>, name: string | undefined): unknown {
  return name !== undefined && Object.prototype.hasOwnProperty.call(handlers, name)
    ? handlers[name]
    : undefined;
}

/** The handler's logic, shared by the Fetch handler and the node:http listener. */
function createCore<
  M,
  P extends InvalidPayloadPolicy = "reject",
  G extends Record<string, keyof M & string> = {},
>(config: ProviderConfig, options: WebhookHandlerOptions<M, P, G>): Core {
  checkSecret(options.secret);
  const verifier = createVerifier(config.signing, options.secret, options.toleranceSeconds);
  const validate = createValidator<M>(config);
  const now = options.now ?? Date.now;
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const timeoutMs = options.bodyTimeoutMs ?? defaultBodyTimeoutMs;
  const store = options.deduplicate;
  const ttl =
    options.deduplicateTtlSeconds ??
    2 * (options.toleranceSeconds ?? config.signing.toleranceSeconds);
  const handlers = options.on as Record<string, unknown>;

  return async function core(incoming: Incoming): Promise<Answer> {
    if (incoming.method !== "POST") return answer(405, { error: "method_not_allowed" });
    // the headers first: nothing of the body is read for a request that cannot be signed
    const at = now();
    const signedHeaders = verifier.headers(incoming.headers, at);
    if (!signedHeaders.ok)
      return answer(401, {
        error: signedHeaders.reason,
        message: signedHeaders.message,
      });
    if (incoming.declared > limit)
      return answer(413, {
        error: "body_too_large",
        message: `the body is larger than ${limit} bytes`,
      });
    let body: Uint8Array;
    try {
      body = await incoming.read(limit, timeoutMs);
    } catch (error) {
      if (error instanceof WebhookError)
        return answer(error.status, {
          error: refusals[error.status] ?? "bad_request",
          message: error.message,
        });
      throw error;
    }
    const checked = verifier.body(signedHeaders, body);
    const signed = isThenable(checked) ? await checked : checked;
    if (!signed.ok) return answer(401, { error: signed.reason, message: signed.message });

    // the delivery as a Fetch Request: built only if a handler or onRejected reads it
    const delivery = new Delivery(incoming, body);
    const reject = (error: ParseError) => rejection(options.onRejected, error, delivery);

    // parsed once: the freshness check and the validators read the same value
    let text: string;
    try {
      text = decoder.decode(body);
    } catch {
      const errors = [{ path: "", message: "the body is not UTF-8" }];
      return reject({ kind: "invalid_json", errors });
    }
    let payload: unknown;
    try {
      payload = parseJson(text);
    } catch (error) {
      const errors = [{ path: "", message: `not valid JSON: ${(error as Error).message}` }];
      return reject({ kind: "invalid_json", errors });
    }
    const fresh = verifier.freshness(payload, at);
    if (!fresh.ok) return answer(401, { error: fresh.reason, message: fresh.message });

    const parsed = acceptInvalid(
      config,
      validate(payload, incoming.headers),
      payload,
      options.onInvalidPayload,
    );
    if (!parsed.ok) return reject(parsed.error);

    const deliveryId = config.deliveryIdHeader
      ? header(incoming.headers, config.deliveryIdHeader)
      : config.deliveryId
        ? stringAt(payload, config.deliveryId)
        : signedHeaders.id;
    const context = new DeliveryContext(
      parsed.name,
      parsed.version,
      deliveryId,
      parsed.validation,
      delivery,
    );
    const report = (error: unknown) => reportError(options.onError, error, context);
    const key =
      store === undefined || deliveryId === undefined
        ? undefined
        : `${config.provider}:${deliveryId}`;
    if (store && key !== undefined) {
      let duplicate: boolean;
      try {
        duplicate = await store.seen(key, ttl);
      } catch (error) {
        report(error);
        // the provider retries later, when the store may be back
        return answer(503, { error: "deduplication_unavailable" });
      }
      if (duplicate) return answer(200, { ok: true, duplicate: true });
    }

    // only the handlers' own keys: an event named "constructor" or "__proto__" is unhandled;
    // the exact event's handler, else (refined names) the handler of the header's name
    const handler =
      handlerOf(handlers, parsed.name) ??
      (config.eventRefine
        ? handlerOf(handlers, eventHeaderValue(config, incoming.headers))
        : undefined);
    try {
      if (typeof handler === "function") {
        const handled: unknown = handler(parsed.event, context);
        if (isThenable(handled)) await handled;
      } else {
        const told: unknown = options.onUnhandled?.(parsed.event as M[keyof M], context);
        if (isThenable(told)) await told;
        return answer(options.unhandledStatus ?? 200, {
          ok: true,
          handled: false,
        });
      }
    } catch (error) {
      if (store && key !== undefined) await store.forget?.(key).catch(report);
      report(error);
      return answer(500, { error: "handler_failed" });
    }
    return deliveryHandled;
  };
}

export function createHandler<
  M,
  P extends InvalidPayloadPolicy = "reject",
  G extends Record<string, keyof M & string> = {},
>(
  config: ProviderConfig,
  options: WebhookHandlerOptions<M, P, G>,
): (request: Request) => Promise<Response> {
  const core = createCore(config, options);
  async function handle(request: Request): Promise<Response> {
    // a body a framework's parser already read cannot be checked against its signature
    if (request.method === "POST" && request.bodyUsed) return respond(answer(500, alreadyRead));
    const result = await core({
      method: request.method,
      headers: request.headers,
      declared: Number(request.headers.get("content-length") ?? ""),
      read: (limit, timeoutMs) => readBody(request, limit, timeoutMs),
      request: () => request,
    });
    return respond(result);
  }
  Object.defineProperty(handle, coreKey, { value: core });
  return handle;
}

// --- replay protection -------------------------------------------------------------------

/**
 * Delivery ids remembered in this process: enough for one server; several behind a load
 * balancer need a shared store (createRedisStore). At most `maxEntries` ids are kept (the
 * oldest go first when full); each expires after its ttl.
 */
export function createMemoryStore(
  options: { maxEntries?: number; now?: () => number } = {},
): DeliveryStore & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  const expiries = new Map<string, number>();
  return {
    get size() {
      return expiries.size;
    },
    async seen(id, ttlSeconds) {
      const at = now();
      // ids are kept in insertion order: drop the expired ones at the front
      for (const [old, expiry] of expiries) {
        if (expiry > at) break;
        expiries.delete(old);
      }
      const expiry = expiries.get(id);
      if (expiry !== undefined && expiry > at) return true;
      expiries.delete(id);
      expiries.set(id, at + ttlSeconds * 1000);
      while (expiries.size > maxEntries) expiries.delete(expiries.keys().next().value!);
      return false;
    },
    async forget(id) {
      expiries.delete(id);
    },
  };
}

/**
 * The part of a node-redis client (the `redis` package, v4 to v6) the Redis store uses:
 * `SET key 1 NX EX ttl` answers "OK" when it set the key, null when the key existed.
 */
export interface RedisClientLike {
  set(key: string, value: string, options: { NX: true; EX: number }): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** Delivery ids in Redis, shared by every process that uses the same server and prefix. */
export function createRedisStore(
  client: RedisClientLike,
  options: { prefix?: string } = {},
): DeliveryStore {
  const prefix = options.prefix ?? "webhook-codegen:delivery:";
  return {
    async seen(id, ttlSeconds) {
      const reply = await client.set(prefix + id, "1", {
        NX: true,
        EX: Math.max(1, Math.ceil(ttlSeconds)),
      });
      return reply === null;
    },
    async forget(id) {
      await client.del(prefix + id);
    },
  };
}

// --- node:http ---------------------------------------------------------------------------

/** The parts of node:http's IncomingMessage the adapter uses (no @types/node needed). */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  on?(event: "error", listener: (error: unknown) => void): unknown;
  /** Set by a body parser (Express's json(), Fastify's request.raw after parsing): the raw body is gone. */
  body?: unknown;
  readableDidRead?: boolean;
  readableEnded?: boolean;
}

export interface NodeResponseLike {
  statusCode: number;
  headersSent?: boolean;
  setHeader(name: string, value: string): unknown;
  /** node:http's: the status and the headers in one call (how the adapter answers where it is there). */
  writeHead?(status: number, headers: Record<string, string>): unknown;
  end(body?: string | Uint8Array): unknown;
  on?(event: "error", listener: (error: unknown) => void): unknown;
  destroy?(error?: Error): unknown;
}

function ignore(): undefined {
  return undefined;
}

/** A node:http header by name (node keys them in lower case), repeated ones joined as Fetch does. */
function nodeHeader(headers: NodeRequestLike["headers"], name: string): string | null {
  const key = name.toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(headers, key)) return null;
  const value = headers[key];
  return typeof value === "string" ? value : Array.isArray(value) ? value.join(", ") : null;
}

function fetchHeaders(headers: NodeRequestLike["headers"]): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") out.set(name, value);
    else if (Array.isArray(value)) for (const v of value) out.append(name, v);
  }
  return out;
}

/** What node:http's IncomingMessage also has: the body read by its events, without an async iterator. */
interface NodeStreamLike {
  on(event: string, listener: (value: unknown) => void): unknown;
  removeListener(event: string, listener: (value: unknown) => void): unknown;
  pause(): unknown;
  readableEnded?: boolean;
}

function isNodeStream(req: object): req is NodeStreamLike {
  const stream = req as Partial<NodeStreamLike>;
  return (
    typeof stream.on === "function" &&
    typeof stream.removeListener === "function" &&
    typeof stream.pause === "function" &&
    // a body someone else has read to its end: the iterator says so at once
    stream.readableEnded !== true
  );
}

/** A read that `expire`s if it is still on the clock at `at` (performance.now()). */
interface Deadline {
  at: number;
  expire(): void;
}

/**
 * The deadlines of the node bodies being read, all on one timer set for the earliest: a
 * timer made and cleared for each request was measured at ~10 µs of a node:http request's
 * CPU time (a tenth of the whole). The timer is unref'd, so that it keeps no process alive:
 * a body being read has its socket for that.
 */
const deadlines = new Set<Deadline>();
let wakeUp: { at: number; timer: ReturnType<typeof setTimeout> } | undefined;

function startDeadline(timeoutMs: number, expire: () => void): Deadline {
  const deadline = { at: performance.now() + timeoutMs, expire };
  deadlines.add(deadline);
  if (wakeUp === undefined || deadline.at < wakeUp.at) wakeAt(deadline.at);
  return deadline;
}

function wakeAt(at: number): void {
  if (wakeUp !== undefined) clearTimeout(wakeUp.timer);
  const timer = setTimeout(expireDeadlines, Math.max(0, at - performance.now()));
  (timer as { unref?: () => void }).unref?.();
  wakeUp = { at, timer };
}

function expireDeadlines(): void {
  wakeUp = undefined;
  const now = performance.now();
  let next = Infinity;
  for (const deadline of deadlines) {
    if (deadline.at <= now) {
      deadlines.delete(deadline);
      deadline.expire();
    } else next = Math.min(next, deadline.at);
  }
  if (next !== Infinity) wakeAt(next);
}

/**
 * The body of a node stream, at most `limit` bytes within `timeoutMs`: 413 past the limit,
 * 408 past the time, 400 when the upload breaks off; on a refusal the stream is paused, so
 * nothing more of it is read.
 */
function readNodeStream(
  req: NodeStreamLike,
  limit: number,
  timeoutMs: number,
  reading: { complete: boolean },
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let settled = false;
    const finish = (error?: WebhookError) => {
      if (settled) return;
      settled = true;
      deadlines.delete(deadline);
      // read to its end, the stream has nothing more to say but "close" (or a late "error"),
      // which find this settled: its listeners are left to go with the request
      if (error === undefined) {
        resolve(chunks.length === 1 ? chunks[0]! : concat(...chunks));
        return;
      }
      req.removeListener("data", data);
      req.removeListener("end", end);
      req.removeListener("error", broken);
      req.removeListener("close", broken);
      req.pause();
      reject(error);
    };
    const data = (chunk: unknown) => {
      const bytes = typeof chunk === "string" ? encoder.encode(chunk) : (chunk as Uint8Array);
      size += bytes.length;
      if (size > limit) finish(new WebhookError(413, `the body is larger than ${limit} bytes`));
      else chunks.push(bytes);
    };
    const end = () => {
      reading.complete = true;
      finish();
    };
    // an error, or the connection closed before the body's end
    const broken = () => {
      if (!settled) finish(new WebhookError(400, "the body could not be read to its end"));
    };
    const deadline = startDeadline(timeoutMs, () =>
      finish(new WebhookError(408, `the body took more than ${timeoutMs} ms to arrive`)),
    );
    req.on("data", data);
    req.on("end", end);
    req.on("error", broken);
    req.on("close", broken);
  });
}

const jsonHeaders: readonly (readonly [string, string])[] = [["content-type", "application/json"]];

const ascii = /^[\x00-\x7f]*$/;

/** node:http's request headers, read by name as a Fetch Headers is. */
class NodeHeaders {
  readonly raw: NodeRequestLike["headers"];
  constructor(raw: NodeRequestLike["headers"]) {
    this.raw = raw;
  }
  get(name: string): string | null {
    return nodeHeader(this.raw, name);
  }
}

/** URL.canParse where the runtime has it (Node ≥ 19.9): the check without building a URL. */
const canParseUrl = (URL as { canParse?: (url: string, base: string) => boolean }).canParse;

/**
 * One node:http request and its response: the request as the handler's logic reads it
 * (our handlers are served from it without a Request), and the one answer written.
 */
class NodeExchange implements Incoming {
  readonly method: string;
  readonly headers: NodeHeaders;
  declared = NaN;
  /** Whether the body was read to its end; the answer to a request whose body was not closes the connection. */
  complete: boolean;
  private readonly req: NodeRequestLike;
  private readonly res: NodeResponseLike;
  private readonly limit: number;
  /** The body through the request's async iterator, made only if read that way. */
  private chunks: AsyncIterator<Uint8Array | string> | undefined;
  private size = 0;

  constructor(req: NodeRequestLike, res: NodeResponseLike, limit: number) {
    this.req = req;
    this.res = res;
    this.limit = limit;
    this.method = req.method ?? "POST";
    this.headers = new NodeHeaders(req.headers);
    this.complete = !this.hasBody;
  }

  get hasBody(): boolean {
    return this.method !== "GET" && this.method !== "HEAD";
  }

  private get base(): string {
    return `http://${nodeHeader(this.req.headers, "host") ?? "localhost"}`;
  }

  /**
   * The answer to a request that cannot be served at all, checked before anything is read.
   * `parsed`: a Host already seen to make a URL (a path-absolute URL cannot fail on it).
   */
  refusal(parsed: { host?: string | null }): Answer | undefined {
    const req = this.req;
    if (req.body !== undefined || req.readableDidRead === true || req.readableEnded === true) {
      this.complete = true;
      return answer(500, alreadyRead);
    }
    this.declared = Number(nodeHeader(req.headers, "content-length") ?? "");
    if (this.declared > this.limit)
      return answer(413, {
        error: "body_too_large",
        message: `the body is larger than ${this.limit} bytes`,
      });
    const url = req.url ?? "/";
    const host = nodeHeader(req.headers, "host");
    // "/x", not "//x" or "/\\x", which name a host of their own
    if (host === parsed.host && url[0] === "/" && url[1] !== "/" && url[1] !== "\\")
      return undefined;
    const base = `http://${host ?? "localhost"}`;
    let ok = true;
    if (canParseUrl) ok = canParseUrl(url, base);
    else
      try {
        new URL(url, base);
      } catch {
        ok = false;
      }
    if (!ok) return malformed;
    parsed.host = host;
    return undefined;
  }

  read(max: number, timeoutMs: number): Promise<Uint8Array> {
    if (!this.hasBody) return Promise.resolve(new Uint8Array(0));
    const limit = Math.min(max, this.limit);
    return isNodeStream(this.req)
      ? readNodeStream(this.req, limit, timeoutMs, this)
      : readChunks(() => this.next(), limit, timeoutMs);
  }

  /** The next chunk through the request's async iterator, counted in bytes, as sent. */
  async next(): Promise<IteratorResult<Uint8Array>> {
    this.chunks ??= this.req[Symbol.asyncIterator]();
    const chunk = await this.chunks.next();
    if (chunk.done) {
      this.complete = true;
      return chunk;
    }
    const bytes = typeof chunk.value === "string" ? encoder.encode(chunk.value) : chunk.value;
    this.size += bytes.length;
    if (this.size > this.limit)
      throw new WebhookError(413, `the body is larger than ${this.limit} bytes`);
    return { done: false, value: bytes };
  }

  /** The request's URL (refusal() has checked that it parses). */
  href(): string {
    return new URL(this.req.url ?? "/", this.base).href;
  }

  request(body: Uint8Array): Request {
    return new Request(this.href(), {
      method: this.method,
      headers: fetchHeaders(this.req.headers),
      ...(this.hasBody ? { body: bufferOf(body) } : {}),
    });
  }

  write(
    status: number,
    body: string | Uint8Array,
    headers: readonly (readonly [string, string])[],
  ): void {
    const res = this.res;
    if (res.headersSent) return;
    res.statusCode = status;
    for (const [name, value] of headers) res.setHeader(name, value);
    if (!this.complete) res.setHeader("connection", "close");
    res.end(body);
  }

  /**
   * Our JSON answer, with its Content-Length, in one writeHead (where the response has it:
   * node:http's does, and merges any header set before): one call instead of a setHeader
   * per header, and no per-response header map.
   */
  send(result: Answer): void {
    const text = answerText(result);
    const res = this.res;
    if (typeof res.writeHead !== "function") return this.write(result.status, text, jsonHeaders);
    if (res.headersSent) return;
    // the length in bytes: a string's length when it is ASCII (our JSON almost always is)
    const body = ascii.test(text) ? text : encoder.encode(text);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "content-length": String(body.length),
    };
    if (!this.complete) headers["connection"] = "close";
    res.writeHead(result.status, headers);
    res.end(body);
  }

  /** What is left when answering failed: a 500, else the socket closed. */
  fail(): void {
    try {
      this.send(answer(500, { error: "internal_error" }));
    } catch {
      this.res.destroy?.();
    }
  }
}

/** Any other Fetch handler: a Request whose body is streamed from node's, and its Response written back. */
async function serveFetch(
  handler: (request: Request) => Promise<Response>,
  exchange: NodeExchange,
): Promise<void> {
  let headers: Headers;
  try {
    headers = fetchHeaders(exchange.headers.raw);
  } catch {
    exchange.send(malformed);
    return;
  }
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: IteratorResult<Uint8Array>;
        try {
          chunk = await exchange.next();
        } catch (error) {
          controller.error(error);
          return;
        }
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      },
    },
    // nothing is read before the handler asks for it
    { highWaterMark: 0 },
  );
  let request: Request;
  try {
    // the URL as a string: Bun's types take no URL here
    request = new Request(exchange.href(), {
      method: exchange.method,
      headers,
      ...(exchange.hasBody ? { body, duplex: "half" } : {}),
    } as RequestInit);
  } catch {
    // a method Fetch cannot carry (TRACE, TRACK, CONNECT) or some other unrepresentable request
    exchange.send(
      exchange.method.toUpperCase() === "POST"
        ? answer(400, {
            error: "bad_request",
            message: "the request cannot be represented",
          })
        : answer(405, { error: "method_not_allowed" }),
    );
    return;
  }
  const response = await handler(request).catch(() =>
    respond(answer(500, { error: "internal_error" })),
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  const written: [string, string][] = [];
  response.headers.forEach((value, name) => void written.push([name, value]));
  exchange.write(response.status, bytes, written);
}

/**
 * Serves a Fetch-style handler from node:http (and so Express: mount it before any body
 * parser, which would consume the raw body the signature is over). A handler made by
 * `create<P>WebhookHandler` is served directly, without a Request or a Response (a handler's
 * `context.request` is built only when read); any other Fetch handler gets a Request whose
 * body is streamed. The headers are read first, then at most `maxBodyBytes`; a request
 * whose body was not read to its end (refused, too large, too slow) is answered with
 * `connection: close` and its connection closed, never drained. The returned promise never
 * rejects: every failure is an answer (400, 405, 413, 500) or a closed socket.
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options: { maxBodyBytes?: number } = {},
): (req: NodeRequestLike, res: NodeResponseLike) => Promise<void> {
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const core = (handler as unknown as { [coreKey]?: Core })[coreKey];
  // the last Host a URL was made from: a client sends the same one with every request
  const parsed: { host?: string | null } = {};
  return async (req, res) => {
    // a broken upload or connection is answered (or not) here, never thrown at the process
    req.on?.("error", ignore);
    res.on?.("error", ignore);
    const exchange = new NodeExchange(req, res, limit);
    try {
      const refusal = exchange.refusal(parsed);
      if (refusal !== undefined) exchange.send(refusal);
      else if (core) exchange.send(await core(exchange));
      else await serveFetch(handler, exchange);
    } catch {
      exchange.fail();
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
  checkSecret(secret);
  const verifier = createVerifier(config.signing, secret, options.toleranceSeconds);
  const body = typeof delivery.body === "string" ? encoder.encode(delivery.body) : delivery.body;
  const at = (options.now ?? Date.now)();
  const signed = await verifier.signature(delivery.headers, body, at);
  if (!signed.ok || config.signing.timestamp?.in !== "body") return signed;
  let payload: unknown;
  try {
    payload = parseJson(decoder.decode(body));
  } catch {
    return failure("stale_timestamp", "the body is not JSON, so its delivery time cannot be read");
  }
  return verifier.freshness(payload, at);
}

// --- signing, for consumers' tests -----------------------------------------------------------

export interface SignWebhookOptions {
  /** The signing secret, as the provider gives it (Standard Webhooks: `whsec_` + base64). */
  secret: string;
  /** The delivery time: a Date, or seconds since the epoch (default: now). */
  timestamp?: Date | number;
  /** The delivery's id (Standard Webhooks: the `<prefix>-id` header; default: a random `msg_…`). */
  id?: string;
  /** The event's name in its header, for a provider that names events in one (GitHub: `pull_request`). */
  event?: string;
}

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

/**
 * Signs a payload as the provider does, for tests: the headers and the exact body the
 * signature is over. A string is signed byte for byte as given; anything else is sent as
 * its JSON, with the delivery time written where the provider keeps it in the body (Plain:
 * webhookMetadata.webhookDeliveryAttemptTimestamp), so that the receiver finds it fresh.
 */
export async function signDelivery(
  config: ProviderConfig,
  payload: unknown,
  options: SignWebhookOptions,
): Promise<SignedWebhook> {
  const signing = config.signing;
  const at =
    options.timestamp === undefined
      ? Date.now()
      : typeof options.timestamp === "number"
        ? options.timestamp * 1000
        : options.timestamp.getTime();
  let body: string;
  if (typeof payload === "string") body = payload;
  else {
    const copy: unknown = JSON.parse(JSON.stringify(payload) ?? "null");
    const path = signing.timestamp?.in === "body" ? signing.timestamp.path : undefined;
    if (path !== undefined && path.length > 0 && typeof copy === "object" && copy !== null) {
      let node = copy as Record<string, unknown>;
      for (const key of path.slice(0, -1)) {
        const next = own(node, key);
        if (typeof next !== "object" || next === null || Array.isArray(next))
          Object.defineProperty(node, key, {
            value: {},
            enumerable: true,
            writable: true,
            configurable: true,
          });
        node = node[key] as Record<string, unknown>;
      }
      Object.defineProperty(node, path[path.length - 1]!, {
        value: new Date(at).toISOString(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    body = JSON.stringify(copy);
  }
  const key = keyFor(signing, options.secret);
  const seconds = Math.floor(at / 1000);
  const id = signing.id
    ? (options.id ?? `msg_${toHex(crypto.getRandomValues(new Uint8Array(12)))}`)
    : undefined;
  const signature =
    signing.prefix + (await key.sign(prefixWriter(signing)(id, seconds), encoder.encode(body)));
  const headers: Record<string, string> = {
    "content-type": "application/json",
  };
  // a field joins the others of its header (Stripe: t=…,v1=…), the timestamp first
  const put = (name: string, field: string | undefined, value: string) => {
    const key = name.toLowerCase();
    const entry = field === undefined ? value : `${field}=${value}`;
    headers[key] =
      field !== undefined && headers[key] !== undefined ? `${headers[key]},${entry}` : entry;
  };
  if (signing.id && id !== undefined) put(signing.id.name[0]!, undefined, id);
  if (signing.timestamp?.in === "header")
    put(signing.timestamp.name[0]!, signing.timestamp.field, String(seconds));
  put(signing.header[0]!, signing.field, signature);
  if (config.deliveryIdHeader !== undefined && options.id !== undefined)
    headers[config.deliveryIdHeader.toLowerCase()] = options.id;
  if (config.eventHeader !== undefined) {
    if (!options.event)
      throw new TypeError(
        `${config.provider} names its events in the ${config.eventHeader} header: pass the event's name as \`event\``,
      );
    headers[config.eventHeader.toLowerCase()] = options.event;
  }
  return { headers, body };
}

/** A signed POST `Request` carrying the payload, for calling a Fetch handler in tests. */
export async function createTestRequest(
  config: ProviderConfig,
  payload: unknown,
  options: SignWebhookOptions & { url?: string },
): Promise<Request> {
  const { headers, body } = await signDelivery(config, payload, options);
  return new Request(options.url ?? `http://localhost/webhooks/${config.provider}`, {
    method: "POST",
    headers,
    body,
  });
}
