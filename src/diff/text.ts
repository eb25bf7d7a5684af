import { groupReport, type ChangeGroup, type GroupedEvent, type GroupedReport } from "./group.js";
import { shorten } from "./describe.js";
import {
  classificationLabels,
  classifications,
  questionLabels,
  questions,
  rules,
  type Classification,
  type Counts,
  type DiffReport,
  type DiffSide,
  type Witness,
} from "./report.js";

/**
 * The default output of `codegen diff`: a summary, then the changes shared by several
 * events (each once, with where it reaches), then each event's own changes grouped by
 * classification and kind. Plain text, no colours, deterministic.
 */
export function formatText(report: DiffReport): string {
  const grouped = groupReport(report);
  return [
    ...header(report),
    ...versionLines(report),
    ...summary(report, grouped),
    ...sharedSection(grouped),
    ...eventSection(grouped),
  ]
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd();
}

function header(report: DiffReport): string[] {
  const side = (label: string, s: DiffSide) =>
    `  ${label} ${s.source}  (${s.events} events${s.payloadVersion ? `, payload version ${s.payloadVersion}` : ""})`;
  return [`codegen diff: ${report.from.provider} ${report.from.version} → ${report.to.version}`, side("old", report.from), side("new", report.to), ""];
}

/** What the payload version change means for a receiver, as a headline and the advice after it. */
export function versionNotice(report: DiffReport): { headline: string; advice: string } | undefined {
  const change = report.summary.payloadVersion;
  if (change === undefined) return undefined;
  if (change.after === null) {
    return { headline: `Payloads no longer declare a version (they declared ${change.before}).`, advice: "Validators built from the new schemas do not check it." };
  }
  // what the old validators really answer to a new payload, from the witness of the change at the version field
  const answer = change.oldAnswer ?? "invalid_payload or version_mismatch";
  return {
    headline: `Payload version: ${change.before ?? "none"} → ${change.after}.`,
    advice:
      `Every payload of the new schemas declares ${change.after}. Add the new schemas and regenerate (npx codegen) ` +
      `before switching your webhook target to the new version: a receiver generated only from the old schemas answers 400 ` +
      `(version_mismatch: ${change.after} is not a version it accepts; with unknownVersion "latest" its validators answer ${answer}).`,
  };
}

function versionLines(report: DiffReport): string[] {
  const notice = versionNotice(report);
  return notice === undefined ? [] : [...wrap(`${notice.headline} ${notice.advice}`, 100), ""];
}

function summary(report: DiffReport, grouped: GroupedReport): string[] {
  const s = report.summary;
  const counts = classifications
    .map((c) => `${grouped.distinct[c]} ${classificationLabels[c]}`)
    .join(", ");
  const perPath = classifications.map((c) => s.changes[c]).join(" / ");
  const list = (names: string[]) => (names.length === 0 ? "none" : names.join(", "));
  const asked = (counts: Counts) => classifications.map((c) => `${counts[c]} ${classificationLabels[c]}`).join(", ");
  const witnessed = s.witnesses.found + s.witnesses.missing === 0 ? "" : `; witness payloads: ${s.witnesses.found} found, ${s.witnesses.missing} not found`;
  return [
    `Deployed receivers (built from the old schemas): ${asked(grouped.distinctFor.receivers)}${witnessed}`,
    `Your code (written against the old types, regenerated): ${asked(grouped.distinctFor.code)}`,
    `Changes within events, by the worse of the two: ${counts} (${perPath} counted once per event and path)`,
    `Events: ${s.eventsAdded.length} added, ${s.eventsRemoved.length} removed, ${s.eventsChanged.length} changed, ${s.eventsUnchanged} unchanged`,
    ...(s.eventsAdded.length === 0
      ? []
      : wrap(`added (receivers: potentially breaking, they answer 400 unknown_event until regenerated; code: safe): ${listCut(s.eventsAdded)}`, 100, "  ")),
    ...(s.eventsRemoved.length === 0
      ? []
      : wrap(`removed (receivers: safe; code: breaking, their types are gone and handlers never fire): ${listCut(s.eventsRemoved)}`, 100, "  ")),
    "",
  ];
}

