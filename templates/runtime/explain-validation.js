// The second pass's validation keywords: limits on numbers, lengths and patterns of strings,
// sizes of arrays and objects, unique items, required and dependent properties.

const $comparisons = { maximum: "<=", minimum: ">=", exclusiveMaximum: "<", exclusiveMinimum: ">" };
const $counted = { maxLength: "characters", minLength: "characters", maxItems: "items", minItems: "items", maxProperties: "properties", minProperties: "properties" };
const $sizeOf = { string: $ucs2length, array: (data) => data.length, object: (data) => Object.keys(data).length };

function $limit(keyword) {
  const comparison = $comparisons[keyword];
  return (plan, data, path, at, errors) => {
    const limit = plan.schema[keyword];
    const ok = comparison === "<=" ? data <= limit : comparison === ">=" ? data >= limit : comparison === "<" ? data < limit : data > limit;
    if (!ok) $fail(errors, path, at, keyword, { comparison, limit }, "must be " + comparison + " " + limit);
  };
}

function $count(keyword) {
  const more = keyword[1] === "a";
  return (plan, data, path, at, errors, group) => {
    const limit = plan.schema[keyword];
    if (more ? $sizeOf[group](data) > limit : $sizeOf[group](data) < limit) {
      $fail(errors, path, at, keyword, { limit }, "must NOT have " + (more ? "more" : "fewer") + " than " + limit + " " + $counted[keyword]);
    }
  };
}

/**
 * uniqueItems, reporting the pair Ajv finds first: with items of primitive types only, the
 * last item whose value came before (items of other types skipped; strings told apart from
 * numbers); else the last item equal to an earlier one, and the latest such earlier one.
 */
function $uniqueItems(plan, data, path, at, errors) {
  if (!plan.uniqueItems || data.length <= 1) return;
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

/** The properties a present property needs (dependencies, dependentRequired): one error for each missing. */
function $missingDependencies(keyword, names, data, path, at, errors) {
  for (const [property, needed] of names) {
    if ($own(data, property) === undefined) continue;
    const deps = needed.join(", ");
    for (const missingProperty of needed) {
      if ($own(data, missingProperty) !== undefined) continue;
      const message = "must have " + (needed.length === 1 ? "property" : "properties") + " " + deps + " when property " + property + " is present";
      $fail(errors, path, at, keyword, { property, missingProperty, depsCount: needed.length, deps }, message);
    }
  }
}

const $x_maximum = $limit("maximum");

const $x_minimum = $limit("minimum");

const $x_exclusiveMaximum = $limit("exclusiveMaximum");

const $x_exclusiveMinimum = $limit("exclusiveMinimum");

function $x_multipleOf(plan, data, path, at, errors) {
  // Ajv's test without multipleOfPrecision: the quotient is an integer as parseInt reads it
  const quotient = data / plan.multipleOf;
  if (quotient !== parseInt(quotient)) $fail(errors, path, at, "multipleOf", { multipleOf: plan.multipleOf }, "must be multiple of " + plan.multipleOf);
}

const $x_maxLength = $count("maxLength");

const $x_minLength = $count("minLength");

function $x_pattern(plan, data, path, at, errors) {
  if (!$pattern(plan.pattern).test(data)) $fail(errors, path, at, "pattern", { pattern: plan.pattern }, 'must match pattern "' + plan.pattern + '"');
}

const $x_maxItems = $count("maxItems");

const $x_minItems = $count("minItems");

const $x_uniqueItems = $uniqueItems;

const $x_maxProperties = $count("maxProperties");

const $x_minProperties = $count("minProperties");

function $x_required(plan, data, path, at, errors) {
  for (const [key, inherited] of plan.required) {
    if ((inherited ? $own(data, key) : data[key]) === undefined) $fail(errors, path, at, "required", { missingProperty: key }, "must have required property '" + key + "'");
  }
}

function $x_dependentRequired(plan, data, path, at, errors) {
  $missingDependencies("dependentRequired", plan.dependencies.dependentRequired[0], data, path, at, errors);
}

// Each keyword's part of a plan (see $plan).

function $p_multipleOf(schema, plan) {
  plan.multipleOf = schema.multipleOf;
}

function $p_pattern(schema, plan) {
  // the source of the first pass's RegExp when the schema names one
  plan.pattern = typeof schema.pattern == "object" ? $regexps[schema.pattern.$regexp].source : schema.pattern;
}

function $p_uniqueItems(schema, plan) {
  plan.uniqueItems = schema.uniqueItems === true;
}

function $p_required(schema, plan) {
  // [name, whether objects inherit a property of that name (then only an own one counts)]; true:
  // every property, in order; {"allBut": names}: every property but those, in order
  const { required } = schema;
  const names = Array.isArray(required) ? required : Object.keys(schema.properties).filter((key) => required === true || !required.allBut.includes(key));
  plan.required = names.map((key) => [key, key in Object.prototype]);
}

function $p_dependentRequired(schema, plan) {
  $p_dependencies(schema, plan, "dependentRequired");
}
