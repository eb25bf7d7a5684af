import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Generous limits, not timing assertions: several tests run the whole generator,
    // tsc or a child process, and CI machines are shared.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // test/stress (the kill loop, very large inputs) runs with `npm run test:stress`, the
    // JSON-Schema-Test-Suite (test/suite.test.ts) with `npm run test:suite`, and
    // test/runtimes (every runtime and framework) with `npm run test:runtimes`.
    exclude: ["**/node_modules/**", "test/stress/**", "test/suite.test.ts", "test/runtimes/**"],
  },
});
