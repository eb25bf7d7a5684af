// The second pass's core keywords: $ref (beside others), type, const and enum.

function $typeError(plan, path, at, errors) {
  $fail(errors, path, at, "type", { type: plan.type }, "must be " + plan.type);
}

function $equals(data, value) {
  return value && typeof value == "object" ? $equal(data, value) : value === data;
}

function $x_ref(plan, data, path, at, errors) {
  if (!$schemas[plan.ref][0](data)) $walkDefinition(plan.ref, data, path, errors);
}

function $x_const(plan, data, path, at, errors) {
  if (!$equals(data, plan.const)) $fail(errors, path, at, "const", { allowedValue: plan.const }, "must be equal to constant");
}

function $x_enum(plan, data, path, at, errors) {
  if (!plan.enum.some((value) => $equals(data, value))) $fail(errors, path, at, "enum", { allowedValues: plan.enum }, "must be equal to one of the allowed values");
}

// Each keyword's part of a plan (see $plan).

function $p_const(schema, plan) {
  plan.const = schema.const;
}

function $p_enum(schema, plan) {
  // the values of the first pass's Set when the schema names one
  plan.enum = typeof schema.enum == "string" ? [...$enums[schema.enum]] : schema.enum;
}
