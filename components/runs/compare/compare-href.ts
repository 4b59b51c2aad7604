import { createSerializer, parseAsString } from "nuqs";

/** The compare page's state: the two runs, `a` the one compared from (the original), `b` to. */
export const compareParsers = { a: parseAsString, b: parseAsString };

const serialize = createSerializer(compareParsers);

/** The compare page for two runs, from `a` to `b`. */
export const compareHref = (a: string, b: string) => serialize("/runs/compare", { a, b });
