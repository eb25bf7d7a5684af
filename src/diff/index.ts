/**
 * `codegen diff`: what changed between two versions of a provider's schemas, classified
 * for a receiver of the webhooks. `diffModels` is the core (two models in, a report
 * out); the formatters render a report; `loadDiffModels` reads what the command line names.
 */
import { formatMarkdown } from "./markdown.js";
import { classificationLabels, classifications, type Classification, type DiffReport } from "./report.js";
import { groupReport } from "./group.js";
import { formatText } from "./text.js";
import type { VersionModel } from "../model/build.js";
import { diffModels, summarize } from "./models.js";
import { addWitnesses } from "./witness.js";

/**
 * `diffModels`, then a witness payload searched for each change that breaks deployed
 * receivers by its rule (those without one become potentially breaking), and the summary
 * counted again. What `codegen diff` and the summary after a run report.
 */
export async function diffVersions(before: VersionModel, after: VersionModel): Promise<DiffReport> {
  const report = diffModels(before, after);
  await addWitnesses(report, before, after);
  const summary = summarize(before, after, report.events);
  const version = after.provider.manifest.version;
  const pointer = version?.in === "body" ? version.pointer : undefined;
  const witness = report.events.flatMap((e) => e.changes).find((c) => c.path === pointer && c.witness)?.witness;
  if (summary.payloadVersion && witness) summary.payloadVersion.oldAnswer = witness.oldAnswer;
  return { ...report, summary };
}

export { diffModels, hasChangeAtLeast, parseFailOn, failsOn } from "./models.js";
export { addWitnesses, writeWitnesses } from "./witness.js";
export { loadDiffModels, versionFolder, type DiffInputs } from "./inputs.js";
export { formatText } from "./text.js";
export { formatMarkdown } from "./markdown.js";
export { groupReport, type ChangeGroup, type GroupedReport } from "./group.js";
export * from "./report.js";

export type DiffFormat = "text" | "markdown" | "json";

/** The options of `codegen diff`, as commander gives them. */
export interface DiffFlags {
  provider?: string;
  from?: string;
  to?: string;
  schemas?: string;
  config?: string;
  format: DiffFormat;
  json?: boolean;
  failOn?: string;
  witness?: string;
}

export function formatDiff(report: DiffReport, format: DiffFormat): string {
  // the witness payloads themselves go to files (--witness); the report shows their path and value
  if (format === "json") return JSON.stringify(report, (key, value: unknown) => (key === "payload" ? undefined : value), 2);
  return format === "markdown" ? formatMarkdown(report) : formatText(report);
}

/** One line, for `codegen` to print when a version changes: `plain 2024-09-18 → 2026-02-27: deployed receivers 3 breaking; your code safe; 1 event added`. */
export function formatSummary(report: DiffReport): string {
  const { eventsAdded, eventsRemoved } = report.summary;
  const distinct = groupReport(report).distinctFor;
  const count = (q: "receivers" | "code") => {
    const shown = classifications.filter((c) => c !== "safe" && distinct[q][c] > 0).map((c) => `${distinct[q][c]} ${classificationLabels[c]}`);
    return shown.length === 0 ? "safe" : shown.join(", ");
  };
  const counts = `deployed receivers ${count("receivers")}; your code ${count("code")}`;
  const events = [
    eventsAdded.length ? `${eventsAdded.length} ${eventsAdded.length === 1 ? "event" : "events"} added` : "",
    eventsRemoved.length ? `${eventsRemoved.length} ${eventsRemoved.length === 1 ? "event" : "events"} removed` : "",
  ].filter(Boolean);
  return `${report.from.provider} ${report.from.version} → ${report.to.version}: ${counts}${events.length ? `; ${events.join(", ")}` : ""}`;
}
