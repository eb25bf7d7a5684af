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
  number: ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf", "format"],
  string: ["maxLength", "minLength", "pattern", "format"],
  array: ["maxItems", "minItems", "additionalItems", "prefixItems", "items", "contains", "uniqueItems", "maxContains", "minContains", "unevaluatedItems"],
  object: [
    "maxProperties", "minProperties", "required", "propertyNames", "additionalProperties", "dependencies", "properties",
    "patternProperties", "dependentRequired", "dependentSchemas", "unevaluatedProperties",
  ],
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
  if (schema.nullable === true && types.length > 0 && !types.includes("null")) types.push("null"); // OpenAPI's nullable, as Ajv reads it
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
    composite: ["$ref", "const", "enum", "not", "anyOf", "oneOf", "allOf", "if"].some((k) => schema[k] !== undefined),
    const: schema.const,
    enum: typeof schema.enum == "string" ? [...$enums[schema.enum]] : schema.enum,
    not: schema.not === undefined ? undefined : $plan(schema.not),
    anyOf: schema.anyOf?.map($plan),
    oneOf: schema.oneOf?.map($plan),
    allOf: schema.allOf?.map($plan),
    if: schema.if === undefined ? undefined : $plan(schema.if),
    then: schema.then === undefined ? undefined : $plan(schema.then),
    else: schema.else === undefined ? undefined : $plan(schema.else),
    multipleOf: schema.multipleOf,
    limits: keys.filter((k) => k in $comparisons).sort((a, b) => $order(a) - $order(b)),
    counts: keys.filter((k) => k in $counted).sort((a, b) => (a < b ? -1 : 1)), // max before min
    pattern: typeof schema.pattern == "object" ? $regexps[schema.pattern.$regexp].source : schema.pattern,
    format: schema.format,
    items: Array.isArray(schema.items) ? schema.items.map($plan) : schema.items === undefined ? undefined : $plan(schema.items),
    additionalItems: schema.additionalItems === undefined ? undefined : $plan(schema.additionalItems),
    prefixItems: schema.prefixItems?.map($plan),
    contains: schema.contains === undefined ? undefined : $plan(schema.contains),
    minContains: schema.minContains ?? 1,
    maxContains: schema.maxContains,
    uniqueItems: schema.uniqueItems === true,
    propertyNames: schema.propertyNames === undefined ? undefined : $plan(schema.propertyNames),
    unevaluatedProperties: schema.unevaluatedProperties === undefined ? undefined : $plan(schema.unevaluatedProperties),
    unevaluatedItems: schema.unevaluatedItems === undefined ? undefined : $plan(schema.unevaluatedItems),
    // [keyword, [property, names it needs][], [property, plan of the schema the object must then pass][]]
    dependencies: ["dependencies", "dependentRequired", "dependentSchemas"]
      .filter((keyword) => schema[keyword] !== undefined)
      .map((keyword) => {
        const entries = Object.keys(schema[keyword]).map((key) => [key, schema[keyword][key]]);
        const names = entries.filter(([key, value]) => Array.isArray(value) && value.length > 0 && key !== "__proto__");
        const schemas = entries.filter(([, value]) => !Array.isArray(value)).map(([key, value]) => [key, $plan(value)]);
        return [keyword, names, schemas];
      }),
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
  if (!plan.check && ["$ref", "not", "anyOf", "oneOf", "allOf", "if", ...$groups.array, ...$groups.object].every((k) => schema[k] === undefined)) {
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
  try {
    return $walk($definition(name), data, path, "#", errors);
  } finally {
    $propertyName = propertyName;
  }
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
    if ($propertyName !== undefined) return $walkDefinition(plan.only, data, path, errors);
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
  if (plan.ref !== undefined && !$schemas[plan.ref][0](data)) $walkDefinition(plan.ref, data, path, errors);
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
  if (plan.if !== undefined) $if(plan, data, path, at, errors);
}

