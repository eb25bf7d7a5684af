// The second pass, run only when a payload has failed the compiled checks: it walks the
// schemas ($definition(name) reads one from $schemas) and reports what Ajv reports with
// allErrors: the same errors in the same order, each with its instancePath, schemaPath
// (relative to the named definition it is in), keyword, params and message. A definition
// whose compiled check passes adds no error, so only the parts that fail are walked.
function $explain(name, data) {
  const errors = [];
  $walk($definition(name), data, "", "#", errors);
  return errors;
}

const $patterns = new Map();

function $pattern(source) {
  let pattern = $patterns.get(source);
  if (pattern === undefined) $patterns.set(source, (pattern = new RegExp(source, "u")));
  return pattern;
}

const $pointer = (key) => key.replace(/~/g, "~0").replace(/\//g, "~1");

// Ajv's rules, in its order: the keywords for values of any type (type aside), then the
// keyword groups, each for values of one type. Each keyword's explainer, $x_<keyword>, is
// defined in the template of its family (explain-core.js, explain-applicator.js,
// explain-validation.js, explain-format.js, explain-unevaluated.js), as the compiler's
// keywords are; a module carries those of the keywords its schemas use, in its $explainers
// (keyword → (plan, data, path, at, errors, group): adds the errors Ajv reports for it).
const $rules = { any: ["$ref", "const", "enum", "not", "anyOf", "oneOf", "allOf", "if"] };
const $groups = {
  number: ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf", "format"],
  string: ["maxLength", "minLength", "pattern", "format"],
  array: ["maxItems", "minItems", "additionalItems", "prefixItems", "items", "contains", "uniqueItems", "maxContains", "minContains", "unevaluatedItems"],
  object: [
    "maxProperties", "minProperties", "required", "propertyNames", "additionalProperties", "dependencies", "properties",
    "patternProperties", "dependentRequired", "dependentSchemas", "unevaluatedProperties",
  ],
};

/**
 * A schema read once into a plan: an object of one shape holding what the walk needs, with
 * the plans of its subschemas in place of them. The schemas are written short: a number i
 * stands for $shared[i], a string for {"$ref": string}, "required": true for every property
 * in "properties" in their order ({"allBut": names}: every one but those), "enum": name for
 * the values of the Set $enums[name], and "pattern": {"$regexp": name} for the source of
 * $regexps[name].
 */
function $plan(schema) {
  if (typeof schema == "boolean") return schema;
  if (typeof schema == "number") return $sharedPlan(schema);
  if (typeof schema == "string") schema = { $ref: schema };
  const keys = Object.keys(schema).filter((key) => key !== "$check");
  const types = schema.type === undefined ? [] : [].concat(schema.type);
  if (schema.nullable === true && types.length > 0 && !types.includes("null")) types.push("null"); // OpenAPI's nullable, as Ajv reads it
  const groups = Object.keys($groups).filter((group) => $groups[group].some((keyword) => schema[keyword] !== undefined));
  const only = keys.length === 1 ? schema.$ref : undefined;
  const plan = {
    empty: keys.length === 0,
    only, // a schema that is only a $ref: the definition's errors, nothing else
    // the first pass's function for this schema, if it has one
    check: only ? $schemas[only][0] : schema.$check && $checks[schema.$check],
    ref: schema.$ref,
    types,
    groups,
    // a lone type whose keywords are present is checked with them; any other type up front
    upFront: types.length > 0 && !(types.length === 1 && groups.includes(types[0])),
    type: schema.type,
    // the keywords present, in Ajv's order: for values of any type ($ref beside others), and of each group
    anyType: only ? [] : $rules.any.filter((k) => schema[k] !== undefined),
    byGroup: Object.fromEntries(groups.map((group) => [group, $groups[group].filter((k) => schema[k] !== undefined && k in $explainers)])),
    // what other keywords read when theirs are absent
    known: schema.properties ?? {},
    patternProperties: [],
    dependencies: {},
    schema,
  };
  // each keyword's own part of the plan, made by its family's $p_<keyword> (see $planners)
  for (const key of keys) if (key in $planners) $planners[key](schema, plan);
  // a schema of one value's type, constants and limits is tested without a walk
  if (!plan.check && ["$ref", "not", "anyOf", "oneOf", "allOf", "if", ...$groups.array, ...$groups.object].every((k) => schema[k] === undefined)) {
    plan.check = (data) => $walk(plan, data, "", "", $discard);
  }
  return plan;
}

/** An errors list that keeps nothing: the walk of a leaf only needs the verdict. */
const $discard = { length: 0, push() { this.length++; } };

const $sharedPlans = new Map();

function $sharedPlan(i) {
  let plan = $sharedPlans.get(i);
  if (plan === undefined) $sharedPlans.set(i, (plan = $plan(JSON.parse($shared[i]))));
  return plan;
}

const $alwaysValid = (plan) => plan === true || (plan !== false && plan.empty);

/** True when the plan cannot add an error for this value: empty, or its check passes. */
const $passes = (plan, data) => plan === true || (plan !== false && (plan.empty || (plan.check !== undefined && plan.check(data))));

/** The verdict alone: a check where there is one, else a walk whose errors are dropped. */
const $valid = (plan, data) => $passes(plan, data) || (plan !== false && plan.check === undefined && $walk(plan, data, "", "", []));

function $is(type, data) {
  switch (type) {
    case "null":
      return data === null;
    case "array":
      return Array.isArray(data);
    case "object":
      return typeof data == "object" && data !== null && !Array.isArray(data);
    case "integer":
      return typeof data == "number" && !(data % 1) && !isNaN(data);
    default:
      return typeof data == type;
  }
}

// the property name being checked by propertyNames: Ajv adds it to the errors of the schemas
// written inside propertyNames (not to those of a definition it refers to)
let $propertyName;

function $fail(errors, instancePath, at, keyword, params, message) {
  const error = { instancePath, schemaPath: at + "/" + keyword, keyword, params, message };
  if ($propertyName !== undefined) error.propertyName = $propertyName;
  errors.push(error);
}

/** Walks a named definition: errors of its own, without the property name of the schema that refers to it. */
function $walkDefinition(name, data, path, errors) {
  const propertyName = $propertyName;
  $propertyName = undefined;
  const valid = $walk($definition(name), data, path, "#", errors);
  $propertyName = propertyName;
  return valid;
}

/**
 * Validates `data` at `path` against a plan at `at`, adding errors; true when it added none.
 * Callers skip what $passes, so a definition's compiled check runs once per level.
 */
function $walk(plan, data, path, at, errors) {
  if (typeof plan == "boolean") {
    if (!plan) $fail(errors, path, at, "false schema", {}, "boolean schema is false");
    return plan;
  }
  if (plan.only !== undefined) return $walkDefinition(plan.only, data, path, errors);
  const start = errors.length;
  if (plan.upFront && !$isOneOf(plan.types, data)) $typeError(plan, path, at, errors);
  for (const keyword of plan.anyType) $explainers[keyword](plan, data, path, at, errors);
  for (const group of plan.groups) {
    if (!$is(group, data)) {
      if (plan.types.length === 1 && plan.types[0] === group && !plan.upFront) $typeError(plan, path, at, errors);
    } else for (const keyword of plan.byGroup[group]) $explainers[keyword](plan, data, path, at, errors, group);
  }
  return errors.length === start;
}

function $isOneOf(types, data) {
  for (const type of types) if ($is(type, data)) return true;
  return false;
}
