import { z } from "zod";

export const getSkillInput = z.object({ slug: z.string().min(1).max(200) });
