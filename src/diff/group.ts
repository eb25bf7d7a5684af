import { compare } from "../order.js";
import { isGeneratedName } from "./describe.js";
import { questions, rules, severity, type Change, type ChangeKind, type Classification, type DiffReport, type EventDiff, type Question, type Verdict, type Witness } from "./report.js";

/**
 * For the readable reports: the same change (same kind, same message) reached from several
 * paths, such as a change to a shared definition like Thread or to the same root field of
 * every event, is one group, shown once with the places, paths and events it affects. A
 * group that reaches several events is "shared" and numbered (S1, S2, …) so each event
 * can point at it.
 */
export interface ChangeGroup {
  /** "S1", "S2", … for shared groups; "" for an event's own. */
  id: string;
  kind: ChangeKind;
  classification: Classification;
  receivers: Verdict;
  code: Verdict;
  /** The first witness found for the group's changes (null: none found; absent: none needed), and how many were found. */
  witness?: Witness | null;
  witnesses: number;
  message: string;
  /**
   * Where the change is, independent of the path it was reached by: `User/status` (a
   * definition and the path in it), or `/type` (the same path of each event's root). Sorted.
   */
  places: string[];
  /** Each path, with the events it is reached in (sorted). */
  paths: { path: string; events: string[] }[];
  events: string[];
}

export interface GroupedEvent {
  name: string;
  status: EventDiff["status"];
  own: ChangeGroup[];
  /** The ids of the shared groups that reach this event. */
  shared: string[];
}

export interface GroupedReport {
  shared: ChangeGroup[];
  events: GroupedEvent[];
  /** Count of distinct changes (groups) per classification, events added and removed not included. */
  distinct: Record<Classification, number>;
  /** The same per question. */
  distinctFor: Record<Question, Record<Classification, number>>;
  /** Events present in both versions. */
  common: number;
}

const eventKinds = new Set<ChangeKind>(["event-added", "event-removed"]);

export function groupReport(report: DiffReport): GroupedReport {
  const groups = new Map<string, ChangeGroup>();
  for (const event of report.events) {
    for (const change of event.changes) {
      if (eventKinds.has(change.kind)) continue;
      const key = JSON.stringify([change.kind, change.message, change.receivers.classification, change.code.classification]);
      const group = groups.get(key) ?? newGroup(change);
      groups.set(key, group);
      addOccurrence(group, event.name, change);
    }
  }
  const all = [...groups.values()].sort(byImportance);
  const shared = all.filter((g) => g.events.length > 1);
  shared.forEach((g, i) => (g.id = `S${i + 1}`));
  const distinct = { breaking: 0, "potentially-breaking": 0, safe: 0 };
  const distinctFor = { receivers: { breaking: 0, "potentially-breaking": 0, safe: 0 }, code: { breaking: 0, "potentially-breaking": 0, safe: 0 } };
  for (const group of all) {
    distinct[group.classification]++;
    for (const q of questions) distinctFor[q][group[q].classification]++;
  }
  const events = report.events.map(
    (event): GroupedEvent => ({
      name: event.name,
      status: event.status,
      own: all.filter((g) => g.events.length === 1 && g.events[0] === event.name),
      shared: shared.filter((g) => g.events.includes(event.name)).map((g) => g.id),
    }),
  );
  const common = report.events.filter((e) => e.status === "changed" || e.status === "unchanged").length;
  return { shared, events, distinct, distinctFor, common };
}

function newGroup(change: Change): ChangeGroup {
  return {
    id: "",
    kind: change.kind,
    classification: change.classification,
    receivers: change.receivers,
    code: change.code,
    witnesses: 0,
    message: change.message,
    places: [],
    paths: [],
    events: [],
  };
}

/** A definition and the path in it; a name the model made up (not the provider's) gives way to the payload path. */
function placeOf(change: Change): string {
  const at = change.at ?? change.path;
  if (change.definition === undefined || isGeneratedName(change.definition)) return (change.definition === undefined ? at : change.path) || "(root)";
  return `${change.definition}${at}`;
}

function addOccurrence(group: ChangeGroup, event: string, change: Change): void {
  if (change.witness) {
    group.witnesses++;
    if (!group.witness) group.witness = change.witness;
  } else if (change.witness === null && group.witness === undefined) group.witness = null;
  const place = placeOf(change);
  if (!group.places.includes(place)) group.places = [...group.places, place].sort(compare);
  let entry = group.paths.find((p) => p.path === change.path);
  if (!entry) {
    entry = { path: change.path, events: [] };
    group.paths = [...group.paths, entry].sort((a, b) => compare(a.path, b.path));
  }
  if (!entry.events.includes(event)) entry.events.push(event);
  if (!group.events.includes(event)) group.events.push(event);
}

/** Most severe first, then by kind as the rules list them, then by where. */
function byImportance(a: ChangeGroup, b: ChangeGroup): number {
  const kinds = Object.keys(rules);
  return (
    severity(a.classification) - severity(b.classification) ||
    kinds.indexOf(a.kind) - kinds.indexOf(b.kind) ||
    compare(a.places[0] ?? "", b.places[0] ?? "") ||
    compare(a.message, b.message)
  );
}
