import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers.js";

const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");

describe("generated TypeScript", () => {
  it("compiles under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes, with the usage checks in test/typecheck", async () => {
    // tsconfig.generated.json: generated/**/*.ts (types and validator declarations) and
    // test/typecheck/*.ts, whose @ts-expect-error lines prove that wrong accesses fail.
    const result = await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.generated.json"], {
      cwd: repoRoot,
    }).then(
      () => ({ code: 0, output: "" }),
      (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
    );
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  }, 120_000);
});
