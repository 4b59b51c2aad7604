import "server-only";
import { z } from "zod";
import { MEMBER_ROLES } from "@/lib/enums";
import {
  inviteMember,
  listInvitations,
  revokeInvitation,
} from "@/server/services/access/invitations";
import {
  listMembers,
  removeMember,
  updateMemberRole,
  type MemberActor,
} from "@/server/services/access/members";
import { createTRPCRouter, roleProcedure } from "../init";
import { mapServiceErrors } from "../service-errors";

/** Membership ids come from the auth library or the seed: opaque text, not always UUIDs. */
const memberId = z.string().trim().min(1).max(200);

const actorOf = (ctx: {
  tenant: { id: string; role: MemberActor["role"] };
  user: { id: string };
  audit: MemberActor["audit"];
}): MemberActor => ({
  tenantId: ctx.tenant.id,
  userId: ctx.user.id,
  role: ctx.tenant.role,
  audit: ctx.audit,
});

export const membersRouter = createTRPCRouter({
  list: roleProcedure("admin").query(({ ctx }) =>
    listMembers(ctx.db, { tenantId: ctx.tenant.id, userId: ctx.user.id }),
  ),

  /**
   * A pending invitation with a one-time link (`path`, shown once). The same answer whether or
   * not the email has an account; nobody joins until the invitee accepts with their own account.
   */
  invite: roleProcedure("admin")
    .input(
      z.object({ email: z.email("is not an email address").max(254), role: z.enum(MEMBER_ROLES) }),
    )
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() => inviteMember(ctx.db, actorOf(ctx), input)),
    ),

  /** Pending invitations that still work. */
  invitations: roleProcedure("admin").query(({ ctx }) => listInvitations(ctx.db, ctx.tenant.id)),

  revokeInvitation: roleProcedure("admin")
    .input(z.object({ invitationId: z.string().trim().min(1).max(200) }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() => revokeInvitation(ctx.db, actorOf(ctx), input)),
    ),

  updateRole: roleProcedure("admin")
    .input(z.object({ memberId, role: z.enum(MEMBER_ROLES) }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() => updateMemberRole(ctx.db, actorOf(ctx), input)),
    ),

  remove: roleProcedure("admin")
    .input(z.object({ memberId }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() => removeMember(ctx.db, actorOf(ctx), input)),
    ),
});
