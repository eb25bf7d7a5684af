#!/usr/bin/env node
import { main } from "../dist/cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error("codegen: unexpected error (please report it):");
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 2;
  },
);
