import "server-only";
import { isUniqueViolation } from "@/server/db/errors";
import type { ServiceError } from "@/server/services/errors";

/**
 * For a write's `.catch`: two saves racing for one name both pass the check made before the
 * write, and the database refuses the second on the `uniqueIndex` named; that loser gets the
 * same answer as a save that came second (`taken()`). Any other failure passes through.
 */
export function nameRaceAsConflict(uniqueIndex: string, taken: () => ServiceError) {
  return (error: unknown): never => {
    if (isUniqueViolation(error, uniqueIndex)) throw taken();
    throw error;
  };
}

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
