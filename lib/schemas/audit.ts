import { z } from "zod";
import { AUDIT_ACTIONS, AUDIT_ACTOR_TYPES } from "@/lib/enums";

export const listAuditLogInput = z.object({
  actions: z.array(z.enum(AUDIT_ACTIONS)).max(AUDIT_ACTIONS.length).optional(),
  actorType: z.enum(AUDIT_ACTOR_TYPES).optional(),
  targetId: z.string().min(1).max(200).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  cursor: z.object({ id: z.number().int().positive() }).nullish(),
});
export type ListAuditLogInput = z.infer<typeof listAuditLogInput>;
