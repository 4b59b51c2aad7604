import type { InputsSchema, PropertySchema } from "./fields";

/** The schema keyword, on `inputs`, that names the input whose value is a run's title in lists. */
export const TITLE_KEYWORD = "x-skillrun-title";

const declaredNames = (schema: InputsSchema) => Object.keys(schema.properties ?? {});

/**
 * The order a run's inputs are summarised in lists: required inputs first, then the rest,
 * each group in the order the schema declares them. The required ones are what a skill
 * cannot run without, so they are what tells one run from another.
 */
export function summaryOrderOf(schema: InputsSchema): string[] {
  const required = new Set(schema.required ?? []);
  const names = declaredNames(schema);
  return [
    ...names.filter((name) => required.has(name)),
    ...names.filter((name) => !required.has(name)),
  ];
}

const DATE_FORMATS = new Set(["date", "time", "date-time"]);

/**
 * A string input an operator writes in their own words. An enum picks one of a few values and a
 * date is when, not what: many runs share them, so neither tells runs apart as a title.
 */
const isFreeText = (property: PropertySchema | undefined) =>
  property?.type === "string" &&
  property.enum === undefined &&
  !DATE_FORMATS.has(property.format ?? "");

/**
 * The input whose value is a run's title in lists: the one `x-skillrun-title` names (the
 * catalog checks it is a string input), else the first required free-text input in declared
 * order, else none.
 */
export function titleInputOf(schema: InputsSchema): string | null {
  const named = schema[TITLE_KEYWORD];
  if (typeof named === "string") return named;
  const required = new Set(schema.required ?? []);
  return (
    declaredNames(schema).find(
      (name) => required.has(name) && isFreeText(schema.properties?.[name]),
    ) ?? null
  );
}
