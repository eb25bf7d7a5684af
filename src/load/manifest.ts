/** The provider manifest, schemas/<provider>/provider.json (validated by meta/provider.schema.json). */
export type Location = { in: "body"; pointer: string } | { in: "header"; name: string };

/** Where the event name is: a body pointer, a header, or a header refined by a body pointer (GitHub's X-GitHub-Event + /action). */
export type EventLocation = { in: "body"; pointer: string } | HeaderEventLocation;

/**
 * An event named by a header. In a document, each event's header value is read from its
 * operation (`operation`, a pointer) or from the name of the definition a combined document's
 * branch refers to (`definition`, a pattern), and spelt as the header does (`spelling`).
 */
export interface HeaderEventLocation {
  in: "header";
  name: string;
  refine?: string;
  operation?: string;
  definition?: string;
  spelling?: Record<string, string>;
}

/** A header value read from a document (an operation's subcategory, a definition's name) spelt as the header does. */
export function spellHeaderValue(value: string, spelling: Record<string, string> = {}): string {
  return Object.entries(spelling).reduce((spelt, [from, to]) => spelt.split(from).join(to), value);
}

export type Signing =
  | {
      scheme: "hmac-sha256";
      header: string;
      encoding: "hex" | "base64";
      timestamp?: Location;
      toleranceSeconds?: number;
    }
  | { scheme: "standard-webhooks"; headerPrefixes?: string[]; toleranceSeconds?: number }
  | HmacSigning;

/** An HMAC scheme described by its parts (src/load/signing.ts checks that it can work). */
export interface HmacSigning {
  scheme: "hmac";
  algorithm: "sha1" | "sha256" | "sha512";
  encoding: "hex" | "base64";
  header: string;
  prefix?: string;
  separator?: string;
  field?: string;
  signed?: string;
  timestamp?: { in: "header"; name: string; field?: string } | { in: "body"; pointer: string };
  id?: { in: "header"; name: string };
  secret?: "raw" | "base64" | "whsec";
  toleranceSeconds?: number;
}

export interface Manifest {
  name: string;
  title: string;
  description?: string;
  docs?: string;
  event: EventLocation;
  version?: Location;
  signing: Signing;
  /** Where the delivery's id is, for replay protection (Standard Webhooks: its id header, by default). */
  deliveryId?: Location;
  publish?: { url: string };
  /** URI prefix (ending in "/") → a folder of the provider whose files `$ref`s reach under that prefix. */
  remotes?: Record<string, string>;
  /** Versions read from a published document in an installed npm package, by version name. */
  sources?: Record<string, PackageSource>;
}

/** A file of an npm package installed in the project, e.g. GitHub's OpenAPI document in @octokit/openapi-webhooks. */
export interface PackageSource {
  npm: string;
  file: string;
}

/** The segments of a JSON pointer ("/payload/eventType" → ["payload", "eventType"]). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}
