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

// Ajv's keyword groups: each applies to values of one type, in this order.
const $groups = {
  number: ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "format"],
  string: ["maxLength", "minLength", "pattern", "format"],
  array: ["maxItems", "minItems", "additionalItems", "items"],
  object: ["maxProperties", "minProperties", "required", "additionalProperties", "properties", "patternProperties"],
};
const $comparisons = { maximum: "<=", minimum: ">=", exclusiveMaximum: "<", exclusiveMinimum: ">" };
const $counted = { maxLength: "characters", minLength: "characters", maxItems: "items", minItems: "items", maxProperties: "properties", minProperties: "properties" };
const $sizeOf = { string: $ucs2length, array: (data) => data.length, object: (data) => Object.keys(data).length };

/**
 * A schema read once into a plan: an object of one shape holding what the walk needs, with
 * the plans of its subschemas in place of them. The schemas are written short: a number i
 * stands for $shared[i], a string for {"$ref": string}, "required": true for every property
 * in "properties" in their order, "enum": name for the values of the Set $enums[name], and
 * "pattern": {"$regexp": name} for the source of $regexps[name].
 */
function $plan(schema) {
  if (typeof schema == "boolean") return schema;
  if (typeof schema == "number") return $sharedPlan(schema);
  if (typeof schema == "string") schema = { $ref: schema };
  const keys = Object.keys(schema).filter((key) => key !== "$check");
  const types = schema.type === undefined ? [] : [].concat(schema.type);
  const groups = Object.keys($groups).filter((group) => $groups[group].some((keyword) => schema[keyword] !== undefined));
  const map = (object, each) => Object.keys(object ?? {}).map((key) => each(key, object[key]));
  const only = keys.length === 1 ? schema.$ref : undefined;
  const plan = {
    empty: keys.length === 0,
    only, // a schema that is only a $ref: the definition's errors, nothing else
    // the first pass's function for this schema, if it has one
    check: only ? $schemas[only][0] : schema.$check && $checks[schema.$check],
    target: undefined, // the plan of `only`, once walked
    ref: schema.$ref,
    types,
    groups,
    // a lone type whose keywords are present is checked with them; any other type up front
    upFront: types.length > 0 && !(types.length === 1 && groups.includes(types[0])),
    type: schema.type,
    // keywords for values of any type: $ref (beside others), const, enum, not, anyOf, oneOf, allOf
    composite: ["$ref", "const", "enum", "not", "anyOf", "oneOf", "allOf"].some((k) => schema[k] !== undefined),
    const: schema.const,
    enum: typeof schema.enum == "string" ? [...$enums[schema.enum]] : schema.enum,
    not: schema.not === undefined ? undefined : $plan(schema.not),
    anyOf: schema.anyOf?.map($plan),
    oneOf: schema.oneOf?.map($plan),
    allOf: schema.allOf?.map($plan),
    limits: keys.filter((k) => k in $comparisons).sort((a, b) => $order(a) - $order(b)),
    counts: keys.filter((k) => k in $counted).sort((a, b) => (a < b ? -1 : 1)), // max before min
    pattern: typeof schema.pattern == "object" ? $regexps[schema.pattern.$regexp].source : schema.pattern,
    format: schema.format,
    items: Array.isArray(schema.items) ? schema.items.map($plan) : schema.items === undefined ? undefined : $plan(schema.items),
    additionalItems: schema.additionalItems === undefined ? undefined : $plan(schema.additionalItems),
    // [name, whether objects inherit a property of that name (then only an own one counts)]
    required: (schema.required === true ? Object.keys(schema.properties) : schema.required ?? []).map((key) => [key, key in Object.prototype]),
    known: schema.properties ?? {},
    properties: map(schema.properties, (key, sub) => ({
      key,
      inherited: key in Object.prototype,
      plan: $plan(sub),
      path: "/" + $pointer(key),
      at: "/properties/" + encodeURIComponent($pointer(key)),
    })),
    additionalProperties: schema.additionalProperties === undefined ? undefined : $plan(schema.additionalProperties),
    patternProperties: map(schema.patternProperties, (source, sub) => ({ pattern: $pattern(source), plan: $plan(sub), at: "/patternProperties/" + encodeURIComponent($pointer(source)) })),
    schema,
  };
  // a schema of one value's type, constants and limits is tested without a walk
  if (!plan.check && ["$ref", "not", "anyOf", "oneOf", "allOf", ...$groups.array, ...$groups.object].every((k) => schema[k] === undefined)) {
    plan.check = (data) => $walk(plan, data, "", "", $discard);
  }
  return plan;
}