/** if/then/else: the clause the if picks, its errors, then one "if" error naming it. */
function $if(plan, data, path, at, errors) {
  const hasThen = plan.then !== undefined && !$alwaysValid(plan.then);
  const hasElse = plan.else !== undefined && !$alwaysValid(plan.else);
  if (!hasThen && !hasElse) return;
  const clause = $valid(plan.if, data) ? (hasThen ? "then" : undefined) : hasElse ? "else" : undefined;
  if (clause === undefined || $passes(plan[clause], data) || $walk(plan[clause], data, path, at + "/" + clause, errors)) return;
  $fail(errors, path, at, "if", { failingKeyword: clause }, 'must match "' + clause + '" schema');
}

/** The keywords of one type, in Ajv's order, on a value of that type. */
function $keywords(group, plan, data, path, at, errors) {
  const { schema } = plan;
  for (const keyword of group === "number" ? plan.limits : []) {
    const [comparison, limit] = [$comparisons[keyword], schema[keyword]];
    const ok = comparison === "<=" ? data <= limit : comparison === ">=" ? data >= limit : comparison === "<" ? data < limit : data > limit;
    if (!ok) $fail(errors, path, at, keyword, { comparison, limit }, "must be " + comparison + " " + limit);
  }
  if (group === "number" && plan.multipleOf !== undefined) {
    // Ajv's test without multipleOfPrecision: the quotient is an integer as parseInt reads it
    const quotient = data / plan.multipleOf;
    if (quotient !== parseInt(quotient)) $fail(errors, path, at, "multipleOf", { multipleOf: plan.multipleOf }, "must be multiple of " + plan.multipleOf);
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
  const { items, additionalItems: extra, prefixItems } = plan;
  const item = (sub, i, where) => $passes(sub, data[i]) || $walk(sub, data[i], path + "/" + i, at + where, errors);
  // the items after a tuple: draft-07's additionalItems (before items), 2020-12's items after prefixItems
  const rest = (keyword, sub, from) => {
    if (data.length <= from) return;
    if (sub === false) $fail(errors, path, at, keyword, { limit: from }, "must NOT have more than " + from + " items");
    else if (!$alwaysValid(sub)) for (let i = from; i < data.length; i++) item(sub, i, "/" + keyword);
  };
  if (extra !== undefined && Array.isArray(items)) rest("additionalItems", extra, items.length);
  prefixItems?.forEach((sub, i) => data.length <= i || item(sub, i, "/prefixItems/" + i));
  if (Array.isArray(items)) items.forEach((sub, i) => data.length <= i || item(sub, i, "/items/" + i));
  else if (items !== undefined && prefixItems !== undefined) rest("items", items, prefixItems.length);
  else if (items !== undefined) for (let i = 0; i < data.length; i++) item(items, i, "/items");
  if (plan.contains !== undefined) $contains(plan, data, path, at, errors);
  if (plan.uniqueItems && data.length > 1) $uniqueItems(plan, data, path, at, errors);
  if (plan.unevaluatedItems !== undefined && !$alwaysValid(plan.unevaluatedItems)) $unevaluatedItems(plan, data, path, at, errors);
}

/** contains (with 2020-12's minContains and maxContains): the failing items' errors stay only when it fails. */
function $contains(plan, data, path, at, errors) {
  const { contains: sub, minContains: min, maxContains: max } = plan;
  if (max === undefined && min === 0) return;
  const fail = () =>
    max === undefined
      ? $fail(errors, path, at, "contains", { minContains: min }, "must contain at least " + min + " valid item(s)")
      : $fail(errors, path, at, "contains", { minContains: min, maxContains: max }, "must contain at least " + min + " and no more than " + max + " valid item(s)");
  if (max !== undefined && min > max) return fail();
  if ($alwaysValid(sub)) return data.length >= min && (max === undefined || data.length <= max) ? undefined : fail();
  const start = errors.length;
  let valid = min === 0;
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    if (!($passes(sub, data[i]) || $walk(sub, data[i], path + "/" + i, at + "/contains", errors))) continue;
    count++;
    if (max === undefined) {
      if (count >= min) {
        valid = true;
        break;
      }
    } else if (count > max) {
      valid = false;
      break;
    } else if (count >= min) valid = true;
  }
  if (valid) errors.length = start;
  else fail();
}

