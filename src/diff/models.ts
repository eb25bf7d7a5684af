import { compare } from "../order.js";
import type { VersionModel } from "../model/build.js";
import { diffSchemas } from "./compare.js";
import { isPlainObject } from "../json.js";
import { describeValues } from "./describe.js";
import { canonical } from "./pair.js";
import {
  emptyCounts,
  questions,
  severity,
  verdicts,
  type Change,
  type Classification,
  type DiffReport,
  type DiffSide,
  type EventDiff,
  type Question,
} from "./report.js";

/**
 * The library entry point of `codegen diff`: what changed for a receiver between two
 * versions of one provider's schemas, event by event and path by path. Deterministic:
 * events and changes are sorted, and nothing depends on time or place.
 */
export function diffModels(before: VersionModel, after: VersionModel): DiffReport {
  const oldEvents = new Map(before.events.map((e) => [e.name, e]));
  const newEvents = new Map(after.events.map((e) => [e.name, e]));
  const names = [...new Set([...oldEvents.keys(), ...newEvents.keys()])].sort(compare);
  const versionPath = versionPointer(after) ?? versionPointer(before);
  // the event-name enum every event repeats (Plain's root `type`) grows by the events added: they are "events added"
  const addedNames = new Set(after.events.filter((e) => !oldEvents.has(e.name)).flatMap((e) => e.names));
  const removedNames = new Set(before.events.filter((e) => !newEvents.has(e.name)).flatMap((e) => e.names));
  const renamed = meaningChanges(before, after);
  const events = names.map((name): EventDiff => {
    const was = oldEvents.get(name);
    const now = newEvents.get(name);
    if (was === undefined) return { name, status: "added", changes: [eventChange("event-added", `new event: ${name}`)] };
    if (now === undefined) return { name, status: "removed", changes: [eventChange("event-removed", `event no longer sent: ${name}`)] };
    const changes = diffSchemas({
      old: { schema: before.definitions[was.typeName], definitions: before.definitions },
      new: { schema: after.definitions[now.typeName], definitions: after.definitions },
      ...(versionPath === undefined ? {} : { versionPath }),
    }).flatMap((c) => foldEvents(c, addedNames, removedNames));
    // code handling this event imported the type by its old meaning
    changes.push(...renamed.filter((r) => reaches(before, was.typeName, r.definition!)));
    return { name, status: changes.length > 0 ? "changed" : "unchanged", changes };
  });
  return { from: side(before), to: side(after), summary: summarize(before, after, events), events };
}

function eventChange(kind: "event-added" | "event-removed", message: string): Change {
  return { path: "", kind, ...verdicts(kind), message };
}

/**
 * An enum listing event names: the names of events added (or removed) are "events added"
 * (or removed), not a change of every event. What is left, if anything, is the change.
 */
function foldEvents(change: Change, added: Set<string>, removed: Set<string>): Change[] {
  if (change.kind !== "enum-value-added" && change.kind !== "enum-value-removed") return [change];
  const before = Array.isArray(change.before) ? change.before : [];
  const after = Array.isArray(change.after) ? change.after : [];
  const adding = change.kind === "enum-value-added";
  const values = adding ? after.filter((v) => !before.includes(v)) : before.filter((v) => !after.includes(v));
  const folded = adding ? added : removed;
  const left = values.filter((v) => !(typeof v === "string" && folded.has(v)));
  if (left.length === values.length) return [change];
  if (left.length === 0) return [];
  const shown = describeValues(left);
  const plural = left.length === 1 ? "value" : "values";
  const message = adding ? `new ${plural}: ${shown}` : `${plural} no longer sent: ${shown}`;
  // the folded names are left out of the new list too, so a witness is made of what is left
  const kept = adding ? after.filter((v) => !(typeof v === "string" && folded.has(v) && !before.includes(v))) : after;
  const previous = adding ? before : before.filter((v) => !(typeof v === "string" && folded.has(v) && !after.includes(v)));
  return [{ ...change, message, before: previous, after: kept }];
}

/**
 * Exported type names that now mean another payload: a definition of the same name in
 * both versions whose pinned tag (a property fixed to one event name, such as Plain's
 * `eventType`) names another event. Code importing the type by its name gets the other payload.
 */
function meaningChanges(before: VersionModel, after: VersionModel): Change[] {
  const changes: Change[] = [];
  // a tag that names events: the type is now another event's payload (a version constant that moves is not that)
  const eventNames = new Set([...before.events, ...after.events].flatMap((e) => e.names));
  for (const name of Object.keys(after.definitions).sort(compare)) {
    const [was, now] = [before.definitions[name], after.definitions[name]];
    if (was === undefined || now === undefined || canonical(was) === canonical(now)) continue;
    const [oldTags, newTags] = [pinned(was), pinned(now)];
    const moved = Object.keys(newTags)
      .filter((p) => oldTags[p] !== undefined && oldTags[p] !== newTags[p] && eventNames.has(oldTags[p]!) && eventNames.has(newTags[p]!))
      .sort(compare)[0];
    if (moved === undefined) continue;
    const message = `the type ${name} now describes the payload with ${moved} ${JSON.stringify(newTags[moved])} (it described ${moved} ${JSON.stringify(oldTags[moved])})`;
    changes.push({ path: "", kind: "type-name-changed", ...verdicts("type-name-changed"), before: oldTags[moved], after: newTags[moved], message, definition: name, at: "" });
  }
  return changes;
}

