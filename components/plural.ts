/** "1 run", "2 runs". */
export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** "template" → "Template": a kind's name at the start of a sentence or a heading. */
export const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
