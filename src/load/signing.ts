import { pointerSegments, type Signing } from "./manifest.js";

/**
 * A manifest's `signing` as the receiver runtime takes it (templates/receiver/runtime.ts,
 * SigningConfig): the presets ("hmac-sha256", Plain's; "standard-webhooks") and the
 * description by parts ("hmac") all become one description.
 */
export interface SigningDescription {
  algorithm: "sha1" | "sha256" | "sha512";
  encoding: "hex" | "base64";
  secret: "raw" | "base64" | "whsec";
  header: string[];
  prefix: string;
  separator?: string;
  field?: string;
  signed: string;
  timestamp?: { in: "header"; name: string[]; field?: string } | { in: "body"; path: string[] };
  id?: { in: "header"; name: string[] };
  toleranceSeconds: number;
}

/** A description that cannot work: the field of the manifest (a JSON pointer) and why. */
export interface SigningProblem {
  pointer: string;
  message: string;
}

const defaultTolerance = 300;

export function describeSigning(signing: Signing): SigningDescription {
  if (signing.scheme === "hmac-sha256") {
    return {
      algorithm: "sha256",
      encoding: signing.encoding,
      secret: "raw",
      header: [signing.header],
      prefix: "",
      signed: "{body}",
      ...(signing.timestamp?.in === "body"
        ? { timestamp: { in: "body" as const, path: pointerSegments(signing.timestamp.pointer) } }
        : {}),
      toleranceSeconds: signing.toleranceSeconds ?? defaultTolerance,
    };
  }
  if (signing.scheme === "standard-webhooks") {
    const prefixes = signing.headerPrefixes ?? ["webhook"];
    return {
      algorithm: "sha256",
      encoding: "base64",
      secret: "whsec",
      header: prefixes.map((p) => `${p}-signature`),
      prefix: "v1,",
      separator: " ",
      signed: "{id}.{timestamp}.{body}",
      timestamp: { in: "header", name: prefixes.map((p) => `${p}-timestamp`) },
      id: { in: "header", name: prefixes.map((p) => `${p}-id`) },
      toleranceSeconds: signing.toleranceSeconds ?? defaultTolerance,
    };
  }
  const timestamp = signing.timestamp;
  return {
    algorithm: signing.algorithm,
    encoding: signing.encoding,
    secret: signing.secret ?? "raw",
    header: [signing.header],
    prefix: signing.prefix ?? "",
    ...(signing.separator !== undefined ? { separator: signing.separator } : {}),
    ...(signing.field !== undefined ? { field: signing.field } : {}),
    signed: signing.signed ?? "{body}",
    ...(timestamp === undefined
      ? {}
      : {
          timestamp:
            timestamp.in === "body"
              ? { in: "body" as const, path: pointerSegments(timestamp.pointer) }
              : {
                  in: "header" as const,
                  name: [timestamp.name],
                  ...(timestamp.field !== undefined ? { field: timestamp.field } : {}),
                },
        }),
    ...(signing.id !== undefined ? { id: { in: "header" as const, name: [signing.id.name] } } : {}),
    toleranceSeconds: signing.toleranceSeconds ?? defaultTolerance,
  };
}

/**
 * What makes a signing description unworkable, beyond its shape (the meta-schema checks
 * that): each problem names the manifest field at fault.
 */
export function signingProblems(signing: Signing): SigningProblem[] {
  const problems: SigningProblem[] = [];
  const add = (field: string, message: string) => problems.push({ pointer: `/signing/${field}`, message });
  if (signing.scheme === "hmac-sha256") {
    if (signing.timestamp?.in === "header")
      add(
        "timestamp",
        "an hmac-sha256 signature covers the body only, so a timestamp header is not signed and anyone could refresh a captured delivery; use the \"hmac\" scheme with {timestamp} in signing.signed",
      );
    return problems;
  }
  if (signing.scheme !== "hmac") return problems;
  const signed = signing.signed ?? "{body}";
  const placeholders = [...signed.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
  for (const name of placeholders)
    if (name !== "body" && name !== "id" && name !== "timestamp")
      add("signed", `unknown placeholder {${name}}: the signed content is made of {id}, {timestamp} and {body}`);
  if (!signed.endsWith("{body}") || placeholders.filter((p) => p === "body").length !== 1)
    add("signed", `"${signed}" must end with {body}, once: what is signed is the raw body after any {id} and {timestamp}`);
  const timestamp = signing.timestamp;
  if (placeholders.includes("timestamp")) {
    if (timestamp === undefined) add("signed", "uses {timestamp}, but no signing.timestamp says where the delivery time is");
    else if (timestamp.in === "body")
      add("timestamp", "{timestamp} is signed, so it must come from a header: a time inside the body is read only after the signature is checked");
  } else if (timestamp?.in === "header") {
    add("signed", `the timestamp header ${timestamp.name} is not signed (no {timestamp}), so anyone could refresh a captured delivery`);
  }
  if (placeholders.includes("id") && signing.id === undefined)
    add("signed", "uses {id}, but no signing.id names the header of the delivery's id");
  if (signing.id !== undefined && !placeholders.includes("id"))
    add("id", "the id header is not signed (no {id} in signing.signed): use deliveryId for an unsigned id");
  if (signing.toleranceSeconds !== undefined && timestamp === undefined)
    add("toleranceSeconds", "no signing.timestamp: there is no delivery time to check against the tolerance");
  if (signing.field !== undefined && signing.separator !== undefined)
    add("separator", "a structured header (signing.field) is already split at its commas: give field or separator, not both");
  if (timestamp?.in === "header" && timestamp.field !== undefined && timestamp.name.toLowerCase() === signing.header.toLowerCase() && signing.field === undefined)
    add("timestamp/field", `${timestamp.name} is not a structured header of key=value fields: signing.field is not set`);
  if (timestamp?.in === "header" && timestamp.field === undefined && timestamp.name.toLowerCase() === signing.header.toLowerCase())
    add("timestamp", `${timestamp.name} holds the signature: the timestamp needs a field of it (timestamp.field)`);
  return problems;
}
