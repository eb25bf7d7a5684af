/**
 * Errors are values: every stage collects `Problem`s (what went wrong, in which
 * file, at which JSON pointer, and what to do) and the run reports them together.
 */
export type ProblemCode =
  | "config_missing"
  | "config_invalid"
  | "catalogue_missing"
  | "manifest_missing"
  | "manifest_invalid"
  | "not_json"
  | "schema_invalid"
  | "ref_unresolved"
  | "name_invalid"
  | "name_collision"
  | "sample_invalid"
  | "unsupported"
  | "write_failed"
  | "pull_failed"
  /** A manifest's `sources` names a package that is not installed, or a file it does not hold. */
  | "source_missing"
  | "keyword_stripped"
  | "output_refused"
  | "file_not_ours"
  | "stub_broken"
  | "module_format"
  /** A bug of the generator (output that would not parse, say), found before anything was written. */
  | "internal_error";

export interface Problem {
  code: ProblemCode;
  /** Path of the file at fault, relative to the working directory where possible. */
  file: string;
  /** JSON pointer inside that file ("" for the whole file). */
  pointer?: string;
  message: string;
  /** What the user can do about it. */
  hint?: string;
}

/** Thrown by `generate()` when the input is bad; carries every problem found. */
export class CodegenError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "CodegenError";
    this.problems = problems;
  }
}

export function formatProblem(problem: Problem): string {
  const where =
    problem.pointer === undefined || problem.pointer === ""
      ? problem.file
      : `${problem.file}#${problem.pointer}`;
  const hint = problem.hint ? `\n  → ${problem.hint}` : "";
  return `${where}: ${problem.message}${hint}`;
}

/**
 * Collects problems during a stage; `throwIfAny()` ends the stage when there were some.
 * Warnings are what the run did about input it could still use (a keyword removed, a file
 * left alone): they never stop a run, and the command line prints them.
 */
export class Problems {
  readonly list: Problem[] = [];
  private readonly seen = new Set<string>();
  /** What the run reports but goes on with (nothing is refused for it). */
  readonly warnings: Problem[] = [];

  /** Adds a problem, once: the same problem found again (a manifest's, in each version) is not repeated. */
  add(problem: Problem): void {
    const key = JSON.stringify([problem.code, problem.file, problem.pointer, problem.message, problem.hint]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(problem);
  }

  warn(problem: Problem): void {
    this.warnings.push(problem);
  }

  get size(): number {
    return this.list.length;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new CodegenError(this.list);
  }
}

/** Escape one JSON pointer segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  const text = String(segment);
  // most segments need no escape (the model joins one for every key of every schema)
  return text.includes("~") || text.includes("/") ? text.replace(/~/g, "~0").replace(/\//g, "~1") : text;
}

export function joinPointer(base: string, ...segments: (string | number)[]): string {
  let pointer = base;
  for (const segment of segments) pointer += `/${pointerSegment(segment)}`;
  return pointer;
}
