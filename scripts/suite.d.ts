// Types of scripts/suite.js, for test/suite/suite.test.ts.
import type { CodegenConfig } from "../src/config.js";
import type { CodegenError, Problem } from "../src/errors.js";
import type { FileOutput } from "../src/output.js";

export interface SuiteTest {
  description: string;
  data: unknown;
  valid: boolean;
}

export interface SuiteGroup {
  dialect: "draft7" | "draft2020-12";
  keyword: string;
  provider: string;
  version: string;
  description: string;
  schema: unknown;
  tests: SuiteTest[];
  /** Refers to a localhost:1234 document it does not declare itself. */
  remote: boolean;
}

export interface SuiteLibrary {
  generate(config: CodegenConfig): Promise<FileOutput[]>;
  CodegenError: typeof CodegenError;
  formatProblem(problem: Problem): string;
  format?: boolean;
}

export interface SuiteRun {
  groups: SuiteGroup[];
  /** Per group: each test's verdict right or not, ours and Ajv's; whether its module is Ajv's standalone code. */
  results: Map<SuiteGroup, { ours: boolean[]; ajv: boolean[] }>;
  refusals: { group: SuiteGroup; problems: { code: string; text: string }[] }[];
  crashes: { group: SuiteGroup; error: string }[];
  notLoaded: { group: SuiteGroup; error: string }[];
  typesFiles: string[];
}

export interface Row {
  dialect: string;
  keyword: string;
  groups: number;
  tests: number;
  ours: number;
  ajv: number;
  refused: number;
}

export interface Total {
  dialect: string;
  remote: boolean;
  groups: number;
  refused: number;
  tests: number;
  ours: number;
  ajv: number;
}

export declare const dialects: { name: string; prefix: string; schema: string; remoteFolder: string }[];
export declare function loadSuite(suiteDir: string): SuiteGroup[];
export declare function runSuite(options: { lib: SuiteLibrary; suiteDir: string; work: string; only?: (group: SuiteGroup) => boolean; log?: (line: string) => void }): Promise<SuiteRun>;
export declare function table(run: SuiteRun): { rows: Row[]; totals: Total[] };
export declare function formatTable(table: { rows: Row[]; totals: Total[] }): string;
export declare function refusalsByCause(run: SuiteRun): { cause: string; groups: string[] }[];
export declare function typecheck(files: string[]): string[];
export declare function scores(run: SuiteRun): Record<string, number>;
