import { Validator, type OutputUnit } from "@cfworker/json-schema";
import type { InputsSchema, PropertySchema } from "./fields";

export type FieldErrors = Record<string, string[]>;
export type InputsValidation =
  { valid: true; value: Record<string, unknown> } | { valid: false; fieldErrors: FieldErrors };

// Errors that only say "a child failed"; the child's own error is reported instead.
const SUMMARY_KEYWORDS = new Set([
  "properties",
  "items",
  "prefixItems",
  "additionalProperties",
  "allOf",
  "anyOf",
  "oneOf",
  "$ref",
  "unevaluatedProperties",
]);

const FORMAT_NAMES: Record<string, string> = {
  date: "date (YYYY-MM-DD)",
  "date-time": "date and time",
  email: "email address",
  uri: "URL",
  uuid: "UUID",
};

/** A property's own message for a value that fails its `pattern` or `format`. */
export const ERROR_KEYWORD = "x-skillrun-error";

/** A message that is a sentence of its own, not a predicate that reads after the input's title. */
const isSentence = (message: string) => /^[A-Z]/.test(message);

/** A field's message under its control: "Topic is required", or a sentence as it is. */
export const fieldErrorText = (title: string, message: string) =>
  isSentence(message) ? message : `${title} ${message}`;

/** A field's message in a list naming several ("version: Use a version like 2.4.0"). */
export const fieldErrorLine = (name: string, message: string) =>
  isSentence(message) ? `${name}: ${message}` : `${name} ${message}`;

/** The segments of a location such as "#/properties/a%20b/items", decoded ("a b"). */
const pointerSegments = (location: string) =>
  location
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((segment) => decodeURIComponent(segment.replace(/~1/g, "/").replace(/~0/g, "~")));

function schemaAt(schema: InputsSchema, keywordLocation: string): PropertySchema | undefined {
  let node: unknown = schema;
  // "#/properties/a/items/minLength" → the node that holds the keyword
  for (const segment of pointerSegments(keywordLocation).slice(0, -1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node && typeof node === "object" ? (node as PropertySchema) : undefined;
}

/**
 * The message for one failed keyword. A sentence (capitalised) stands alone; anything else reads
 * after the input's title ("Topic must be at least 3 characters"), see `fieldErrorText`.
 */
function messageFor(error: OutputUnit, node: PropertySchema | undefined, title: string): string {
  const typeName = (type: unknown) =>
    type === "integer"
      ? "a whole number"
      : type === "number"
        ? "a number"
        : type === "boolean"
          ? "true or false"
          : type === "array"
            ? "a list"
            : type === "object"
              ? "an object"
              : `a ${String(type)}`;
  switch (error.keyword) {
    case "type":
      return `must be ${typeName(Array.isArray(node?.type) ? node.type.find((type) => type !== "null") : node?.type)}`;
    case "minLength":
      return `must be at least ${node?.minLength} characters`;
    case "maxLength":
      return `must be at most ${node?.maxLength} characters`;
    case "minimum":
      return `must be ≥ ${node?.minimum}`;
    case "maximum":
      return `must be ≤ ${node?.maximum}`;
    case "exclusiveMinimum":
      return `must be > ${node?.exclusiveMinimum}`;
    case "exclusiveMaximum":
      return `must be < ${node?.exclusiveMaximum}`;
    case "enum":
      return `must be one of: ${(node?.enum ?? []).map((option) => JSON.stringify(option)).join(", ")}`;
    case "format":
      return (
        node?.[ERROR_KEYWORD] ??
        `must be a valid ${FORMAT_NAMES[node?.format ?? ""] ?? node?.format ?? "value"}`
      );
    case "pattern":
      // A regular expression is no message: the schema's own words, else a plain one.
      return node?.[ERROR_KEYWORD] ?? `Doesn't match the expected format for ${title}`;
    case "const":
      return `must be ${JSON.stringify(node?.const)}`;
    case "multipleOf":
      return `must be a multiple of ${String(node?.multipleOf)}`;
    case "uniqueItems":
      return "must not list the same item twice";
    case "minItems":
      return `needs at least ${node?.minItems} item${node?.minItems === 1 ? "" : "s"}`;
    case "maxItems":
      return `takes at most ${node?.maxItems} item${node?.maxItems === 1 ? "" : "s"}`;
    case "false":
      return "is not an input of this skill";
    default:
      // Never the validator's own wording, which quotes schema internals.
      return node?.[ERROR_KEYWORD] ?? `Doesn't match the expected format for ${title}`;
  }
}

function fieldErrorsOf(schema: InputsSchema, errors: OutputUnit[]): FieldErrors {
  const fields: FieldErrors = {};
  const add = (field: string, message: string) => {
    // Own keys only: an input may be named like an Object.prototype member ("toString").
    const messages = Object.hasOwn(fields, field) ? fields[field]! : (fields[field] = []);
    if (!messages.includes(message)) messages.push(message);
  };
  for (const error of errors) {
    if (SUMMARY_KEYWORDS.has(error.keyword)) continue;
    // An undeclared input may be named anything: its name comes back percent-encoded.
    const path = pointerSegments(error.instanceLocation);
    if (error.keyword === "required") {
      const missing = /"(.*)"/.exec(error.error)?.[1];
      if (path.length === 0 && missing) add(missing, "is required");
      else add(path[0] ?? "", missing ? `is missing "${missing}"` : "is missing a required part");
      continue;
    }
    const field = path[0] ?? "";
    const title = schema.properties?.[field]?.title ?? field;
    const message = messageFor(error, schemaAt(schema, error.keywordLocation), title);
    add(
      field,
      path.length > 1
        ? `item ${Number(path[1]) + 1}${isSentence(message) ? ":" : ""} ${message}`
        : message,
    );
  }
  return fields;
}

/**
 * Compiles a validator for skill inputs that also fills in the schema's top-level defaults.
 * The browser's form and the server's start service both use it, so an input the form accepts
 * is one the server accepts. No code generation: it runs under a strict CSP.
 *
 * Inputs are closed for every skill, whatever its schema says: a key the schema does not
 * declare is refused ("is not an input of this skill"). Inputs are stored and sent to the
 * model, so nothing the skill does not ask for rides along.
 */
export function compileSkillInputs(
  schema: InputsSchema,
): (inputs: Record<string, unknown>) => InputsValidation {
  const closed: InputsSchema = { ...schema, additionalProperties: false };
  const validator = new Validator(
    closed as ConstructorParameters<typeof Validator>[0],
    "2020-12",
    false,
  );
  return (inputs) => {
    const value = structuredClone(inputs);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const absent = !Object.hasOwn(value, name) || value[name] === undefined;
      if (absent && property.default !== undefined) value[name] = structuredClone(property.default);
    }
    const result = validator.validate(value);
    return result.valid
      ? { valid: true, value }
      : { valid: false, fieldErrors: fieldErrorsOf(closed, result.errors) };
  };
}