/**
 * uniqueItems, reporting the pair Ajv finds first: with items of primitive types only, the
 * last item whose value came before (items of other types skipped; strings told apart from
 * numbers); else the last item equal to an earlier one, and the latest such earlier one.
 */
function $uniqueItems(plan, data, path, at, errors) {
  const types = plan.items !== undefined && !Array.isArray(plan.items) && typeof plan.items == "object" ? plan.items.types : [];
  let i = data.length;
  let j;
  let found = false;
  if (types.length > 0 && !types.some((t) => t === "object" || t === "array")) {
    const indices = {};
    while (!found && i--) {
      let item = data[i];
      if (!$isOneOf(types, item)) continue;
      if (types.length > 1 && typeof item == "string") item += "_";
      if (typeof indices[item] == "number") {
        j = indices[item];
        found = true;
      } else indices[item] = i;
    }
  } else {
    outer: while (i--) {
      for (j = i; j--; ) {
        if ($equal(data[i], data[j])) {
          found = true;
          break outer;
        }
      }
    }
  }
  if (found) $fail(errors, path, at, "uniqueItems", { i, j }, "must NOT have duplicate items (items ## " + j + " and " + i + " are identical)");
}

function $objectKeywords(plan, data, path, at, errors) {
  for (const [key, inherited] of plan.required) {
    if ((inherited ? $own(data, key) : data[key]) === undefined) $fail(errors, path, at, "required", { missingProperty: key }, "must have required property '" + key + "'");
  }
  if (plan.propertyNames !== undefined && !$alwaysValid(plan.propertyNames)) $propertyNames(plan.propertyNames, data, path, at, errors);
  const extra = plan.additionalProperties;
  if (extra !== undefined && !$alwaysValid(extra)) {
    for (const key in data) {
      if (Object.prototype.hasOwnProperty.call(plan.known, key) || plan.patternProperties.some((p) => p.pattern.test(key))) continue;
      if (extra === false) {
        $fail(errors, path, at, "additionalProperties", { additionalProperty: key }, "must NOT have additional properties");
      } else if (!$passes(extra, data[key])) $walk(extra, data[key], path + "/" + $pointer(key), at + "/additionalProperties", errors);
    }
  }
  if (plan.dependencies[0]?.[0] === "dependencies") $dependencies(plan.dependencies[0], data, path, at, errors);
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
  for (const dependencies of plan.dependencies) if (dependencies[0] !== "dependencies") $dependencies(dependencies, data, path, at, errors);
  if (plan.unevaluatedProperties !== undefined && !$alwaysValid(plan.unevaluatedProperties)) $unevaluatedProperties(plan, data, path, at, errors);
}

/** propertyNames: each name that fails, its errors (naming it), then one error for it. */
function $propertyNames(sub, data, path, at, errors) {
  for (const key in data) {
    if ($passes(sub, key)) continue;
    const propertyName = $propertyName;
    $propertyName = key;
    let valid;
    try {
      valid = $walk(sub, key, path, at + "/propertyNames", errors);
    } finally {
      $propertyName = propertyName;
    }
    if (!valid) $fail(errors, path, at, "propertyNames", { propertyName: key }, "property name must be valid");
  }
}

/** dependencies, dependentRequired, dependentSchemas: the names a present property needs first, then the schemas. */
function $dependencies([keyword, names, schemas], data, path, at, errors) {
  for (const [property, needed] of names) {
    if ($own(data, property) === undefined) continue;
    const deps = needed.join(", ");
    for (const missingProperty of needed) {
      if ($own(data, missingProperty) !== undefined) continue;
      const message = "must have " + (needed.length === 1 ? "property" : "properties") + " " + deps + " when property " + property + " is present";
      $fail(errors, path, at, keyword, { property, missingProperty, depsCount: needed.length, deps }, message);
    }
  }
  for (const [property, sub] of schemas) {
    if ($alwaysValid(sub) || $own(data, property) === undefined || $passes(sub, data)) continue;
    $walk(sub, data, path, at + "/" + keyword + "/" + encodeURIComponent($pointer(property)), errors);
  }
}

