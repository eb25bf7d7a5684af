import { createRequire } from "node:module";
import path from "node:path";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { compileMeta } from "../src/meta.js";
import { repoRoot } from "./helpers.js";

// npm test builds first, so dist/meta/*.cjs (scripts/build-meta.js) are there.
const require = createRequire(import.meta.url);
const built = (name: string) => require(path.join(repoRoot, "dist", "meta", `${name}.cjs`)) as ValidateFunction;

describe("the built package checks configs and manifests with Ajv's code compiled ahead of time", () => {
  const cases: Record<"provider" | "config", unknown[]> = {
    provider: [
      {},
      { name: "x", title: 3 },
      { name: "acme", title: "Acme", docs: "not a uri", event: { in: "header" }, signing: { scheme: "nope" } },
      JSON.parse(require("node:fs").readFileSync(path.join(repoRoot, "schemas", "plain", "provider.json"), "utf8")),
    ],
    config: [{}, { schemas: 1, out: [] }, { format: "yes", unknown: true }, { schemas: "schemas", out: "generated" }],
  };
  for (const name of ["provider", "config"] as const) {
    it(`${name}: same verdicts and errors as Ajv compiling meta/${name}.schema.json at run time`, () => {
      const ahead = built(name);
      const now = compileMeta(name);
      for (const value of cases[name]) {
        expect(ahead(value)).toBe(now(value));
        expect(ahead.errors ?? null).toEqual(now.errors ?? null);
      }
    });
  }
});
