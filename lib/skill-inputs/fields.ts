/** A skill's inputs schema as stored: a draft 2020-12 object schema, validated when the catalog loads. */
export type InputsSchema = {
  type?: "object";
  required?: string[];
  properties?: Record<string, PropertySchema>;
  additionalProperties?: boolean;
  /** Names the input whose value is a run's title in lists (see `titleInputOf`). */
  "x-skillrun-title"?: string;
  [keyword: string]: unknown;
};

export type PropertySchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  items?: PropertySchema;
  "x-skillrun-widget"?: "textarea";
  /** What to say when the value fails `pattern` or `format`: a sentence, or words after the title. */
  "x-skillrun-error"?: string;
  [keyword: string]: unknown;
};

export type FieldKind =
  | "text"
  | "textarea"
  | "integer"
  | "number"
  | "boolean"
  | "enum"
  | "date"
  | "date-time"
  | "string-list"
  | "json";

/** One input as a form and a reference table present it. */
export type InputField = {
  name: string;
  kind: FieldKind;
  title: string;
  description?: string;
  required: boolean;
  default?: unknown;
  options?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  typeLabel: string;
};

function kindOf(property: PropertySchema): FieldKind {
  const type = Array.isArray(property.type)
    ? property.type.find((candidate) => candidate !== "null")
    : property.type;
  if (property.enum && property.enum.every((option) => typeof option === "string")) return "enum";
  if (type === "string") {
    if (property.format === "date") return "date";
    if (property.format === "date-time") return "date-time";
    return property["x-skillrun-widget"] === "textarea" ? "textarea" : "text";
  }
  if (type === "integer" || type === "number" || type === "boolean") return type;
  if (type === "array" && property.items?.type === "string" && !property.items.enum)
    return "string-list";
  return "json";
}

const TYPE_LABELS: Record<FieldKind, string> = {
  text: "text",
  textarea: "long text",
  integer: "integer",
  number: "number",
  boolean: "yes / no",
  enum: "one of",
  date: "date",
  "date-time": "date and time",
  "string-list": "list of text",
  json: "JSON",
};

/** The schema's properties in declaration order, each with the widget that fits it. */
export function inputFieldsOf(schema: InputsSchema): InputField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const kind = kindOf(property);
    return {
      name,
      kind,
      title: property.title ?? name,
      description: property.description,
      required: required.has(name),
      default: property.default,
      options: kind === "enum" ? (property.enum as string[]) : undefined,
      minimum: property.minimum ?? property.exclusiveMinimum,
      maximum: property.maximum ?? property.exclusiveMaximum,
      minLength: property.minLength,
      maxLength: property.maxLength,
      typeLabel: TYPE_LABELS[kind],
    };
  });
}
