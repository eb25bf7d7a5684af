// Turns Ajv's errors into ones a person can act on: the JSON path, what was expected and
// what was found ("must be one of TODO, DONE, SNOOZED; got \"OPEN\"").
function $valueAt(root, path) {
  let node = root;
  for (const raw of path.split("/").slice(1)) {
    const key = raw.indexOf("~") === -1 ? raw : raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function $shown(value) {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

// what was found, shown (written out only for the messages that say it)
function $got(value) {
  return "; got " + $shown(value);
}

function $typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

function $readableError(error, payload) {
  const value = $valueAt(payload, error.instancePath);
  const params = error.params || {};
  let message;
  switch (error.keyword) {
    case "enum":
      message = "must be one of " + params.allowedValues.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ") + $got(value);
      break;
    case "const":
      message = "must be " + JSON.stringify(params.allowedValue) + $got(value);
      break;
    case "type":
      message = "must be " + String(params.type).split(",").join(" or ") + "; got " + $typeOf(value) + (value !== null && typeof value !== "object" ? " " + $shown(value) : "");
      break;
    case "required":
      message = "missing required property " + JSON.stringify(params.missingProperty);
      break;
    case "additionalProperties":
      message = "unknown property " + JSON.stringify(params.additionalProperty);
      break;
    case "format":
      message = "must be a valid " + params.format + $got(value);
      break;
    case "pattern":
      message = "must match the pattern " + params.pattern + $got(value);
      break;
    case "anyOf":
    case "oneOf":
      message = "matches none of the allowed shapes";
      break;
    default:
      message = (error.message || error.keyword) + (value !== null && typeof value !== "object" ? $got(value) : "");
  }
  return { path: error.instancePath, message, keyword: error.keyword, schemaPath: error.schemaPath, params };
}

// Ajv reports the errors of every branch of a failed union. When the union is tagged (each
// branch pins a property with a const, like "type": "CREATED") and the payload's tag picked
// a branch, the other branches' errors are noise; so is "must be null" for a nullable value
// that is not null. What is left says what is wrong with the branch the payload meant.
function $readableErrors(errors, payload) {
  const unions = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  if (unions.length === 0) return errors.map((e) => $readableError(e, payload));
  const branches = new Map();
  for (const error of errors) {
    const match = /^(.*\/(?:anyOf|oneOf))\/(\d+)(?:\/|$)/.exec(error.schemaPath);
    if (match === null) continue;
    const union = unions
      .filter((u) => u.schemaPath === match[1] && (error.instancePath + "/").startsWith(u.instancePath + "/"))
      .sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
    if (union === undefined) continue;
    const key = union.instancePath + " " + union.schemaPath;
    if (!branches.has(key)) branches.set(key, new Map());
    const members = branches.get(key);
    if (!members.has(match[2])) members.set(match[2], { union, errors: [] });
    members.get(match[2]).errors.push(error);
  }
  const noise = new Set();
  for (const members of branches.values()) {
    const mistagged = (branch) =>
      branch.errors.some(
        (e) =>
          (e.keyword === "const" && e.instancePath.slice(0, e.instancePath.lastIndexOf("/")) === branch.union.instancePath) ||
          (e.keyword === "type" && e.params.type === "null" && e.instancePath === branch.union.instancePath),
      );
    const all = [...members.values()];
    if (all.some((branch) => !mistagged(branch))) {
      for (const branch of all) if (mistagged(branch)) for (const e of branch.errors) noise.add(e);
    }
  }
  const unionPaths = new Set(unions.map((e) => e.instancePath));
  return errors
    .filter((e) => !noise.has(e))
    .filter((e) => !(e.keyword === "type" && e.params && e.params.type === "null" && unionPaths.has(e.instancePath)))
    .map((e) => $readableError(e, payload));
}
