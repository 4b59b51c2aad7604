import { z } from "zod";
import { MEMBER_ROLES } from "@/lib/enums";

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, "is required").max(100),
  role: z.enum(MEMBER_ROLES),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

export const revokeApiKeyInput = z.object({ keyId: z.uuid() });
