import "server-only";

/**
 * The PostgreSQL error behind a failed statement (drizzle wraps the driver's error in its own),
 * or null: how a service tells a lost race on a unique index (23505) or a foreign key still in
 * use (23503) from an unexpected failure.
 */
export function postgresError(error: unknown): { code: string; constraint: string | null } | null {
  for (let current = error, depth = 0; current && depth < 3; depth++) {
    if (typeof current !== "object") return null;
    const { code, cause, constraint_name } = current as {
      code?: unknown;
      cause?: unknown;
      constraint_name?: unknown;
    };
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code))
      return { code, constraint: typeof constraint_name === "string" ? constraint_name : null };
    current = cause;
  }
  return null;
}

export const UNIQUE_VIOLATION = "23505";
export const FOREIGN_KEY_VIOLATION = "23503";

/** "Name (copy)", then "Name (copy 2)", … : the first that `taken` does not hold. */
export function copyName(name: string, taken: ReadonlySet<string>): string {
  const stem = name.slice(0, 100);
  const base = `${stem} (copy)`;
  if (!taken.has(base)) return base;
  for (let number = 2; ; number++) {
    const candidate = `${stem} (copy ${number})`;
    if (!taken.has(candidate)) return candidate;
  }
}
