import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadCatalogue } from "./load/catalogue.js";
import { buildModels, type VersionModel } from "./model/build.js";
import { compare } from "./order.js";
import type { Comparison } from "./write.js";

/**
 * What a regeneration changed, in the words of `codegen diff`: a version that is new next
 * to an older one is compared with that one; a version whose schemas changed since the
 * committed output is compared with the schemas in git's HEAD. One line each.
 */
export interface VersionChange {
  provider: string;
  version: string;
  against: string;
  reason: "new version" | "schemas changed since HEAD";
  summary: string;
  breaking: number;
}

export async function changesOf(models: VersionModel[], before: Comparison, catalogue: string, cwd: string): Promise<VersionChange[]> {
  const touched = (m: VersionModel, list: string[]) => list.some((f) => f.startsWith(`${m.provider.name}/${m.version}/`));
  const changes: VersionChange[] = [];
  for (const model of models) {
    if (touched(model, before.missing) && !touched(model, before.stale)) {
      const older = models
        .filter((m) => m.provider.name === model.provider.name && compare(m.version, model.version) < 0 && !touched(m, before.missing))
        .sort((a, b) => compare(b.version, a.version))[0];
      if (older) changes.push(await describe(older, model, "new version"));
    } else if (touched(model, before.stale)) {
      // stale output from unchanged schemas (a new webhook-codegen, an edited file) is no change to report
      const committed = await committedModel(model, catalogue, cwd).catch(() => undefined);
      if (committed && committed.hash !== model.hash) changes.push(await describe(committed, model, "schemas changed since HEAD"));
    }
  }
  return changes;
}

async function describe(older: VersionModel, newer: VersionModel, reason: VersionChange["reason"]): Promise<VersionChange> {
  const { diffVersions, formatSummary } = await import("./diff/index.js"); // only when there is a change to describe
  const report = await diffVersions(older, newer);
  return {
    provider: newer.provider.name,
    version: newer.version,
    against: reason === "new version" ? older.version : `${newer.version} at HEAD`,
    reason,
    summary: formatSummary(report),
    breaking: report.summary.changes.breaking,
  };
}

async function git(args: string[], cwd: string): Promise<{ stdout: string }> {
  const [{ execFile }, { promisify }] = await Promise.all([import("node:child_process"), import("node:util")]);
  return promisify(execFile)("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
}

/** The version as committed: its folder and the provider's manifest, read from HEAD into a scratch catalogue. */
async function committedModel(model: VersionModel, catalogue: string, cwd: string): Promise<VersionModel | undefined> {
  const providerDir = path.join(catalogue, model.provider.name);
  const { stdout } = await git(["ls-tree", "-r", "--full-name", "--name-only", "HEAD", "--", providerDir], cwd);
  const top = (await git(["rev-parse", "--show-toplevel"], cwd)).stdout.trim();
  const prefix = path.relative(top, providerDir).split(path.sep).join("/");
  const wanted = stdout
    .split("\n")
    .filter((f) => f === `${prefix}/provider.json` || f.startsWith(`${prefix}/${model.version}/`));
  if (!wanted.some((f) => f.startsWith(`${prefix}/${model.version}/`))) return undefined;
  const scratch = await mkdtemp(path.join(tmpdir(), "codegen-head-"));
  try {
    for (const file of wanted) {
      const target = path.join(scratch, "schemas", model.provider.name, file.slice(prefix.length + 1));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, (await git(["show", `HEAD:${file}`], top)).stdout);
    }
    const loaded = await loadCatalogue(path.join(scratch, "schemas"), { cwd: scratch, providers: [model.provider.name] });
    return buildModels(loaded.providers).find((m) => m.version === model.version);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
