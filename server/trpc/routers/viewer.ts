import "server-only";
import { listUserTenants } from "@/server/services/access/tenants";
import { createTRPCRouter, protectedProcedure } from "../init";

/** Who is signed in, which tenant is active, and which tenants they can switch to. */
export const viewerRouter = createTRPCRouter({
  get: protectedProcedure.query(async ({ ctx }) => {
    const tenants = await listUserTenants(ctx.db, ctx.user.id);
    const activeTenant =
      tenants.find((tenant) => tenant.id === ctx.session.activeOrganizationId) ?? null;
    return {
      user: { id: ctx.user.id, name: ctx.user.name, email: ctx.user.email },
      activeTenant,
      tenants,
    };
  }),
});
