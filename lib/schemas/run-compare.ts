import { z } from "zod";

/** Two different runs of the same skill (the service checks the skill). */
export const compareRunsInput = z
  .object({ a: z.uuid(), b: z.uuid() })
  .refine((input) => input.a !== input.b, {
    message: "Pick two different runs to compare.",
    path: ["b"],
  });
export type CompareRunsInput = z.infer<typeof compareRunsInput>;
