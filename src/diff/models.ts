import { compare, type VersionModel } from "../model/build.js";
import { diffSchemas } from "./compare.js";
import {
  classify,
  emptyCounts,
  severity,
  type Change,
  type Classification,
  type DiffReport,
  type DiffSide,
  type EventDiff,
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
  const events = names.map((name): EventDiff => {
    const was = oldEvents.get(name);
    const now = newEvents.get(name);
    if (was === undefined) return { name, status: "added", changes: [eventChange("event-added", `new event: ${name}`)] };
    if (now === undefined) return { name, status: "removed", changes: [eventChange("event-removed", `event no longer sent: ${name}`)] };
    const changes = diffSchemas({
      old: { schema: before.definitions[was.typeName], definitions: before.definitions },
      new: { schema: after.definitions[now.typeName], definitions: after.definitions },
      ...(versionPath === undefined ? {} : { versionPath }),
    });
    return { name, status: changes.length > 0 ? "changed" : "unchanged", changes };
  });
  return { from: side(before), to: side(after), summary: summarize(before, after, events), events };
}

function eventChange(kind: "event-added" | "event-removed", message: string): Change {
  return { path: "", kind, classification: classify(kind), message };
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

function summarize(before: VersionModel, after: VersionModel, events: EventDiff[]): DiffReport["summary"] {
  const changes = emptyCounts();
  for (const change of events.flatMap((e) => e.changes)) changes[change.classification]++;
  const worst = (Object.keys(changes) as Classification[])
    .filter((c) => changes[c] > 0)
    .sort((a, b) => severity(a) - severity(b))[0];
  const payloadVersion =
    before.pinnedVersion === after.pinnedVersion
      ? {}
      : { payloadVersion: { before: before.pinnedVersion ?? null, after: after.pinnedVersion ?? null } };
  return {
    changes,
    worst: worst ?? "none",
    ...payloadVersion,
    eventsAdded: events.filter((e) => e.status === "added").map((e) => e.name),
    eventsRemoved: events.filter((e) => e.status === "removed").map((e) => e.name),
    eventsChanged: events.filter((e) => e.status === "changed").map((e) => e.name),
    eventsUnchanged: events.filter((e) => e.status === "unchanged").length,
  };
}

/** Does the report hold a change at least as severe as `threshold`? (For `--fail-on`.) */
export function hasChangeAtLeast(report: DiffReport, threshold: Classification): boolean {
  return report.events.some((e) => e.changes.some((c) => severity(c.classification) <= severity(threshold)));
}
