import { createRequire } from "node:module";
import path from "node:path";
import { loadConfig, type CodegenConfig, type TestRunner } from "./config.js";
import { importExtensions, moduleFormats, type ImportExtension, type ModuleFormat, type ModuleSettings } from "./project.js";
import type { DiffFlags } from "./diff/index.js";
import { CodegenError, formatProblem, type Problem } from "./errors.js";
import type { VersionChange } from "./changes.js";
import { generateWithModels } from "./generate.js";
import { displayPath, toolVersion } from "./paths.js";
import type { PayloadReport } from "./validate.js";
import { compareOutput, comparisonWarnings, outputFolders, writeOutput } from "./write.js";

// commander through require: its ES module wrapper costs every run about 8 ms more to load
const { Command, CommanderError, Option } = createRequire(import.meta.url)("commander") as typeof import("commander");

/** Exit codes: 0 done, 1 `--check` found stale output, 2 bad input or usage. */
export const exitCodes = { ok: 0, stale: 1, failed: 2 } as const;

interface GenerateFlags {
  check?: boolean;
  watch?: boolean;
  cache?: boolean;
  schemas?: string;
  out?: string;
  handlers?: string;
  fixtures?: boolean;
  tests?: TestRunner;
  importExtension?: ImportExtension;
  moduleFormat?: ModuleFormat;
  config?: string;
  provider?: string[];
  quiet?: boolean;
  json?: boolean;
  format: boolean;
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  /** Running in CI (CI=true): no per-file lines, one summary. */
  ci?: boolean;
  /** A terminal that can show progress on stderr. */
  tty?: boolean;
}

/** Runs the command line; resolves to the exit code (the bin script sets it). */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  let code: number = exitCodes.ok;
  const program = new Command("codegen")
    .description("Generate typed, validated webhook receivers from providers' JSON Schemas.")
    .version(toolVersion)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText("after", "\nWith no command, `codegen` generates: see `codegen generate --help` for --check, --schemas, --out and the rest.");

  program
    .command("generate", { isDefault: true })
    .description("read the catalogue (schemas/) and write generated/; the default command")
    .option("--check", "generate in memory and compare with disk; exit 1 when anything differs")
    .option("--schemas <dir>", "catalogue folder (default: schemas, or the config's)")
    .option("--out <dir>", "output folder (default: generated, or the config's)")
    .option("--handlers <dir>", "scaffold a handler stub per event here (never overwritten)")
    .option("--fixtures", "also write fixtures.ts per version: the sample payloads, typed")
    .addOption(new Option("--tests <runner>", "also write a snapshot test per provider for this runner").choices(["vitest"]))
    .addOption(new Option("--import-extension <ext>", "how generated files import each other (default: from tsconfig.json / deno.json)").choices(importExtensions))
    .addOption(new Option("--module-format <format>", "the project's module system (default: from package.json / tsconfig.json)").choices(moduleFormats))
    .option("--config <file>", "config file (default: codegen.config.json when present)")
    .addOption(new Option("--provider <name...>", "only these providers (repeatable)"))
    .option("--quiet", "print nothing but errors")
    .option("--json", "print a machine-readable report")
    .option("--watch", "regenerate whenever the catalogue changes (Ctrl-C to stop)")
    .option("--no-format", "skip prettier (faster; output differs from formatted runs)")
    .option("--no-cache", "do not reuse the output of an earlier run with the same inputs")
    .action(async (flags: GenerateFlags) => {
      code = flags.watch ? await runWatch(flags, io) : await runGenerate(flags, io);
    });

  program
    .command("init")
    .description("write a starter codegen.config.json and, with --provider, provider folders")
    .addOption(new Option("--provider <name...>", "add these providers: copied from the shipped catalogue, or a skeleton"))
    .action(async (flags: { provider?: string[] }) => {
      code = await runInit(flags, io);
    });

  program
    .command("pull")
    .description("fetch a provider's published schema document into schemas/<provider>/<version>/")
    .argument("<provider>", "the provider, as named in the catalogue")
    .option("--version <version>", "the version to fetch (the manifest's publish.url says whether one is needed)")
    .option("--schemas <dir>", "catalogue folder (default: schemas, or the config's)")
    .option("--config <file>", "config file (default: codegen.config.json when present)")
    .option("--timeout <seconds>", "give up after this long", "30")
    .option("--json", "print a machine-readable report")
    .action(async (provider: string, flags: PullFlags) => {
      code = await runPull(provider, flags, io);
    });

  program
    .command("validate")
    .description("validate payload files against the catalogue; exit 1 when any is invalid")
    .argument("<payload...>", "JSON files, one payload each")
    .option("--provider <name>", "whose payloads these are (default: found from each payload)")
    .option("--version <version>", "the schema version to validate against (default: the payload's own)")
    .option("--event <name>", "the event's name as its header says it, for a provider that names events in a header (or <payload>.headers.json beside each payload)")
    .option("--schemas <path>", "catalogue folder, or one schema document with --provider")
    .option("--config <file>", "config file (default: codegen.config.json when present)")
    .option("--json", "print a machine-readable report")
    .action(async (files: string[], flags: ValidateFlags) => {
      code = await runValidate(files, flags, io);
    });

  program
    .command("diff")
    .description("compare two versions of a provider's schemas; judge each change for deployed receivers (proved by a witness payload) and for your code")
    .argument("[old]", "the old version: a version folder (schemas/plain/2024-09-18) or a schema document (.json)")
    .argument("[new]", "the new version, likewise")
    .option("--provider <name>", "whose schemas (for documents: default the provider whose manifest finds events in them)")
    .option("--from <version>", "the old version, by folder name in the catalogue (with --to)")
    .option("--to <version>", "the new version, by folder name in the catalogue (with --from)")
    .option("--schemas <dir>", "catalogue folder for --from/--to (default: schemas, or the config's)")
    .option("--config <file>", "config file (default: codegen.config.json when present)")
    .addOption(new Option("--format <format>", "report format").choices(["text", "markdown", "json"]).default("text"))
    .option("--json", "same as --format json")
    .option(
      "--fail-on <level>",
      "exit 1 when a change is at least this severe: breaking or potentially-breaking (both questions), or receivers:<level> / code:<level>; several separated by commas",
    )
    .option("--witness <dir>", "write each witness payload (new validators accept, old reject) to a file in this folder")
    .action(async (before: string | undefined, after: string | undefined, flags: DiffFlags) => {
      code = await runDiff(before, after, flags, io);
    });

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.failed;
    }
    throw error;
  }
  return code;
}

