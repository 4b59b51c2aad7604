import { createAccessControl } from "better-auth/plugins/access";
import {
  adminAc,
  defaultStatements,
  memberAc,
  ownerAc,
} from "better-auth/plugins/organization/access";
import type { MemberRole } from "@/lib/enums";

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

export { isMemberRole, roleAtLeast } from "@/lib/roles";
