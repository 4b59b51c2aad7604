import { z } from "zod";
import { MEMBER_ROLES } from "@/lib/enums";

/** Membership ids come from the auth library or the seed: opaque text, not always UUIDs. */
const memberId = z.string().trim().min(1).max(200);

export const inviteMemberInput = z.object({
  email: z.email("is not an email address").max(254),
  role: z.enum(MEMBER_ROLES),
});
export type InviteMemberInput = z.infer<typeof inviteMemberInput>;

export const revokeInvitationInput = z.object({ invitationId: z.string().trim().min(1).max(200) });
export type RevokeInvitationInput = z.infer<typeof revokeInvitationInput>;

export const updateMemberRoleInput = z.object({ memberId, role: z.enum(MEMBER_ROLES) });
export type UpdateMemberRoleInput = z.infer<typeof updateMemberRoleInput>;

export const removeMemberInput = z.object({ memberId });
export type RemoveMemberInput = z.infer<typeof removeMemberInput>;
