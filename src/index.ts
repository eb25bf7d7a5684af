export * from "./config.js";
export * from "./errors.js";
export * from "./generate.js";
export * from "./output.js";
export * from "./write.js";
export { main } from "./cli.js";
export * from "./diff/index.js";
