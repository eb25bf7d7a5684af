/** The provider manifest, schemas/<provider>/provider.json (validated by meta/provider.schema.json). */
export type Location = { in: "body"; pointer: string } | { in: "header"; name: string };

/** Where the event name is: a body pointer, a header, or a header refined by a body pointer (GitHub's X-GitHub-Event + /action). */
export type EventLocation = { in: "body"; pointer: string } | { in: "header"; name: string; refine?: string; operation?: string };

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
