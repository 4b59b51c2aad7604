import "server-only";

import {
  inviteMemberInput,
  removeMemberInput,
  revokeInvitationInput,
  updateMemberRoleInput,
} from "@/lib/schemas/members";
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

/** Membership ids come from the auth library or the seed: opaque text, not always UUIDs. */

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
    .input(inviteMemberInput)
    .mutation(({ ctx, input }) => inviteMember(ctx.db, actorOf(ctx), input)),

  /** Pending invitations that still work. */
  invitations: roleProcedure("admin").query(({ ctx }) => listInvitations(ctx.db, ctx.tenant.id)),

  revokeInvitation: roleProcedure("admin")
    .input(revokeInvitationInput)
    .mutation(({ ctx, input }) => revokeInvitation(ctx.db, actorOf(ctx), input)),

  updateRole: roleProcedure("admin")
    .input(updateMemberRoleInput)
    .mutation(({ ctx, input }) => updateMemberRole(ctx.db, actorOf(ctx), input)),

  remove: roleProcedure("admin")
    .input(removeMemberInput)
    .mutation(({ ctx, input }) => removeMember(ctx.db, actorOf(ctx), input)),
});
