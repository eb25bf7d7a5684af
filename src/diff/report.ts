/**
 * What `codegen diff` reports: the shape of a diff between two versions of one provider's
 * schemas (also the `--format json` output), and the rules that classify each kind of
 * change twice: for the receivers already deployed (built from the old schemas, they answer
 * 400 to every payload their validators reject) and for the code written against the old
 * types once it is regenerated.
 */
export type Classification = "breaking" | "potentially-breaking" | "safe";

/** Most severe first. */
export const classifications: readonly Classification[] = ["breaking", "potentially-breaking", "safe"];

/** The two questions every change is judged by. */
export type Question = "receivers" | "code";
export const questions: readonly Question[] = ["receivers", "code"];
export const questionLabels: Record<Question, string> = { receivers: "deployed receivers", code: "your code" };

export type ChangeKind =
  | "event-added"
  | "event-removed"
  | "version-changed"
  | "property-added"
  | "property-added-closed"
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
  | "pattern-widened"
  | "pattern-narrowed"
  | "pattern-changed"
  | "constraint-loosened"
  | "constraint-tightened"
  | "type-name-changed";

/** A class and the one-line reason for it. */
export interface Verdict {
  classification: Classification;
  why: string;
}

export interface Rule {
  /** A short heading for the kind, as the text and markdown reports group by it. */
  title: string;
  /** Will a receiver generated from the old schemas reject payloads the new schemas allow? */
  receivers: Verdict;
  /** Will code written against the old types break (tsc or at run time) after regenerating? */
  code: Verdict;
}

const v = (classification: Classification, why: string): Verdict => ({ classification, why });

/**
 * The classification rules. Receivers: breaking when the new schemas allow a payload the
 * old validators reject (`diff` then proves it with a witness payload, and a change it
 * cannot witness is reported as potentially breaking, "no witness found"). Code: breaking
 * when code that compiled against the old types stops compiling or reads what is no longer
 * there. The README's "codegen diff" section lists the same rules with an example each.
 */
