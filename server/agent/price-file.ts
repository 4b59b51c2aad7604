import { readFileSync } from "node:fs";
import { z } from "zod";

// The shape of SKILLRUN_MODEL_PRICES_FILE and of the built-in table in `prices.ts`. No
// `server-only` here: `server/env-definition.ts` reads the file at startup, so a bad file stops
// the app before a run spends tokens, and `next.config.ts` loads that in plain Node.

const price = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cacheRead: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  })
  .strict();
export type Price = z.infer<typeof price>;
const priceTable = z.record(z.string(), price).superRefine((table, context) => {
  for (const model of Object.keys(table))
    if (!/^[a-z][a-z0-9-]*:.+$/.test(model))
      context.addIssue({
        code: "custom",
        path: [model],
        message: `"${model}" is not provider:model, e.g. openai:gpt-4.1-mini`,
      });
});

/** A deployment's price file, checked: a file that cannot be read or parsed stops the app with its path. */
export function readPriceFile(path: string): Record<string, Price> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `SKILLRUN_MODEL_PRICES_FILE: ${path} cannot be read (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`SKILLRUN_MODEL_PRICES_FILE: ${path} is not JSON.`);
  }
  const result = priceTable.safeParse(parsed);
  if (!result.success)
    throw new Error(
      `SKILLRUN_MODEL_PRICES_FILE: ${path} is not a price table: ${z.prettifyError(result.error)}`,
    );
  return result.data;
}
