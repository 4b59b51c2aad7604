/** A date filter's value as `<input type="date">` shows it: the UTC day. */
export const dayOf = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : "");
/** `<input type="date">`'s value as the start of that UTC day, or null when cleared. */
export const parseDay = (value: string) => (value ? new Date(`${value}T00:00:00.000Z`) : null);
