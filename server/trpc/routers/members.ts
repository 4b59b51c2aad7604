import { z } from "zod";
import { MEMBER_ROLES } from "@/lib/enums";
import { addMember, listMembers, removeMember, updateMemberRole, type MemberActor } from "@/server/services/members";
import { createTRPCRouter, roleProcedure } from "../init";
import { mapServiceErrors } from "../service-errors";

/** Membership ids come from the auth library or the seed: opaque text, not always UUIDs. */
const memberId = z.string().trim().min(1).max(200);

const actorOf = (ctx: { tenant: { id: string; role: MemberActor["role"] }; user: { id: string }; audit: MemberActor["audit"] }): MemberActor => ({
  tenantId: ctx.tenant.id,
  userId: ctx.user.id,
  role: ctx.tenant.role,
  audit: ctx.audit,
});

export const membersRouter = createTRPCRouter({
  list: roleProcedure("admin").query(({ ctx }) => listMembers(ctx.db, { tenantId: ctx.tenant.id, userId: ctx.user.id })),

  /** An existing account by email, or a new one with an initial password. */
  add: roleProcedure("admin")
    .input(
      z.object({
        email: z.email("is not an email address").max(254),
        name: z.string().trim().max(100).optional(),
        role: z.enum(MEMBER_ROLES),
        password: z.string().max(1024).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { password } = await ctx.auth.$context;
      return mapServiceErrors(() =>
        addMember(ctx.db, actorOf(ctx), input, { hash: password.hash, minLength: password.config.minPasswordLength, maxLength: password.config.maxPasswordLength }),
      );
    }),

  updateRole: roleProcedure("admin")
    .input(z.object({ memberId, role: z.enum(MEMBER_ROLES) }))
    .mutation(({ ctx, input }) => mapServiceErrors(() => updateMemberRole(ctx.db, actorOf(ctx), input))),

  remove: roleProcedure("admin")
    .input(z.object({ memberId }))
    .mutation(({ ctx, input }) => mapServiceErrors(() => removeMember(ctx.db, actorOf(ctx), input))),
});
