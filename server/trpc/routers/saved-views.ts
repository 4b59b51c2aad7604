import "server-only";

import type { MemberRole } from "@/lib/enums";
import {
  createSavedViewInput,
  deleteSavedViewInput,
  updateSavedViewInput,
} from "@/lib/schemas/saved-views";
import {
  createSavedView,
  deleteSavedView,
  listSavedViews,
  updateSavedView,
} from "@/server/services/runs/saved-views";
import { createTRPCRouter, tenantProcedure } from "../init";

const actorOf = (ctx: { tenant: { id: string; role: MemberRole }; user: { id: string } }) => ({
  tenantId: ctx.tenant.id,
  userId: ctx.user.id,
  role: ctx.tenant.role,
});

/**
 * Named runs-history queries. Every member keeps private views; sharing and deleting others'
 * shared views are checked in the service (see SHARE_VIEW_ROLE), since a viewer may call each
 * procedure for a private view.
 */
export const savedViewsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listSavedViews(ctx.db, actorOf(ctx))),

  create: tenantProcedure
    .input(createSavedViewInput)
    .mutation(({ ctx, input }) => createSavedView(ctx.db, actorOf(ctx), input, ctx.audit)),

  update: tenantProcedure
    .input(updateSavedViewInput)
    .mutation(({ ctx, input }) => updateSavedView(ctx.db, actorOf(ctx), input, ctx.audit)),

  delete: tenantProcedure
    .input(deleteSavedViewInput)
    .mutation(({ ctx, input }) => deleteSavedView(ctx.db, actorOf(ctx), input.viewId, ctx.audit)),
});