/** Properties of an object schema pinned to one string. */
function pinned(schema: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const properties = isPlainObject(schema) ? schema["properties"] : undefined;
  if (!isPlainObject(properties)) return out;
  for (const [name, value] of Object.entries(properties)) {
    if (!isPlainObject(value)) continue;
    const values = "const" in value ? [value["const"]] : Array.isArray(value["enum"]) ? value["enum"] : [];
    if (values.length === 1 && typeof values[0] === "string") out[name] = values[0];
  }
  return out;
}

/** Does the definition `from` refer to `to`, directly or through others (or is it `to`)? */
function reaches(model: VersionModel, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (name === to) return true;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const ref of refsIn(model.definitions[name])) stack.push(ref);
  }
  return false;
}

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (isPlainObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") out.push(value.replace(/^#\/definitions\//, ""));
      else refsIn(value, out);
    }
  }
  return out;
}

function versionPointer(model: VersionModel): string | undefined {
  const version = model.provider.manifest.version;
  return version?.in === "body" ? version.pointer : undefined;
}

function side(model: VersionModel): DiffSide {
  return {
    provider: model.provider.name,
    version: model.version,
    source: model.source,
    ...(model.pinnedVersion === undefined ? {} : { payloadVersion: model.pinnedVersion }),
    events: model.events.length,
  };
}

export function summarize(before: Pick<VersionModel, "pinnedVersion">, after: Pick<VersionModel, "pinnedVersion">, events: EventDiff[]): DiffReport["summary"] {
  const changes = emptyCounts();
  const perQuestion: Record<Question, ReturnType<typeof emptyCounts>> = { receivers: emptyCounts(), code: emptyCounts() };
  const witnesses = { found: 0, missing: 0 };
  for (const change of events.flatMap((e) => e.changes)) {
    changes[change.classification]++;
    for (const q of questions) perQuestion[q][change[q].classification]++;
    if (change.witness) witnesses.found++;
    else if (change.witness === null) witnesses.missing++;
  }
  const worstOf = (counts: ReturnType<typeof emptyCounts>) =>
    (Object.keys(counts) as Classification[]).filter((c) => counts[c] > 0).sort((a, b) => severity(a) - severity(b))[0] ?? "none";
  const worst = worstOf(changes);
  const payloadVersion =
    before.pinnedVersion === after.pinnedVersion
      ? {}
      : { payloadVersion: { before: before.pinnedVersion ?? null, after: after.pinnedVersion ?? null } };
  return {
    changes,
    receivers: perQuestion.receivers,
    code: perQuestion.code,
    worst,
    worstFor: { receivers: worstOf(perQuestion.receivers), code: worstOf(perQuestion.code) },
    witnesses,
    ...payloadVersion,
    eventsAdded: events.filter((e) => e.status === "added").map((e) => e.name),
    eventsRemoved: events.filter((e) => e.status === "removed").map((e) => e.name),
    eventsChanged: events.filter((e) => e.status === "changed").map((e) => e.name),
    eventsUnchanged: events.filter((e) => e.status === "unchanged").length,
  };
}

/**
 * Does the report hold a change at least as severe as `threshold`, for the questions named
 * (both by default)? (For `--fail-on`.)
 */
export function hasChangeAtLeast(report: DiffReport, threshold: Classification, asked: readonly Question[] = questions): boolean {
  return report.events.some((e) => e.changes.some((c) => asked.some((q) => severity(c[q].classification) <= severity(threshold))));
}

/** `--fail-on` values: `breaking`, `potentially-breaking`, or either prefixed `receivers:` / `code:`; several separated by commas. */
export function parseFailOn(text: string): { threshold: Classification; questions: Question[] }[] | undefined {
  const parsed = text.split(",").map((part) => {
    const [first, second] = part.trim().split(":");
    const [question, level] = second === undefined ? [undefined, first] : [first, second];
    if (level !== "breaking" && level !== "potentially-breaking") return undefined;
    if (question !== undefined && question !== "receivers" && question !== "code") return undefined;
    return { threshold: level as Classification, questions: question === undefined ? [...questions] : [question as Question] };
  });
  return parsed.every((p) => p !== undefined) ? (parsed as { threshold: Classification; questions: Question[] }[]) : undefined;
}

export function failsOn(report: DiffReport, failOn: { threshold: Classification; questions: Question[] }[]): boolean {
  return failOn.some((f) => hasChangeAtLeast(report, f.threshold, f.questions));
}
