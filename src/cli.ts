import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { loadConfig, type CodegenConfig } from "./config.js";
import { diffModels, formatDiff, hasChangeAtLeast, loadDiffModels, type DiffFlags } from "./diff/index.js";
import { CodegenError, formatProblem } from "./errors.js";
import { generate } from "./generate.js";
import { displayPath, toolVersion } from "./paths.js";
import { validatePayloads, type PayloadReport } from "./validate.js";
import { compareOutput, writeOutput } from "./write.js";

/** Exit codes: 0 done, 1 `--check` found stale output, 2 bad input or usage. */
export const exitCodes = { ok: 0, stale: 1, failed: 2 } as const;

interface GenerateFlags {
  check?: boolean;
  schemas?: string;
  out?: string;
  handlers?: string;
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
    .option("--config <file>", "config file (default: codegen.config.json when present)")
    .addOption(new Option("--provider <name...>", "only these providers (repeatable)"))
    .option("--quiet", "print nothing but errors")
    .option("--json", "print a machine-readable report")
    .option("--no-format", "skip prettier (faster; output differs from formatted runs)")
    .action(async (flags: GenerateFlags) => {
      code = await runGenerate(flags, io);
    });

  program
    .command("validate")
    .description("validate payload files against the catalogue; exit 1 when any is invalid")
    .argument("<payload...>", "JSON files, one payload each")
    .option("--provider <name>", "whose payloads these are (default: found from each payload)")
    .option("--version <version>", "the schema version to validate against (default: the payload's own)")
    .option("--schemas <path>", "catalogue folder, or one schema document with --provider")
    .option("--config <file>", "config file (default: codegen.config.json when present)")
    .option("--json", "print a machine-readable report")
    .action(async (files: string[], flags: ValidateFlags) => {
      code = await runValidate(files, flags, io);
    });

  program
    .command("diff")
    .description("compare two versions of a provider's schemas; classify each change for a receiver")
    .argument("[old]", "the old version: a version folder (schemas/plain/2024-09-18) or a schema document (.json)")
    .argument("[new]", "the new version, likewise")
    .option("--provider <name>", "whose schemas (for documents: default the provider whose manifest finds events in them)")
    .option("--from <version>", "the old version, by folder name in the catalogue (with --to)")
    .option("--to <version>", "the new version, by folder name in the catalogue (with --from)")
    .option("--schemas <dir>", "catalogue folder for --from/--to (default: schemas, or the config's)")
    .option("--config <file>", "config file (default: codegen.config.json when present)")
    .addOption(new Option("--format <format>", "report format").choices(["text", "markdown", "json"]).default("text"))
    .option("--json", "same as --format json")
    .addOption(new Option("--fail-on <level>", "exit 1 when any change is at least this severe").choices(["breaking", "potentially-breaking"]))
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
    const files = await generate(config);

    if (flags.check) {
      const result = await compareOutput(config.out, files, folders(config));
      const stale = result.stale.length + result.missing.length + result.extra.length > 0;
      if (json) io.out(JSON.stringify({ ok: !stale, command: "check", out: outShown, ...result }, null, 2));
      else if (stale) {
        const lines = [
          `${outShown} is out of date with the schemas:`,
          ...result.stale.map((f) => `  stale    ${f}`),
          ...result.missing.map((f) => `  missing  ${f}`),
          ...result.extra.map((f) => `  extra    ${f}`),
          "Run `npx codegen` and commit the result.",
        ];
        io.err(lines.join("\n"));
      } else if (!flags.quiet) io.out(`${outShown} is up to date (${files.length} files).`);
      return stale ? exitCodes.stale : exitCodes.ok;
    }

    const report = await writeOutput(config.out, files, folders(config));
    if (json) io.out(JSON.stringify({ ok: true, command: "generate", out: outShown, ...report }, null, 2));
    else if (!flags.quiet) {
      const handlersShown = config.handlers ? displayPath(config.handlers, io.cwd) : "";
      const lines = [
        ...report.written.map((f) => `  wrote    ${f}`),
        ...report.removed.map((f) => `  removed  ${f}`),
        ...report.stubsCreated.map((f) => `  created  ${handlersShown}/${f} (handler stub: yours to edit)`),
        `${outShown}: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed.`,
        ...(config.handlers
          ? [`${handlersShown}: ${report.stubsCreated.length} handler stubs created, ${report.stubsKept.length} kept as they are.`]
          : []),
      ];
      io.out(lines.join("\n"));
    }
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof CodegenError)) throw error;
    if (json) io.out(JSON.stringify({ ok: false, problems: error.problems }, null, 2));
    else {
      const count = error.problems.length;
      io.err(
        [`codegen: ${count} problem${count === 1 ? "" : "s"} in the input; nothing was written.`, ...error.problems.map(formatProblem)].join("\n"),
      );
    }
    return exitCodes.failed;
  }
}

interface ValidateFlags {
  provider?: string;
  version?: string;
  schemas?: string;
  config?: string;
  json?: boolean;
}

async function runValidate(files: string[], flags: ValidateFlags, io: Io): Promise<number> {
  try {
    const { provider, ...rest } = flags;
    const config = await configFromFlags({ ...rest, format: false, ...(provider ? { provider: [provider] } : {}) }, io.cwd);
    const reports = await validatePayloads(config, files, flags.version ? { version: flags.version } : {});
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
    const { format, json, failOn, ...inputs } = flags;
    const models = await loadDiffModels({ ...inputs, old: before, new: after, cwd: io.cwd });
    const report = diffModels(models.before, models.after);
    io.out(formatDiff(report, json ? "json" : format));
    return failOn !== undefined && hasChangeAtLeast(report, failOn) ? exitCodes.stale : exitCodes.ok;
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
    ...(flags.provider ? { providers: flags.provider } : {}),
    ...(flags.format === false ? { format: false } : {}),
  };
}

function folders(config: CodegenConfig): { handlers?: string } {
  return config.handlers ? { handlers: config.handlers } : {};
}

function defaultIo(): Io {
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    cwd: process.cwd(),
  };
}
