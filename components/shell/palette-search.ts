const RUN_ID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;

/** The run id in what was typed or pasted: an id on its own, or inside a run page's URL. */
export function runIdIn(search: string): string | null {
  return RUN_ID.exec(search)?.[0].toLowerCase() ?? null;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The palette's ranking (cmdk's `filter`): every word typed must appear in the item, at the
 * start of one of its words for a full score; inside a word it still counts, for less. cmdk's
 * default scores any scattered letters, so "post" would match most of the catalog.
 */
export function rankCommand(value: string, search: string, keywords: string[] = []): number {
  const text = [value, ...keywords].join(" ").toLowerCase();
  const terms = search.toLowerCase().split(/\s+/).filter(Boolean);
  let score = 1;
  for (const term of terms) {
    if (!text.includes(term)) return 0;
    const atWordStart = new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(term)}`, "u").test(text);
    if (!atWordStart) score *= 0.3;
  }
  return score;
}
