/**
 * What the run history accepts beyond its zod schema, kept free of zod: the history's filter bar
 * imports these, and importing them from lib/schemas put zod (~31 KB gzipped) in /runs.
 */

/** The "Created: last …" windows the history offers, in seconds before now (the server's clock). */
export const CREATED_WITHIN_SECONDS = {
  "1h": 3600,
  "24h": 24 * 3600,
  "7d": 7 * 24 * 3600,
  "30d": 30 * 24 * 3600,
} as const;
export type CreatedWithin = keyof typeof CREATED_WITHIN_SECONDS;
export const CREATED_WITHIN = Object.keys(CREATED_WITHIN_SECONDS) as [
  CreatedWithin,
  ...CreatedWithin[],
];

/** How many runs a list can be narrowed to by id (the runs a bulk re-run started). */
export const MAX_LISTED_RUN_IDS = 100;

/** The longest search the history takes: a few phrases, never a pasted document. */
export const MAX_SEARCH_CHARS = 200;