async function runGenerate(flags: GenerateFlags, io: Io): Promise<number> {
  const json = flags.json === true;
  try {
    const config = await configFromFlags(flags, io.cwd);
    const outShown = displayPath(config.out, io.cwd);
    if (io.tty && !flags.quiet && !json) io.err(`codegen: reading ${displayPath(config.schemas, io.cwd)} and generating…`);
    const generated = await generateWithModels(config, { cache: flags.cache !== false });
    const { files, models } = generated;
    const shown = (problem: Problem): Problem => ({ ...problem, file: displayPath(path.resolve(io.cwd, problem.file), io.cwd) });

    if (flags.check) {
      const result = await compareOutput(config.out, files, outputFolders(config));
      const warnings = [...generated.warnings, ...comparisonWarnings(config.out, result, config.handlers)].map(shown);
      const stale = result.stale.length + result.missing.length + result.extra.length + result.brokenStubs.length > 0;
      if (json) io.out(JSON.stringify({ ok: !stale, command: "check", out: outShown, ...result, warnings, module: config.module }, null, 2));
      else {
        if (!flags.quiet) printWarnings(warnings, io);
        if (stale) {
          const lines = [
            `${outShown} is out of date with the schemas:`,
            ...result.stale.map((f) => `  stale    ${f}`),
            ...result.missing.map((f) => `  missing  ${f}`),
            ...result.extra.map((f) => `  extra    ${f}`),
            ...result.brokenStubs.map((f) => `  broken   ${f} (empty or does not parse: delete it to have it recreated)`),
            result.brokenStubs.length === result.stale.length + result.missing.length + result.extra.length + result.brokenStubs.length
              ? "Delete the broken stubs, run `npx codegen` and commit the result."
              : "Run `npx codegen` and commit the result.",
          ];
          io.err(lines.join("\n"));
        } else if (!flags.quiet) io.out(`${outShown} is up to date (${files.length} files).`);
      }
      return stale ? exitCodes.stale : exitCodes.ok;
    }

    const { before, ...report } = await writeOutput(config.out, files, outputFolders(config));
    const warnings = [...generated.warnings, ...comparisonWarnings(config.out, before, config.handlers)].map(shown);
    if (!json && !flags.quiet) printWarnings(warnings, io);
    // loaded only when output changed; it loads the diff engine only when there is a change to describe
    const changed = before.missing.length + before.stale.length > 0 && models.length > 0;
    const changes: VersionChange[] = changed
      ? await import("./changes.js").then(({ changesOf }) => changesOf(models, before, config.schemas, io.cwd)).catch(() => [])
      : [];
    if (json) io.out(JSON.stringify({ ok: true, command: "generate", out: outShown, ...report, changes, warnings, module: config.module }, null, 2));
    else if (io.ci && !flags.quiet) {
      // in CI, one line: the log stays readable
      const stubs = config.handlers ? ` ${report.stubsCreated.length} handler stubs created, ${report.stubsKept.length} kept.` : "";
      const changed = changes.length ? ` Changes: ${changes.map((c) => c.summary).join("; ")}.` : "";
      io.out(`codegen: ${outShown}: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed.${stubs}${changed}`);
    } else if (!flags.quiet) {
      const handlersShown = config.handlers ? displayPath(config.handlers, io.cwd) : "";
      const lines = [
        ...report.written.map((f) => `  wrote    ${f}`),
        ...report.removed.map((f) => `  removed  ${f}`),
        ...report.stubsCreated.map((f) => `  created  ${handlersShown}/${f} (handler stub: yours to edit)`),
        `${outShown}: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed.`,
        ...(config.handlers
          ? [`${handlersShown}: ${report.stubsCreated.length} handler stubs created, ${report.stubsKept.length} kept as they are.`]
          : []),
        ...changes.map(
          (c) => `changes (${c.reason}, against ${c.against}): ${c.summary}${c.breaking ? ` — see \`codegen diff\`` : ""}`,
        ),
        ...(config.module ? [describeModule(config.module)] : []),
      ];
      io.out(lines.join("\n"));
    }
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof CodegenError)) throw error;
    if (json) io.out(JSON.stringify({ ok: false, problems: error.problems }, null, 2));
    else {
      const count = error.problems.length;
      // an internal error is the generator's bug, not the input's (see emit/verify.ts)
      const internal = error.problems.every((p) => p.code === "internal_error");
      const heading = internal ? `codegen: internal error (please report it); nothing was written.` : `codegen: ${count} problem${count === 1 ? "" : "s"} in the input; nothing was written.`;
      io.err([heading, ...error.problems.map(formatProblem)].join("\n"));
    }
    return exitCodes.failed;
  }
}

interface ValidateFlags {
  provider?: string;
  version?: string;
  event?: string;
  schemas?: string;
  config?: string;
  json?: boolean;
}

async function runValidate(files: string[], flags: ValidateFlags, io: Io): Promise<number> {
  try {
    const { provider, event, ...rest } = flags;
    const config = await configFromFlags({ ...rest, format: false, ...(provider ? { provider: [provider] } : {}) }, io.cwd);
    const { validatePayloads } = await import("./validate.js");
    const reports = await validatePayloads(config, files, { ...(flags.version ? { version: flags.version } : {}), ...(event ? { event } : {}) });
    const invalid = reports.filter((r) => !r.ok).length;
    if (flags.json) io.out(JSON.stringify({ ok: invalid === 0, files: reports }, null, 2));
    else {
      io.out(reports.map(describeReport).join("\n"));
      io.out(`${reports.length - invalid} valid, ${invalid} invalid.`);
    }
    return invalid === 0 ? exitCodes.ok : exitCodes.stale;
  } catch (error) {
    if (!(error instanceof CodegenError)) throw error;
    io.err(["codegen validate: the catalogue has problems:", ...error.problems.map(formatProblem)].join("\n"));
    return exitCodes.failed;
  }
}

async function runDiff(before: string | undefined, after: string | undefined, flags: DiffFlags, io: Io): Promise<number> {
  try {
    const { format, json, failOn, witness, ...inputs } = flags;
    const { diffVersions, formatDiff, failsOn, loadDiffModels, parseFailOn, writeWitnesses } = await import("./diff/index.js");
    const thresholds = failOn === undefined ? [] : parseFailOn(failOn);
    if (thresholds === undefined) {
      io.err(
        `codegen diff: --fail-on ${JSON.stringify(failOn)}: give breaking or potentially-breaking, optionally as receivers:<level> or code:<level> (several separated by commas)`,
      );
      return exitCodes.failed;
    }
    const models = await loadDiffModels({ ...inputs, old: before, new: after, cwd: io.cwd });
    const report = await diffVersions(models.before, models.after);
    if (witness !== undefined) await writeWitnesses(report, path.resolve(io.cwd, witness));
    io.out(formatDiff(report, json ? "json" : format));
    return failsOn(report, thresholds) ? exitCodes.stale : exitCodes.ok;
  } catch (error) {
    if (!(error instanceof CodegenError)) throw error;
    io.err(["codegen diff: cannot compare:", ...error.problems.map(formatProblem)].join("\n"));
    return exitCodes.failed;
  }
}

const kinds: Record<NonNullable<PayloadReport["kind"]>, string> = {
  unknown_event: "unknown event",
  invalid_payload: "does not match its schema",
  version_mismatch: "version mismatch",
  unreadable: "not a JSON file",
};

function describeReport(report: PayloadReport): string {
  const what =
    [report.provider && `${report.provider}/${report.version}`, report.event].filter(Boolean).join(" ") +
    (report.versionMissing ? " (the payload declares no version: checked against the latest)" : "");
  if (report.ok) return `✅ ${report.file}  ${what}`;
  const detail =
    report.kind === "version_mismatch"
      ? `version mismatch: the payload is ${report.payloadVersion}, the schemas ${report.version}` +
        (report.errors.length > 1 ? `, and ${report.errors.length - 1} structural error(s)` : "; otherwise it matches")
      : kinds[report.kind!];
  const lines = report.errors
    .filter((e, i) => !(report.kind === "version_mismatch" && i === 0))
    .map((e) => `    ${e.path || "(root)"}: ${e.message}`);
  return [`❌ ${report.file}  ${what}${what ? ": " : ""}${detail}`, ...lines].join("\n");
}

async function configFromFlags(flags: GenerateFlags, cwd: string): Promise<CodegenConfig> {
  const config = await loadConfig({ cwd, ...(flags.config ? { file: flags.config } : {}) });
  return {
    ...config,
    ...(flags.schemas ? { schemas: path.resolve(cwd, flags.schemas) } : {}),
    ...(flags.out ? { out: path.resolve(cwd, flags.out) } : {}),
    ...(flags.handlers ? { handlers: path.resolve(cwd, flags.handlers) } : {}),
    ...(flags.fixtures ? { fixtures: true } : {}),
    ...(flags.tests ? { tests: flags.tests } : {}),
    ...(flags.provider ? { providers: flags.provider } : {}),
    ...(flags.format === false ? { format: false } : {}),
    ...withModuleFlags(config, flags),
  };
}

function describeModule(module: ModuleSettings): string {
  const { importExtension: ext } = module;
  const example = ext.value === "none" ? '"./index"' : `"./index${ext.value}"`;
  return `imports: ${example} (${ext.from}); ES modules (${module.moduleFormat.from}).`;
}

/** --import-extension and --module-format over what the config said or the project showed. */
function withModuleFlags(config: CodegenConfig, flags: GenerateFlags): Partial<CodegenConfig> {
  if (!flags.importExtension && !flags.moduleFormat) return {};
  const module = {
    importExtension: flags.importExtension ? { value: flags.importExtension, from: "--import-extension" } : config.module!.importExtension,
    moduleFormat: flags.moduleFormat ? { value: flags.moduleFormat, from: "--module-format" } : config.module!.moduleFormat,
  };
  return { module, importExtension: module.importExtension.value, moduleFormat: module.moduleFormat.value };
}

/** Warnings go to stderr, each with its file and pointer, before the run's summary. */
function printWarnings(warnings: readonly Problem[], io: Io): void {
  if (warnings.length === 0) return;
  io.err([`codegen: ${warnings.length} warning${warnings.length === 1 ? "" : "s"}:`, ...warnings.map(formatProblem)].join("\n"));
}

function defaultIo(): Io {
  // a closed pipe (codegen diff | head) ends the output, not the process with a stack trace
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  const ci = ["true", "1"].includes((process.env["CI"] ?? "").toLowerCase());
  return {
    out: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    cwd: process.cwd(),
    ci,
    tty: process.stderr.isTTY === true && !ci,
  };
}

interface PullFlags {
  version?: string;
  schemas?: string;
  config?: string;
  timeout: string;
  json?: boolean;
}

async function runPull(provider: string, flags: PullFlags, io: Io): Promise<number> {
  try {
    const config = await configFromFlags({ format: false, ...(flags.schemas ? { schemas: flags.schemas } : {}), ...(flags.config ? { config: flags.config } : {}) }, io.cwd);
    const { pullSchemas } = await import("./pull.js");
    const report = await pullSchemas({
      catalogue: config.schemas,
      provider,
      ...(flags.version ? { version: flags.version } : {}),
      timeoutMs: Number(flags.timeout) * 1000,
      cwd: io.cwd,
    });
    if (flags.json) io.out(JSON.stringify({ ok: true, ...report }, null, 2));
    else if (report.status === "unchanged") io.out(`${report.file}: unchanged at ${report.url} (nothing downloaded).`);
    else {
      const replaced = report.replaced.length > 0 ? [`  it replaces the version's other schema files: ${report.replaced.join(", ")}`] : [];
      io.out([`${report.file}: ${report.changed ? "updated" : "downloaded, same as before"} from ${report.url}. Run \`npx codegen\` (and \`codegen diff\`) next.`, ...replaced].join("\n"));
    }
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof CodegenError)) throw error;
    if (flags.json) io.out(JSON.stringify({ ok: false, problems: error.problems }, null, 2));
    else io.err(["codegen pull: nothing was changed.", ...error.problems.map(formatProblem)].join("\n"));
    return exitCodes.failed;
  }
}