export const rules: Record<ChangeKind, Rule> = {
  "event-added": {
    title: "event added",
    receivers: v("potentially-breaking", "a receiver built from the old schemas answers 400 unknown_event to it: regenerate before subscribing to it"),
    code: v("safe", "nothing your code handles changes"),
  },
  "event-removed": {
    title: "event removed",
    receivers: v("safe", "the old validators are never asked about it again"),
    code: v("breaking", "its type and handler key are gone: code importing them no longer compiles, its handler never fires"),
  },
  "version-changed": {
    title: "payload version changed",
    receivers: v("breaking", "every payload declares the new version, which the old receiver does not accept"),
    code: v("potentially-breaking", "code comparing the version with the old value no longer matches"),
  },
  "property-added": {
    title: "property added",
    receivers: v("safe", "the object accepts properties it does not list, so old validators accept it"),
    code: v("safe", "code that does not read it is unaffected"),
  },
  "property-added-closed": {
    title: "property added to a closed object",
    receivers: v("breaking", "the old schema forbids unlisted properties (additionalProperties: false): old validators reject every payload carrying it"),
    code: v("safe", "code that does not read it is unaffected"),
  },
  "property-removed": {
    title: "required property removed",
    receivers: v("breaking", "old validators require it: payloads without it are rejected"),
    code: v("breaking", "the property is gone from the type: code reading it no longer compiles"),
  },
  "optional-property-removed": {
    title: "optional property removed",
    receivers: v("safe", "payloads without it were already valid"),
    code: v("breaking", "the property is gone from the type: code reading it no longer compiles"),
  },
  "property-optional": {
    title: "property no longer required",
    receivers: v("breaking", "old validators require it: payloads without it are rejected"),
    code: v("breaking", "the type says it may be undefined: tsc rejects code that uses it unchecked"),
  },
  "property-required": {
    title: "property now required",
    receivers: v("safe", "payloads with it were already valid"),
    code: v("safe", "it is always present now; code that checked for its absence still works"),
  },
  "type-widened": {
    title: "type widened",
    receivers: v("breaking", "old validators reject values of the new type"),
    code: v("breaking", "a value may now be of a type the code does not handle: tsc rejects code that assumed the old one"),
  },
  "type-narrowed": {
    title: "type narrowed",
    receivers: v("safe", "every new value was already valid"),
    code: v("potentially-breaking", "code that builds or stores the old type (fixtures, forwarding) may no longer fit; code reading it is unaffected"),
  },
  "type-changed": {
    title: "type changed",
    receivers: v("breaking", "old validators reject values of the new type"),
    code: v("breaking", "values are of a type the code did not handle: tsc rejects it"),
  },
  "null-added": {
    title: "may now be null",
    receivers: v("breaking", "old validators reject null there"),
    code: v("breaking", "the type now includes null: tsc rejects code that uses it without a null check"),
  },
  "null-removed": {
    title: "no longer null",
    receivers: v("safe", "every new value was already valid"),
    code: v("safe", "a null check the code has is merely never taken"),
  },
  "enum-value-added": {
    title: "enum value added",
    receivers: v("breaking", "old validators reject the new value"),
    code: v("potentially-breaking", "an exhaustive switch or a lookup table does not handle the new value"),
  },
  "enum-value-removed": {
    title: "enum value removed",
    receivers: v("safe", "every new value was already valid"),
    code: v("potentially-breaking", "tsc rejects comparisons with the removed value (the types no longer overlap)"),
  },
  "const-changed": {
    title: "constant changed",
    receivers: v("breaking", "old validators reject the new value"),
    code: v("breaking", "the literal type changed: code comparing with the old value no longer compiles or matches"),
  },
  "values-unrestricted": {
    title: "values no longer restricted",
    receivers: v("breaking", "old validators reject values outside the old enum"),
    code: v("potentially-breaking", "the type widens from a list of literals: code relying on the list may not compile"),
  },
  "values-restricted": {
    title: "values now restricted",
    receivers: v("safe", "every new value was already valid"),
    code: v("safe", "only values the code already saw can arrive"),
  },
  "variant-added": {
    title: "union variant added",
    receivers: v("breaking", "old validators reject the new variant"),
    code: v("potentially-breaking", "code that switches over the variants does not handle the new one"),
  },
  "variant-removed": {
    title: "union variant removed",
    receivers: v("safe", "every new value was already valid"),
    code: v("potentially-breaking", "code narrowing to the removed variant (a case on its tag) no longer compiles"),
  },
  "additional-properties-opened": {
    title: "additional properties allowed",
    receivers: v("breaking", "old validators reject objects carrying unlisted properties"),
    code: v("safe", "code reading known fields is unaffected"),
  },
  "additional-properties-closed": {
    title: "additional properties forbidden",
    receivers: v("safe", "every new value was already valid"),
    code: v("safe", "objects carry only the listed fields"),
  },
  "format-added": {
    title: "format added",
    receivers: v("safe", "every new value was already valid"),
    code: v("safe", "values are now guaranteed to have that format"),
  },
  "format-removed": {
    title: "format removed",
    receivers: v("breaking", "old validators reject values outside the old format"),
    code: v("potentially-breaking", "code that parses the value by its old format may fail"),
  },
  "format-changed": {
    title: "format changed",
    receivers: v("breaking", "old validators reject values of the new format"),
    code: v("potentially-breaking", "code parsing the old format fails on the new values"),
  },
  "pattern-added": {
    title: "pattern added",
    receivers: v("safe", "every new value was already valid"),
    code: v("safe", "values are now guaranteed to match it"),
  },
  "pattern-removed": {
    title: "pattern removed",
    receivers: v("breaking", "old validators reject values that do not match the old pattern"),
    code: v("potentially-breaking", "code that relies on the old shape of the value (a prefix, a separator) may fail"),
  },
  "pattern-widened": {
    title: "pattern widened",
    receivers: v("breaking", "the new pattern accepts strings the old one rejects"),
    code: v("potentially-breaking", "code that relies on the old shape of the value may fail"),
  },
  "pattern-narrowed": {
    title: "pattern narrowed",
    receivers: v("safe", "no string tried matches the new pattern but not the old one"),
    code: v("safe", "values keep the old shape"),
  },
  "pattern-changed": {
    title: "pattern changed",
    receivers: v("breaking", "each pattern accepts strings the other rejects"),
    code: v("potentially-breaking", "code that relies on the old shape of the value may fail"),
  },
  "constraint-loosened": {
    title: "limit loosened",
    receivers: v("breaking", "old validators reject values beyond the old limit"),
    code: v("potentially-breaking", "values may now be longer, larger or more numerous than the code (or a database column) allows"),
  },
  "constraint-tightened": {
    title: "limit tightened",
    receivers: v("safe", "every new value was already valid"),
    code: v("safe", "values stay within what the code already saw"),
  },
  "type-name-changed": {
    title: "type name means another payload",
    receivers: v("safe", "the payloads themselves are compared where they are sent"),
    code: v("breaking", "code importing the type by name now gets another payload's type: tsc rejects it"),
  },
};

