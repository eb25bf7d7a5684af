import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { loadConfig, type CodegenConfig } from "./config.js";
import { CodegenError, formatProblem } from "./errors.js";
import { generate } from "./generate.js";
import { displayPath, toolVersion } from "./paths.js";
import { compareOutput, writeOutput } from "./write.js";

/** Exit codes: 0 done, 1 `--check` found stale output, 2 bad input or usage. */
export const exitCodes = { ok: 0, stale: 1, failed: 2 } as const;

interface GenerateFlags {
  check?: boolean;
  schemas?: string;
  out?: string;
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
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText("after", "\nWith no command, `codegen` generates: see `codegen generate --help` for --check, --schemas, --out and the rest.");

  program
    .command("generate", { isDefault: true })
    .description("read the catalogue (schemas/) and write generated/; the default command")
    .option("--check", "generate in memory and compare with disk; exit 1 when anything differs")
    .option("--schemas <dir>", "catalogue folder (default: schemas, or the config's)")
    .option("--out <dir>", "output folder (default: generated, or the config's)")
    .option("--config <file>", "config file (default: codegen.config.json when present)")
    .addOption(new Option("--provider <name...>", "only these providers (repeatable)"))
    .option("--quiet", "print nothing but errors")
    .option("--json", "print a machine-readable report")
    .option("--no-format", "skip prettier (faster; output differs from formatted runs)")
    .action(async (flags: GenerateFlags) => {
      code = await runGenerate(flags, io);
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
      const result = await compareOutput(config.out, files);
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

    const report = await writeOutput(config.out, files);
    if (json) io.out(JSON.stringify({ ok: true, command: "generate", out: outShown, ...report }, null, 2));
    else if (!flags.quiet) {
      const lines = [
        ...report.written.map((f) => `  wrote    ${f}`),
        ...report.removed.map((f) => `  removed  ${f}`),
        `${outShown}: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed.`,
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

async function configFromFlags(flags: GenerateFlags, cwd: string): Promise<CodegenConfig> {
  const config = await loadConfig({ cwd, ...(flags.config ? { file: flags.config } : {}) });
  return {
    ...config,
    ...(flags.schemas ? { schemas: path.resolve(cwd, flags.schemas) } : {}),
    ...(flags.out ? { out: path.resolve(cwd, flags.out) } : {}),
    ...(flags.provider ? { providers: flags.provider } : {}),
    ...(flags.format === false ? { format: false } : {}),
  };
}

function defaultIo(): Io {
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    cwd: process.cwd(),
  };
}