const $order = (keyword) => Object.keys($comparisons).indexOf(keyword);

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

function $fail(errors, instancePath, at, keyword, params, message) {
  errors.push({ instancePath, schemaPath: at + "/" + keyword, keyword, params, message });
}

function $typeError(plan, path, at, errors) {
  $fail(errors, path, at, "type", { type: plan.type }, "must be " + plan.type);
}

function $equals(data, value) {
  return value && typeof value == "object" ? $equal(data, value) : value === data;
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
  const start = errors.length;
  if (plan.only !== undefined) {
    $walk((plan.target ??= $definition(plan.only)), data, path, "#", errors);
    return errors.length === start;
  }
  if (plan.upFront && !$isOneOf(plan.types, data)) $typeError(plan, path, at, errors);
  if (plan.composite) $anyType(plan, data, path, at, errors);
  for (const group of plan.groups) {
    if ($is(group, data)) $keywords(group, plan, data, path, at, errors);
    else if (plan.types.length === 1 && plan.types[0] === group && !plan.upFront) $typeError(plan, path, at, errors);
  }
  return errors.length === start;
}

function $isOneOf(types, data) {
  for (const type of types) if ($is(type, data)) return true;
  return false;
}

/** The keywords that apply to a value of any type, in Ajv's order. */
function $anyType(plan, data, path, at, errors) {
  if (plan.ref !== undefined && !$schemas[plan.ref][0](data)) $walk($definition(plan.ref), data, path, "#", errors);
  if (plan.const !== undefined && !$equals(data, plan.const)) $fail(errors, path, at, "const", { allowedValue: plan.const }, "must be equal to constant");
  if (plan.enum !== undefined && !plan.enum.some((value) => $equals(data, value))) {
    $fail(errors, path, at, "enum", { allowedValues: plan.enum }, "must be equal to one of the allowed values");
  }
  if (plan.not !== undefined && $valid(plan.not, data)) $fail(errors, path, at, "not", {}, "must NOT be valid");
  // a union with a branch that passes adds no error (Ajv drops the others' errors)
  if (plan.anyOf !== undefined && !plan.anyOf.some((branch) => $valid(branch, data))) {
    plan.anyOf.forEach((branch, i) => $walk(branch, data, path, at + "/anyOf/" + i, errors));
    $fail(errors, path, at, "anyOf", {}, "must match a schema in anyOf");
  }
  // exactly one branch must pass; Ajv walks them in order and stops at the second that does
  if (plan.oneOf !== undefined && plan.oneOf.filter((branch) => $valid(branch, data)).length !== 1) {
    let passing = null;
    for (let i = 0; i < plan.oneOf.length; i++) {
      const branch = plan.oneOf[i];
      if (!($passes(branch, data) || $walk(branch, data, path, at + "/oneOf/" + i, errors))) continue;
      if (passing !== null) {
        passing = [passing, i];
        break;
      }
      passing = i;
    }
    $fail(errors, path, at, "oneOf", { passingSchemas: passing }, "must match exactly one schema in oneOf");
  }
  plan.allOf?.forEach((branch, i) => $passes(branch, data) || $walk(branch, data, path, at + "/allOf/" + i, errors));
}