// unevaluatedProperties and unevaluatedItems: what the other keywords and the in-place
// subschemas that pass evaluated (as the first pass collects it), then Ajv's errors for the rest.

/** A plan's definition when it is only a $ref, else the plan. */
const $target = (plan) => (plan.only !== undefined ? (plan.target ??= $definition(plan.only)) : plan);

/**
 * Calls `merge` with each in-place subschema whose annotations count for this value: allOf
 * and $ref always, anyOf, oneOf, dependentSchemas and the if/then/else clause taken when they pass.
 */
function $inPlace(plan, data, merge) {
  const valid = (sub) => $valid(sub, data);
  const subs = [...(plan.allOf ?? [])];
  if (plan.ref !== undefined && plan.only === undefined) subs.push($definition(plan.ref));
  for (const sub of [...(plan.anyOf ?? []), ...(plan.oneOf ?? [])]) if (valid(sub)) subs.push(sub);
  for (const [, , schemas] of plan.dependencies) for (const [key, sub] of schemas) if ($isOneOf(["object"], data) && $own(data, key) !== undefined && valid(sub)) subs.push(sub);
  if (plan.if !== undefined) {
    if (valid(plan.if)) subs.push(plan.if, ...(plan.then !== undefined && valid(plan.then) ? [plan.then] : []));
    else if (plan.else !== undefined && valid(plan.else)) subs.push(plan.else);
  }
  for (const sub of subs) if (merge(sub)) return true;
  return false;
}

/** Adds to `seen` the property names a plan evaluates on an object; true when it evaluates them all. */
function $evaluatedProperties(plan, data, seen, depth = 0) {
  if (typeof plan == "boolean" || depth > 64) return false;
  plan = $target(plan);
  // (the unevaluatedProperties being checked is the top one's own, depth 0)
  if (plan.additionalProperties !== undefined || (depth > 0 && plan.unevaluatedProperties !== undefined)) return true;
  for (const key of Object.keys(plan.known)) seen.add(key);
  for (const { pattern } of plan.patternProperties) for (const key in data) if (pattern.test(key)) seen.add(key);
  return $inPlace(plan, data, (sub) => $evaluatedProperties(sub, data, seen, depth + 1));
}

/** Adds to `seen` the indices of the items a plan evaluates through contains; returns how many leading items it evaluates. */
function $evaluatedItems(plan, data, seen, depth = 0) {
  if (typeof plan == "boolean" || depth > 64) return 0;
  plan = $target(plan);
  if ((depth > 0 && plan.unevaluatedItems !== undefined) || (plan.items !== undefined && !Array.isArray(plan.items))) return Infinity;
  let n = plan.prefixItems?.length ?? 0;
  if (plan.contains !== undefined) for (let i = 0; i < data.length; i++) if ($valid(plan.contains, data[i])) seen.add(i);
  $inPlace(plan, data, (sub) => {
    n = Math.max(n, $evaluatedItems(sub, data, seen, depth + 1));
    return n === Infinity;
  });
  return n;
}

function $unevaluatedProperties(plan, data, path, at, errors) {
  const seen = new Set();
  if ($evaluatedProperties(plan, data, seen)) return;
  const sub = plan.unevaluatedProperties;
  for (const key in data) {
    if (seen.has(key)) continue;
    if (sub === false) $fail(errors, path, at, "unevaluatedProperties", { unevaluatedProperty: key }, "must NOT have unevaluated properties");
    else if (!$passes(sub, data[key])) $walk(sub, data[key], path + "/" + $pointer(key), at + "/unevaluatedProperties", errors);
  }
}

function $unevaluatedItems(plan, data, path, at, errors) {
  const seen = new Set();
  const n = $evaluatedItems(plan, data, seen);
  const sub = plan.unevaluatedItems;
  for (let i = n; i < data.length; i++) {
    if (seen.has(i)) continue;
    if (sub === false) return $fail(errors, path, at, "unevaluatedItems", { limit: n }, "must NOT have more than " + n + " items");
    if (!$passes(sub, data[i])) $walk(sub, data[i], path + "/" + i, at + "/unevaluatedItems", errors);
  }
}
