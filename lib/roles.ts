import { MEMBER_ROLES, type MemberRole } from "./enums";

const rank: Record<MemberRole, number> = { viewer: 0, operator: 1, admin: 2, owner: 3 };

export function isMemberRole(value: string): value is MemberRole {
  return (MEMBER_ROLES as readonly string[]).includes(value);
}

/** Roles are ordered: each can do everything the ones below it can. */
export function roleAtLeast(role: MemberRole, required: MemberRole): boolean {
  return rank[role] >= rank[required];
}

/** The lower of two roles: what a delegate of `role` can do when it acts for someone holding `other`. */
export function lowerRole(role: MemberRole, other: MemberRole): MemberRole {
  return rank[role] <= rank[other] ? role : other;
}