async function runInit(flags: { provider?: string[] }, io: Io): Promise<number> {
  try {
    const { init, shippedProviders } = await import("./init.js");
    const report = await init({ cwd: io.cwd, ...(flags.provider ? { providers: flags.provider } : {}) });
    // `codegen` with an empty catalogue fails: say what to do first
    const next =
      report.providers.length > 0
        ? `Next: ${report.missingPackages.length > 0 ? `npm install --save-dev ${report.missingPackages.join(" ")} (the schemas a manifest's "sources" reads), then ` : ""}npx codegen`
        : `Next: add a provider, e.g. npx codegen init --provider ${shippedProviders()[0] ?? "acme"} (shipped: ${shippedProviders().join(", ")}; any other name gets a skeleton to fill in), then npx codegen`;
    io.out([...report.created.map((f) => `  created  ${f}`), ...report.kept.map((f) => `  kept     ${f} (already there)`), next].join("\n"));
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof CodegenError)) throw error;
    io.err(["codegen init:", ...error.problems.map(formatProblem)].join("\n"));
    return exitCodes.failed;
  }
}

/** Runs until the process is stopped; each run prints its summary or its problems. */
async function runWatch(flags: GenerateFlags, io: Io): Promise<number> {
  let config: CodegenConfig;
  try {
    config = await configFromFlags(flags, io.cwd);
  } catch (error) {
    if (!(error instanceof CodegenError)) throw error;
    io.err(error.problems.map(formatProblem).join("\n"));
    return exitCodes.failed;
  }
  const outShown = displayPath(config.out, io.cwd);
  io.out(`codegen: watching ${displayPath(config.schemas, io.cwd)} (Ctrl-C to stop)`);
  const { watch } = await import("./watch.js");
  const watcher = watch(config, (run) => {
    if (run.ok) {
      printWarnings(run.warnings, io);
      io.out(`codegen: ${outShown}: ${run.report.written.length} written, ${run.report.removed.length} removed.`);
    } else {
      io.err([`codegen: ${run.problems.length} problem(s); waiting for a fix:`, ...run.problems.map(formatProblem)].join("\n"));
    }
  });
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
  await watcher.close();
  return exitCodes.ok;
}