/** A payload the new validators accept and the old ones reject: the proof of a change breaking deployed receivers. */
export interface Witness {
  event: string;
  /** Where the witness differs from a payload both accept (or from the sample it started from): a JSON pointer. */
  path: string;
  /** The value there (absent when the witness removes the property). */
  value?: unknown;
  removed?: true;
  /** What the old validators answer to it (the kind of their result: invalid_payload, version_mismatch). */
  oldAnswer: string;
  /** The error of theirs this change causes (one the payload without the change does not get). */
  oldError?: string;
  /** The sample the witness was made from, or "generated". */
  from: string;
  payload: unknown;
}

export interface Change {
  /**
   * Where in the payload: a JSON pointer, with `*` for any array item (or map value) and
   * `[tag=value]` naming a variant of a tagged union: `/payload/thread/labels/*`,
   * `/payload/actor[actorType=USER]/userId`. "" is the payload itself.
   */
  path: string;
  kind: ChangeKind;
  /** The worse of the two verdicts. */
  classification: Classification;
  receivers: Verdict;
  code: Verdict;
  /** For a change breaking receivers: the witness payload, or null when none was found (then it is potentially breaking). */
  witness?: Witness | null;
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
    /** Changes counted once per event and path, by the worse of their two verdicts. */
    changes: Counts;
    /** The same, per question. */
    receivers: Counts;
    code: Counts;
    /** The worst verdict per question ("none" when nothing changed). */
    worstFor: Record<Question, Classification | "none">;
    /** Witness payloads found, and changes breaking receivers by rule for which none was found. */
    witnesses: { found: number; missing: number };
    /** The worst classification of any change; "safe" when nothing changed. */
    worst: Classification | "none";
    /** With what the old validators answer to a payload declaring the new version (from the witness at the version field). */
    payloadVersion?: { before: string | null; after: string | null; oldAnswer?: string };
    eventsAdded: string[];
    eventsRemoved: string[];
    eventsChanged: string[];
    eventsUnchanged: number;
  };
  /** Sorted by event name. */
  events: EventDiff[];
}

/** The worse of a kind's two verdicts. */
export function classify(kind: ChangeKind): Classification {
  return worse(rules[kind].receivers.classification, rules[kind].code.classification);
}

export function worse(a: Classification, b: Classification): Classification {
  return severity(a) <= severity(b) ? a : b;
}

/** The verdicts of a change of this kind, as a change carries them. */
export function verdicts(kind: ChangeKind): Pick<Change, "classification" | "receivers" | "code"> {
  const rule = rules[kind];
  return { classification: classify(kind), receivers: { ...rule.receivers }, code: { ...rule.code } };
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