/** At most a handful of names, then a count. */
export function listCut(names: string[], max = 8): string {
  if (names.length === 0) return "none";
  return names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/** The two verdicts and the witness, as indented lines under a change. */
export function verdictLines(group: ChangeGroup, indent: string): string[] {
  const lines: string[] = [];
  for (const q of questions) {
    const verdict = group[q];
    lines.push(...wrap(`${questionLabels[q]}: ${classificationLabels[verdict.classification]} · ${verdict.why}`, 110, indent, "  "));
    if (q === "receivers" && group.witness) lines.push(...wrap(`witness: ${describeWitness(group.witness)}`, 110, indent, "  "));
  }
  return lines;
}

export function describeWitness(witness: Witness): string {
  const what = witness.removed ? `${witness.path} removed` : `${witness.path} = ${shorten(JSON.stringify(witness.value), 80)}`;
  const from = witness.from === "generated" ? "a generated payload" : `the ${witness.from}`;
  const error = witness.oldError === undefined ? `answer ${witness.oldAnswer}` : `reject it: ${shorten(witness.oldError, 120)}`;
  return `${what} in ${witness.event} (from ${from}); old validators ${error}`;
}

function sharedSection(grouped: GroupedReport): string[] {
  if (grouped.shared.length === 0) return [];
  return [
    "Shared changes (each reaches several events; listed once, with the paths it is reached by)",
    "",
    ...byClassification(grouped.shared).flatMap(([classification, groups]) => [
      `  ${classificationLabels[classification].toUpperCase()}`,
      ...groups.flatMap((g) => sharedGroup(g, grouped.common)),
      "",
    ]),
  ];
}

/** At most this many paths (and places) per change; the JSON report lists them all. */
const shownPaths = 6;

function sharedGroup(group: ChangeGroup, common: number): string[] {
  const lines = wrap(`${group.id.padEnd(4)} ${group.message}  [${rules[group.kind].title}]`, 110, "    ", "         ");
  lines.push(...verdictLines(group, "           "));
  lines.push(...wrap(`in ${listed(group.places, 8, "places")}`, 110, "           "));
  for (const entry of group.paths.slice(0, shownPaths)) {
    const events = entry.events.length === common && common > 1 ? `all ${common} events present in both` : eventList(entry.events);
    lines.push(`           ${entry.path || "(root)"}  in ${events}`);
  }
  const more = group.paths.length - shownPaths;
  if (more > 0) lines.push(`           and ${more} more paths, in ${group.events.length} events in all (--format json lists every one)`);
  return lines;
}

/** `a, b, c` or `12 places: a, b, c, d and 8 more`. */
function listed(items: string[], max: number, noun: string): string {
  if (items.length <= max) return items.join(", ");
  return `${items.length} ${noun}: ${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

function eventList(events: string[], max = 4): string {
  if (events.length === 1) return events[0]!;
  return `${events.length} events: ${events.slice(0, max).join(", ")}${events.length > max ? ` and ${events.length - max} more` : ""}`;
}

function eventSection(grouped: GroupedReport): string[] {
  const listedEvents = grouped.events.filter((e) => e.status !== "unchanged");
  if (listedEvents.length === 0) return ["No changes."];
  const width = Math.max(...listedEvents.map((e) => e.name.length));
  return ["Per event", "", ...listedEvents.flatMap((e) => eventBlock(e, width))];
}

function eventBlock(event: GroupedEvent, width: number): string[] {
  const name = `  ${event.name.padEnd(width)}  `;
  if (event.status === "added") return [`${name}new event (receivers: potentially breaking; code: safe)`];
  if (event.status === "removed") return [`${name}removed (code: breaking, its type is gone and its handler never fires)`];
  const shared = event.shared.length > 0 ? `shared ${event.shared.join(" ")}` : "";
  if (event.own.length === 0) return [`${name}${shared}`];
  const lines = [`${name}${shared}${shared ? " and its own:" : "its own:"}`];
  for (const [classification, groups] of byClassification(event.own)) {
    for (const group of groups) {
      lines.push(...wrap(`${classificationLabels[classification]} · ${group.message}  [${rules[group.kind].title}]`, 110, "      ", "  "));
      lines.push(...verdictLines(group, "          "));
      lines.push(...group.paths.slice(0, shownPaths).map((p) => `          ${p.path || "(root)"}`));
      const more = group.paths.length - shownPaths;
      if (more > 0) lines.push(`          and ${more} more paths`);
    }
  }
  return lines;
}

function byClassification(groups: ChangeGroup[]): [Classification, ChangeGroup[]][] {
  return classifications
    .map((c): [Classification, ChangeGroup[]] => [c, groups.filter((g) => g.classification === c)])
    .filter(([, list]) => list.length > 0);
}

/**
 * Breaks text into lines of at most `width` characters at single spaces (never inside a
 * `[kind]` tag); lines after the first are indented further by `hanging`.
 */
export function wrap(text: string, width: number, indent = "", hanging = "  "): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/ (?! )(?![^[]*\])/)) {
    const prefix = lines.length === 0 ? indent : indent + hanging;
    if (line !== "" && prefix.length + line.length + 1 + word.length > width) {
      lines.push((prefix + line).trimEnd());
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push((lines.length === 0 ? indent : indent + hanging) + line);
  return lines;
}
