import type { InputField } from "./fields";

/** What a form control holds: text for every widget except a checkbox. */
export type FormValues = Record<string, string | boolean>;

const pad = (value: number) => String(value).padStart(2, "0");

/** An ISO instant as the value of a `datetime-local` control, in the browser's timezone. */
function toLocalDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function toControl(field: InputField, value: unknown): string | boolean {
  if (field.kind === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (field.kind === "string-list" && Array.isArray(value)) return value.map(String).join("\n");
  if (field.kind === "date-time" && typeof value === "string") return toLocalDateTime(value);
  if (field.kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

/** Control values for a set of inputs (a previous run's, or the schema's defaults). */
export function toFormValues(
  fields: InputField[],
  inputs: Record<string, unknown> = {},
): FormValues {
  return Object.fromEntries(
    fields.map((field) => [field.name, toControl(field, inputs[field.name] ?? field.default)]),
  );
}

function fromControl(field: InputField, control: string | boolean | undefined): unknown {
  if (field.kind === "boolean") return control === true;
  const text = typeof control === "string" ? control : "";
  // An empty control means "not given", so a required input reports "is required".
  if (text.trim() === "") return undefined;
  switch (field.kind) {
    case "integer":
    case "number": {
      const number = Number(text);
      return Number.isFinite(number) ? number : text;
    }
    case "date-time": {
      const date = new Date(text);
      return Number.isNaN(date.getTime()) ? text : date.toISOString();
    }
    case "string-list":
      return text
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
    case "json":
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/** The inputs object the server receives; invalid text is passed on so validation can name it. */
export function fromFormValues(
  fields: InputField[],
  values: Partial<FormValues>,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const field of fields) {
    const value = fromControl(field, values[field.name]);
    if (value !== undefined) inputs[field.name] = value;
  }
  return inputs;
}