/** The keywords of one type, in Ajv's order, on a value of that type. */
function $keywords(group, plan, data, path, at, errors) {
  const { schema } = plan;
  for (const keyword of group === "number" ? plan.limits : []) {
    const [comparison, limit] = [$comparisons[keyword], schema[keyword]];
    const ok = comparison === "<=" ? data <= limit : comparison === ">=" ? data >= limit : comparison === "<" ? data < limit : data > limit;
    if (!ok) $fail(errors, path, at, keyword, { comparison, limit }, "must be " + comparison + " " + limit);
  }
  for (const keyword of plan.counts) {
    const limit = schema[keyword];
    if ($groups[group].includes(keyword) && (keyword[1] === "a" ? $sizeOf[group](data) > limit : $sizeOf[group](data) < limit)) {
      $fail(errors, path, at, keyword, { limit }, "must NOT have " + (keyword[1] === "a" ? "more" : "fewer") + " than " + limit + " " + $counted[keyword]);
    }
  }
  if (group === "string" && plan.pattern !== undefined && !$pattern(plan.pattern).test(data)) {
    $fail(errors, path, at, "pattern", { pattern: plan.pattern }, 'must match pattern "' + plan.pattern + '"');
  }
  if ((group === "string" || group === "number") && plan.format !== undefined && !$formatPasses(plan.format, data)) {
    $fail(errors, path, at, "format", { format: plan.format }, 'must match format "' + plan.format + '"');
  }
  if (group === "array") $arrayKeywords(plan, data, path, at, errors);
  if (group === "object") $objectKeywords(plan, data, path, at, errors);
}

/** Whether a value passes a format (one made for another type of value passes). */
function $formatPasses(name, data) {
  const format = $formats[name];
  if (format === undefined) return true;
  const object = typeof format == "object" && !(format instanceof RegExp);
  if ((object ? format.type || "string" : "string") !== typeof data) return true;
  const check = object ? format.validate : format;
  return typeof check == "function" ? check(data) : check.test(data);
}

function $arrayKeywords(plan, data, path, at, errors) {
  const { items, additionalItems: extra } = plan;
  const item = (sub, i, where) => $passes(sub, data[i]) || $walk(sub, data[i], path + "/" + i, at + where, errors);
  if (extra !== undefined && Array.isArray(items) && data.length > items.length) {
    if (extra === false) {
      $fail(errors, path, at, "additionalItems", { limit: items.length }, "must NOT have more than " + items.length + " items");
    } else for (let i = items.length; i < data.length; i++) item(extra, i, "/additionalItems");
  }
  if (Array.isArray(items)) items.forEach((sub, i) => data.length <= i || item(sub, i, "/items/" + i));
  else if (items !== undefined) for (let i = 0; i < data.length; i++) item(items, i, "/items");
}

function $objectKeywords(plan, data, path, at, errors) {
  for (const [key, inherited] of plan.required) {
    if ((inherited ? $own(data, key) : data[key]) === undefined) $fail(errors, path, at, "required", { missingProperty: key }, "must have required property '" + key + "'");
  }
  const extra = plan.additionalProperties;
  if (extra !== undefined && !$alwaysValid(extra)) {
    for (const key in data) {
      if (Object.prototype.hasOwnProperty.call(plan.known, key) || plan.patternProperties.some((p) => p.pattern.test(key))) continue;
      if (extra === false) {
        $fail(errors, path, at, "additionalProperties", { additionalProperty: key }, "must NOT have additional properties");
      } else if (!$passes(extra, data[key])) $walk(extra, data[key], path + "/" + $pointer(key), at + "/additionalProperties", errors);
    }
  }
  for (const { key, inherited, plan: sub, path: to, at: where } of plan.properties) {
    const value = inherited ? $own(data, key) : data[key];
    if (value !== undefined && !$passes(sub, value)) $walk(sub, value, path + to, at + where, errors);
  }
  for (const { pattern, plan: sub, at: where } of plan.patternProperties) {
    if ($alwaysValid(sub)) continue;
    for (const key in data) {
      if (pattern.test(key) && !$passes(sub, data[key])) $walk(sub, data[key], path + "/" + $pointer(key), at + where, errors);
    }
  }
}
