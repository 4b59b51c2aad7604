/**
 * Human wording for a cron expression croner refused: which of the five fields is wrong and
 * what it takes. croner stays the judge of what is valid (`checkCadence`); this only reads the
 * fields again to say why, since croner's own messages ("configuration entry 5 (1-5x) contains
 * illegal characters") name neither the field nor the fix.
 */

type FieldSpec = {
  name: string;
  min: number;
  max: number;
  /** What the field takes, said when an item cannot be read at all. */
  hint: string;
  /** Names standing for numbers (JAN = 1, SUN = 0). */
  names?: string[];
  namesFrom?: number;
  /** Items of croner's extended syntax that take no range check: L, 5#2, 15W, ?. */
  special?: RegExp;
};

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export const CRON_FIELDS: readonly FieldSpec[] = [
  { name: "Minute", min: 0, max: 59, hint: "use 0–59, * or a step like */15" },
  { name: "Hour", min: 0, max: 23, hint: "use 0–23, * or a step like */2" },
  {
    name: "Day of month",
    min: 1,
    max: 31,
    hint: "use 1–31, * or L for the last day",
    special: /^(\?|L|LW|\d{1,2}W)$/i,
  },
  { name: "Month", min: 1, max: 12, hint: "use 1–12 or JAN–DEC", names: MONTHS, namesFrom: 1 },
  {
    name: "Day of week",
    min: 0,
    max: 7,
    hint: "use 0–7 or MON–SUN",
    names: WEEKDAYS,
    namesFrom: 0,
    special: /^(\?|[0-7]#[1-5]|[0-7]L)$/i,
  },
];

export const CRON_SHAPE_HINT =
  "Write 5 fields: minute hour day-of-month month day-of-week, e.g. 30 8 * * 1-5";

/** A value of the field as a number, or a message when it is no such value. */
function valueOf(field: FieldSpec, text: string): number | string {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value < field.min || value > field.max
      ? `${field.name}: ${text} is out of range ${field.min}–${field.max}`
      : value;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + (field.namesFrom ?? 0) : `${field.name}: ${field.hint}`;
}

function itemProblem(field: FieldSpec, item: string): string | null {
  if (item === "") return `${field.name}: an item between commas is empty`;
  if (field.special?.test(item)) return null;
  const match = /^([^/]+)(?:\/(.*))?$/.exec(item);
  if (!match) return `${field.name}: ${field.hint}`;
  const [, base = "", step] = match;
  if (step !== undefined && !/^[1-9]\d*$/.test(step))
    return `${field.name}: a step after / is a whole number from 1, like */15`;
  if (base === "*") return null;
  const bounds = base.split("-");
  if (bounds.length > 2 || bounds.some((bound) => bound === ""))
    return `${field.name}: ${field.hint}`;
  const values = bounds.map((bound) => valueOf(field, bound));
  const problem = values.find((value) => typeof value === "string");
  if (typeof problem === "string") return problem;
  const [from, to] = values as number[];
  if (to !== undefined && from !== undefined && from > to)
    return `${field.name}: ${base} runs backwards; put the smaller value first`;
  return null;
}

/** What is wrong with a 5-field cron expression, naming the field; null when nothing is found. */
export function explainCronProblem(expression: string): string | null {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== CRON_FIELDS.length) return `${CRON_SHAPE_HINT} (this has ${parts.length}).`;
  for (const [index, part] of parts.entries()) {
    const field = CRON_FIELDS[index];
    if (!field) continue;
    for (const item of part.split(",")) {
      const problem = itemProblem(field, item);
      if (problem) return problem;
    }
  }
  return null;
}
