/**
 * The auth library's organization endpoints that change memberships, invitations or the tenant
 * itself, or that read them. Skillrun makes those changes only through its own services, which
 * enforce the role rules (nobody above the actor's role, only owners touch owners, the last owner
 * stays) and write the audit entry in the same transaction. Served over /api/auth, these would
 * bypass both (the library even lets an owner re-role anyone whatever the access control says),
 * so the handler answers them 404. The reads go too: the library lets any member, a viewer
 * included, list every member's email and the pending invitations, which Skillrun shows to
 * admins only (members.list, members.invitations). Nothing in the app calls them; switching the
 * active tenant (set-active, which answers the tenant without its members), listing one's own
 * tenants and reading one's own membership stay.
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
  "/organization/list-members",
  "/organization/get-full-organization",
  "/organization/list-invitations",
  "/organization/get-invitation",
  "/organization/list-user-invitations",
];
