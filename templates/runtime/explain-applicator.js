// The second pass's applicators: not, anyOf, oneOf, allOf, if/then/else, and the keywords
// that apply subschemas to items and properties.

/** if/then/else: the clause the if picks, its errors, then one "if" error naming it. */
function $if(plan, data, path, at, errors) {
  const hasThen = plan.then !== undefined && !$alwaysValid(plan.then);
  const hasElse = plan.else !== undefined && !$alwaysValid(plan.else);
  if (!hasThen && !hasElse) return;
  const clause = $valid(plan.if, data) ? (hasThen ? "then" : undefined) : hasElse ? "else" : undefined;
  if (clause === undefined || $passes(plan[clause], data) || $walk(plan[clause], data, path, at + "/" + clause, errors)) return;
  $fail(errors, path, at, "if", { failingKeyword: clause }, 'must match "' + clause + '" schema');
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

/** propertyNames: each name that fails, its errors (naming it), then one error for it. */
function $propertyNames(sub, data, path, at, errors) {
  for (const key in data) {
    if ($passes(sub, key)) continue;
    const propertyName = $propertyName;
    $propertyName = key;
    const valid = $walk(sub, key, path, at + "/propertyNames", errors);
    $propertyName = propertyName;
    if (!valid) $fail(errors, path, at, "propertyNames", { propertyName: key }, "property name must be valid");
  }
}

/** The schemas an object must pass when a property is present (dependencies, dependentSchemas). */
function $schemaDependencies(keyword, schemas, data, path, at, errors) {
  for (const [property, sub] of schemas) {
    if ($alwaysValid(sub) || $own(data, property) === undefined || $passes(sub, data)) continue;
    $walk(sub, data, path, at + "/" + keyword + "/" + encodeURIComponent($pointer(property)), errors);
  }
}

/** The items from `from` on against one schema (draft-07's additionalItems, 2020-12's items after prefixItems). */
function $restItems(keyword, sub, from, data, path, at, errors) {
  if (data.length <= from) return;
  if (sub === false) $fail(errors, path, at, keyword, { limit: from }, "must NOT have more than " + from + " items");
  else if (!$alwaysValid(sub)) for (let i = from; i < data.length; i++) $item(sub, data, i, path, at + "/" + keyword, errors);
}

function $item(sub, data, i, path, where, errors) {
  return $passes(sub, data[i]) || $walk(sub, data[i], path + "/" + i, where, errors);
}

function $x_not(plan, data, path, at, errors) {
  if ($valid(plan.not, data)) $fail(errors, path, at, "not", {}, "must NOT be valid");
}

// a union with a branch that passes adds no error (Ajv drops the others' errors)
function $x_anyOf(plan, data, path, at, errors) {
  if (plan.anyOf.some((branch) => $valid(branch, data))) return;
  plan.anyOf.forEach((branch, i) => $walk(branch, data, path, at + "/anyOf/" + i, errors));
  $fail(errors, path, at, "anyOf", {}, "must match a schema in anyOf");
}

// exactly one branch must pass; Ajv walks them in order and stops at the second that does
function $x_oneOf(plan, data, path, at, errors) {
  if (plan.oneOf.filter((branch) => $valid(branch, data)).length === 1) return;
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

function $x_allOf(plan, data, path, at, errors) {
  plan.allOf.forEach((branch, i) => $passes(branch, data) || $walk(branch, data, path, at + "/allOf/" + i, errors));
}

const $x_if = $if;

function $x_additionalItems(plan, data, path, at, errors) {
  if (Array.isArray(plan.items)) $restItems("additionalItems", plan.additionalItems, plan.items.length, data, path, at, errors);
}

// prefixItems, then the items after them (2020-12's items beside prefixItems: Ajv's next rule)
function $x_prefixItems(plan, data, path, at, errors) {
  plan.prefixItems.forEach((sub, i) => data.length <= i || $item(sub, data, i, path, at + "/prefixItems/" + i, errors));
  if (plan.items !== undefined) $restItems("items", plan.items, plan.prefixItems.length, data, path, at, errors);
}

// items alone, or draft-07's list of items
function $x_items(plan, data, path, at, errors) {
  const { items } = plan;
  if (Array.isArray(items)) items.forEach((sub, i) => data.length <= i || $item(sub, data, i, path, at + "/items/" + i, errors));
  else if (plan.prefixItems === undefined) for (let i = 0; i < data.length; i++) $item(items, data, i, path, at + "/items", errors);
}

const $x_contains = $contains;

function $x_propertyNames(plan, data, path, at, errors) {
  if (!$alwaysValid(plan.propertyNames)) $propertyNames(plan.propertyNames, data, path, at, errors);
}

function $x_additionalProperties(plan, data, path, at, errors) {
  const extra = plan.additionalProperties;
  if ($alwaysValid(extra)) return;
  for (const key in data) {
    if (Object.prototype.hasOwnProperty.call(plan.known, key) || plan.patternProperties.some((p) => p.pattern.test(key))) continue;
    if (extra === false) {
      $fail(errors, path, at, "additionalProperties", { additionalProperty: key }, "must NOT have additional properties");
    } else if (!$passes(extra, data[key])) $walk(extra, data[key], path + "/" + $pointer(key), at + "/additionalProperties", errors);
  }
}

function $x_dependencies(plan, data, path, at, errors) {
  const [names, schemas] = plan.dependencies.dependencies;
  $missingDependencies("dependencies", names, data, path, at, errors);
  $schemaDependencies("dependencies", schemas, data, path, at, errors);
}

function $x_properties(plan, data, path, at, errors) {
  for (const { key, inherited, plan: sub, path: to, at: where } of plan.properties) {
    const value = inherited ? $own(data, key) : data[key];
    if (value !== undefined && !$passes(sub, value)) $walk(sub, value, path + to, at + where, errors);
  }
}

function $x_patternProperties(plan, data, path, at, errors) {
  for (const { pattern, plan: sub, at: where } of plan.patternProperties) {
    if ($alwaysValid(sub)) continue;
    for (const key in data) {
      if (pattern.test(key) && !$passes(sub, data[key])) $walk(sub, data[key], path + "/" + $pointer(key), at + where, errors);
    }
  }
}

function $x_dependentSchemas(plan, data, path, at, errors) {
  $schemaDependencies("dependentSchemas", plan.dependencies.dependentSchemas[1], data, path, at, errors);
}

// Each keyword's part of a plan (see $plan): the plans of its subschemas.

function $p_not(schema, plan) {
  plan.not = $plan(schema.not);
}

function $p_anyOf(schema, plan) {
  plan.anyOf = schema.anyOf.map($plan);
}

function $p_oneOf(schema, plan) {
  plan.oneOf = schema.oneOf.map($plan);
}

function $p_allOf(schema, plan) {
  plan.allOf = schema.allOf.map($plan);
}

function $p_if(schema, plan) {
  plan.if = $plan(schema.if);
  plan.then = schema.then === undefined ? undefined : $plan(schema.then);
  plan.else = schema.else === undefined ? undefined : $plan(schema.else);
}

function $p_items(schema, plan) {
  plan.items = Array.isArray(schema.items) ? schema.items.map($plan) : $plan(schema.items);
}

function $p_additionalItems(schema, plan) {
  plan.additionalItems = $plan(schema.additionalItems);
}

function $p_prefixItems(schema, plan) {
  plan.prefixItems = schema.prefixItems.map($plan);
}

function $p_contains(schema, plan) {
  plan.contains = $plan(schema.contains);
  plan.minContains = schema.minContains ?? 1;
  plan.maxContains = schema.maxContains;
}

function $p_propertyNames(schema, plan) {
  plan.propertyNames = $plan(schema.propertyNames);
}

function $p_properties(schema, plan) {
  plan.properties = Object.keys(schema.properties).map((key) => ({
    key,
    inherited: key in Object.prototype, // then only an own property of that name counts
    plan: $plan(schema.properties[key]),
    path: "/" + $pointer(key),
    at: "/properties/" + encodeURIComponent($pointer(key)),
  }));
}

function $p_additionalProperties(schema, plan) {
  plan.additionalProperties = $plan(schema.additionalProperties);
}

function $p_patternProperties(schema, plan) {
  plan.patternProperties = Object.keys(schema.patternProperties).map((source) => ({
    pattern: $pattern(source),
    plan: $plan(schema.patternProperties[source]),
    at: "/patternProperties/" + encodeURIComponent($pointer(source)),
  }));
}

/** dependencies, dependentRequired, dependentSchemas: [[property, names it needs][], [property, plan of the schema the object must then pass][]]. */
function $p_dependencies(schema, plan, keyword = "dependencies") {
  const entries = Object.keys(schema[keyword]).map((key) => [key, schema[keyword][key]]);
  const names = entries.filter(([key, value]) => Array.isArray(value) && value.length > 0 && key !== "__proto__");
  const schemas = entries.filter(([, value]) => !Array.isArray(value)).map(([key, value]) => [key, $plan(value)]);
  plan.dependencies[keyword] = [names, schemas];
}

function $p_dependentSchemas(schema, plan) {
  $p_dependencies(schema, plan, "dependentSchemas");
}
