/**
 * The auth library's organization endpoints that change memberships, invitations or the tenant
 * itself. Skillrun makes those changes only through its own services, which enforce the role
 * rules (nobody above the actor's role, only owners touch owners, the last owner stays) and
 * write the audit entry in the same transaction. Served over /api/auth, these would bypass
 * both (the library even lets an owner re-role anyone whatever the access control says), so
 * the handler answers them 404. Membership-only reads and switching the active tenant stay.
 */
export const DISABLED_LIBRARY_PATHS = [
  "/organization/update",
  "/organization/delete",
  "/organization/invite-member",
  "/organization/accept-invitation",
  "/organization/reject-invitation",
  "/organization/cancel-invitation",
  "/organization/update-member-role",
  "/organization/remove-member",
  "/organization/leave",
];
