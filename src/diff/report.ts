/**
 * What `codegen diff` reports: the shape of a diff between two versions of one provider's
 * schemas (also the `--format json` output), and the rule that classifies each kind of
 * change for a receiver of the webhooks.
 */
export type Classification = "breaking" | "potentially-breaking" | "safe";

/** Most severe first. */
export const classifications: readonly Classification[] = ["breaking", "potentially-breaking", "safe"];

export type ChangeKind =
  | "event-added"
  | "event-removed"
  | "version-changed"
  | "property-added"
  | "property-removed"
  | "optional-property-removed"
  | "property-optional"
  | "property-required"
  | "type-widened"
  | "type-narrowed"
  | "type-changed"
  | "null-added"
  | "null-removed"
  | "enum-value-added"
  | "enum-value-removed"
  | "const-changed"
  | "values-unrestricted"
  | "values-restricted"
  | "variant-added"
  | "variant-removed"
  | "additional-properties-opened"
  | "additional-properties-closed"
  | "format-added"
  | "format-removed"
  | "format-changed"
  | "pattern-added"
  | "pattern-removed"
  | "pattern-changed"
  | "constraint-loosened"
  | "constraint-tightened";

export interface Rule {
  classification: Classification;
  /** A short heading for the kind, as the text and markdown reports group by it. */
  title: string;
  /** Why a receiver is or is not affected. */
  why: string;
}

/**
 * The classification rules, for a receiver: code written against the old version that
 * now receives payloads of the new one. It breaks when a payload it understood may now
 * look different; payloads that become a subset of what it saw before are safe.
 * The README's "codegen diff" section lists the same rules with an example each.
 */
export const rules: Record<ChangeKind, Rule> = {
  "event-added": { classification: "safe", title: "event added", why: "nothing is sent that a receiver used to handle differently; subscribe to it when you want it" },
  "event-removed": { classification: "breaking", title: "event removed", why: "its handler never fires again" },
  "version-changed": { classification: "breaking", title: "payload version changed", why: "every payload now declares the new version; validators generated from the old schemas answer version_mismatch" },
  "property-added": { classification: "safe", title: "property added", why: "code that does not read it is unaffected" },
  "property-removed": { classification: "breaking", title: "required property removed", why: "code that reads it gets undefined" },
  "optional-property-removed": { classification: "potentially-breaking", title: "optional property removed", why: "code already handles its absence, but now always takes that path" },
  "property-optional": { classification: "breaking", title: "property no longer required", why: "code that reads it may get undefined" },
  "property-required": { classification: "safe", title: "property now required", why: "it is always present now; code that checked for its absence still works" },
  "type-widened": { classification: "breaking", title: "type widened", why: "a value may now be of a type the code does not handle" },
  "type-narrowed": { classification: "breaking", title: "type narrowed", why: "the regenerated type drops a case your code handles: tsc rejects the now-impossible branches, and code that sends or stores the old type no longer fits" },
  "type-changed": { classification: "breaking", title: "type changed", why: "values are of a type the code did not handle" },
  "null-added": { classification: "breaking", title: "may now be null", why: "code that uses the value without a null check throws" },
  "null-removed": { classification: "safe", title: "no longer null", why: "a null check the code has is merely never taken" },
  "enum-value-added": { classification: "potentially-breaking", title: "enum value added", why: "an exhaustive switch or a lookup table does not handle the new value" },
  "enum-value-removed": { classification: "safe", title: "enum value removed", why: "the value is no longer sent; code handling it is merely unused" },
  "const-changed": { classification: "breaking", title: "constant changed", why: "every payload carries the new value; code comparing with the old one no longer matches" },
  "values-unrestricted": { classification: "potentially-breaking", title: "values no longer restricted", why: "values outside the old enum may now arrive" },
  "values-restricted": { classification: "safe", title: "values now restricted", why: "only values the code already saw can arrive" },
  "variant-added": { classification: "potentially-breaking", title: "union variant added", why: "code that switches over the variants does not handle the new one" },
  "variant-removed": { classification: "safe", title: "union variant removed", why: "the variant is no longer sent; code handling it is merely unused" },
  "additional-properties-opened": { classification: "potentially-breaking", title: "additional properties allowed", why: "objects may now carry unlisted fields; code reading known fields is unaffected, code that iterates, copies or strictly re-validates the object may not be" },
  "additional-properties-closed": { classification: "safe", title: "additional properties forbidden", why: "objects carry only the listed fields" },
  "format-added": { classification: "safe", title: "format added", why: "values are now guaranteed to have that format" },
  "format-removed": { classification: "potentially-breaking", title: "format removed", why: "code that parses the value by its old format may fail" },
  "format-changed": { classification: "breaking", title: "format changed", why: "values now have another format; code parsing the old one fails" },
  "pattern-added": { classification: "safe", title: "pattern added", why: "values are now guaranteed to match it" },
  "pattern-removed": { classification: "potentially-breaking", title: "pattern removed", why: "code that relies on the old shape of the value (a prefix, a separator) may fail" },
  "pattern-changed": { classification: "potentially-breaking", title: "pattern changed", why: "values may no longer match the old pattern; whether the new one accepts more cannot be told in general" },
  "constraint-loosened": { classification: "potentially-breaking", title: "limit loosened", why: "values may now be longer, larger or more numerous than the code (or a database column) allows" },
  "constraint-tightened": { classification: "safe", title: "limit tightened", why: "values stay within what the code already saw" },
};

export interface Change {
  /**
   * Where in the payload: a JSON pointer, with `*` for any array item (or map value) and
   * `[tag=value]` naming a variant of a tagged union: `/payload/thread/labels/*`,
   * `/payload/actor[actorType=USER]/userId`. "" is the payload itself.
   */
  path: string;
  kind: ChangeKind;
  classification: Classification;
  /** The old and new value of what changed (a type, the enum values, a pattern…), when there is one. */
  before?: unknown;
  after?: unknown;
  /** One readable sentence. */
  message: string;
  /**
   * The shared definition the change sits in, and the path inside it: the same change
   * reached from several events or paths has the same `definition` and `at`.
   */
  definition?: string;
  at?: string;
}

export type EventStatus = "added" | "removed" | "changed" | "unchanged";

export interface EventDiff {
  name: string;
  status: EventStatus;
  /** Sorted by path, then kind. */
  changes: Change[];
}

export interface DiffSide {
  provider: string;
  /** The version folder's name (a document's file name without .json). */
  version: string;
  /** Where the schemas were read from. */
  source: string;
  /** The version every payload declares (Plain's webhookTargetVersion), when the schemas pin one. */
  payloadVersion?: string;
  events: number;
}

export type Counts = Record<Classification, number>;

export interface DiffReport {
  from: DiffSide;
  to: DiffSide;
  summary: {
    /** Changes counted once per event and path. */
    changes: Counts;
    /** The worst classification of any change; "safe" when nothing changed. */
    worst: Classification | "none";
    payloadVersion?: { before: string | null; after: string | null };
    eventsAdded: string[];
    eventsRemoved: string[];
    eventsChanged: string[];
    eventsUnchanged: number;
  };
  /** Sorted by event name. */
  events: EventDiff[];
}

export function classify(kind: ChangeKind): Classification {
  return rules[kind].classification;
}

export function severity(classification: Classification): number {
  return classifications.indexOf(classification);
}

export function emptyCounts(): Counts {
  return { breaking: 0, "potentially-breaking": 0, safe: 0 };
}

export const classificationLabels: Record<Classification, string> = {
  breaking: "breaking",
  "potentially-breaking": "potentially breaking",
  safe: "safe",
};
