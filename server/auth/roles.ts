import { createAccessControl } from "better-auth/plugins/access";
import { adminAc, defaultStatements, memberAc, ownerAc } from "better-auth/plugins/organization/access";
import { MEMBER_ROLES, type MemberRole } from "@/server/db/schema/enums";

/**
 * Membership roles, lowest to highest. Skillrun checks "at least this role" on the server;
 * the auth library's access control covers its own organization endpoints (members, invites).
 */
export const accessControl = createAccessControl(defaultStatements);

export const authRoles = {
  owner: accessControl.newRole(ownerAc.statements),
  admin: accessControl.newRole(adminAc.statements),
  operator: accessControl.newRole(memberAc.statements),
  viewer: accessControl.newRole(memberAc.statements),
} satisfies Record<MemberRole, unknown>;

const rank: Record<MemberRole, number> = { viewer: 0, operator: 1, admin: 2, owner: 3 };

export function isMemberRole(value: string): value is MemberRole {
  return (MEMBER_ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: MemberRole, required: MemberRole): boolean {
  return rank[role] >= rank[required];
}
