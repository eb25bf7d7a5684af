import { defineConfig } from "vitest/config";

// `npm run test:suite`: the JSON-Schema-Test-Suite conformance run (test/suite.test.ts), on its
// own: it generates some 600 catalogue versions, which is minutes on a busy machine.
export default defineConfig({
  test: {
    include: ["test/suite.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 900_000,
  },
});
