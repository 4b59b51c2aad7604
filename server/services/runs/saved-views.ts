import "server-only";
import { and, asc, count, eq, or, sql } from "drizzle-orm";
import type { MemberRole } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";
import { parseViewQuery } from "@/lib/saved-view-query";
import { MAX_SAVED_VIEWS_PER_USER } from "@/lib/saved-views";
import type { CreateSavedViewInput, UpdateSavedViewInput } from "@/lib/schemas/saved-views";
import type { Database, Transaction } from "@/server/db/client";
import { savedViews, users } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { ServiceError } from "@/server/services/errors";

/**
 * Who may do what (the roles pattern: viewers read, operators act, admins manage): every member
 * keeps private views; operators and above share views with the tenant; a view is changed only
 * by its creator; admins and owners may also delete a shared view someone else made. A creator
 * demoted below SHARE_VIEW_ROLE keeps their shared view but may only unshare or delete it: what the
 * whole tenant sees is changed by someone who could have shared it.
 */
export const SHARE_VIEW_ROLE: MemberRole = "operator";
export const DELETE_SHARED_VIEW_ROLE: MemberRole = "admin";

export type ViewActor = { tenantId: string; userId: string; role: MemberRole };

export class SavedViewNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "saved_view_not_found";
  constructor(viewId: string) {
    super(`Saved view ${viewId} was not found in this tenant.`);
  }
}

export class SavedViewForbiddenError extends ServiceError {
  readonly kind = "forbidden";
  readonly code = "saved_view_forbidden";
}

export class SavedViewLimitError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "saved_view_limit";
  constructor() {
    super(`Keep at most ${MAX_SAVED_VIEWS_PER_USER} saved views; delete one first.`);
  }
}

const shareRefused = () =>
  new SavedViewForbiddenError(`Sharing a view needs the ${SHARE_VIEW_ROLE} role or higher.`);
const sharedEditRefused = () =>
  new SavedViewForbiddenError(
    `Changing a shared view needs the ${SHARE_VIEW_ROLE} role or higher; you can stop sharing it or delete it.`,
  );

/**
 * The caller's private views and the tenant's shared ones, by name; `mine` says which the caller may
 * change. `problem` says why a stored query no longer parses (a filter value since retired), so the
 * view is still listed, marked invalid, and can be deleted.
 */
export async function listSavedViews(db: Database, actor: ViewActor) {
  const rows = await db
    .select({
      id: savedViews.id,
      name: savedViews.name,
      query: savedViews.query,
      shared: savedViews.shared,
      userId: savedViews.userId,
      ownerName: users.name,
      updatedAt: savedViews.updatedAt,
    })
    .from(savedViews)
    .innerJoin(users, eq(users.id, savedViews.userId))
    .where(
      and(
        eq(savedViews.tenantId, actor.tenantId),
        or(eq(savedViews.userId, actor.userId), eq(savedViews.shared, true)),
      ),
    )
    .orderBy(asc(savedViews.name), asc(savedViews.id));
  return rows.map(({ userId, ...view }) => {
    const mine = userId === actor.userId;
    const parsed = parseViewQuery(view.query);
    return {
      ...view,
      problem: parsed.ok ? null : parsed.problem,
      mine,
      deletable: mine || (view.shared && roleAtLeast(actor.role, DELETE_SHARED_VIEW_ROLE)),
    };
  });
}

type ViewRow = typeof savedViews.$inferSelect;

const auditView = (
  tx: Transaction,
  actor: ViewActor,
  audit: AuditContext,
  action: "saved_view.create" | "saved_view.update" | "saved_view.delete",
  view: Pick<ViewRow, "id" | "name" | "shared">,
  metadata: Record<string, unknown> = {},
) =>
  recordAudit(tx, {
    tenantId: actor.tenantId,
    actor: audit.actor,
    origin: audit.origin,
    action,
    target: { type: "saved_view", id: view.id },
    metadata: { name: view.name, shared: view.shared, ...metadata },
  });

export async function createSavedView(
  db: Database,
  actor: ViewActor,
  input: CreateSavedViewInput,
  audit: AuditContext,
) {
  if (input.shared && !roleAtLeast(actor.role, SHARE_VIEW_ROLE)) throw shareRefused();
  return db.transaction(async (tx) => {
    // Two saves at the limit must not both see room: the member's saves take turns until commit.
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`skillrun:saved-views:${actor.tenantId}:${actor.userId}`}, 0))`,
    );
    const [held] = await tx
      .select({ n: count() })
      .from(savedViews)
      .where(and(eq(savedViews.tenantId, actor.tenantId), eq(savedViews.userId, actor.userId)));
    if ((held?.n ?? 0) >= MAX_SAVED_VIEWS_PER_USER) throw new SavedViewLimitError();
    const [view] = await tx
      .insert(savedViews)
      .values({ tenantId: actor.tenantId, userId: actor.userId, ...input })
      .returning();
    if (!view) throw new Error("The saved view was not written.");
    if (view.shared) await auditView(tx, actor, audit, "saved_view.create", view);
    return { id: view.id, name: view.name, query: view.query, shared: view.shared };
  });
}

async function viewOf(tx: Transaction, actor: ViewActor, viewId: string) {
  const [view] = await tx
    .select()
    .from(savedViews)
    .where(and(eq(savedViews.id, viewId), eq(savedViews.tenantId, actor.tenantId)))
    .for("update");
  // Another member's private view is as unknown as one that does not exist.
  if (!view || (!view.shared && view.userId !== actor.userId))
    throw new SavedViewNotFoundError(viewId);
  return view;
}

/**
 * Renames, re-queries or (un)shares the caller's own view; sharing, and changing a view while it is
 * shared, need SHARE_VIEW_ROLE (below it, a shared view can only be unshared).
 */
export async function updateSavedView(
  db: Database,
  actor: ViewActor,
  { viewId, ...changes }: UpdateSavedViewInput,
  audit: AuditContext,
) {
  return db.transaction(async (tx) => {
    const view = await viewOf(tx, actor, viewId);
    if (view.userId !== actor.userId)
      throw new SavedViewForbiddenError("Only the member who saved a view can change it.");
    if (!roleAtLeast(actor.role, SHARE_VIEW_ROLE)) {
      if (changes.shared && !view.shared) throw shareRefused();
      const onlyUnshares =
        changes.shared === false && changes.name === undefined && changes.query === undefined;
      if (view.shared && !onlyUnshares) throw sharedEditRefused();
    }
    const [updated] = await tx
      .update(savedViews)
      .set(changes)
      .where(eq(savedViews.id, view.id))
      .returning();
    if (!updated) throw new SavedViewNotFoundError(viewId);
    if (view.shared || updated.shared)
      await auditView(tx, actor, audit, "saved_view.update", updated, {
        ...(view.name !== updated.name && { previousName: view.name }),
        ...(view.query !== updated.query && { queryChanged: true }),
        ...(view.shared !== updated.shared && { previouslyShared: view.shared }),
      });
    return { id: updated.id, name: updated.name, query: updated.query, shared: updated.shared };
  });
}

/** The creator deletes their view; admins and owners may also delete a shared view of someone else. */
export async function deleteSavedView(
  db: Database,
  actor: ViewActor,
  viewId: string,
  audit: AuditContext,
) {
  return db.transaction(async (tx) => {
    const view = await viewOf(tx, actor, viewId);
    if (view.userId !== actor.userId && !roleAtLeast(actor.role, DELETE_SHARED_VIEW_ROLE))
      throw new SavedViewForbiddenError(
        `Deleting another member's shared view needs the ${DELETE_SHARED_VIEW_ROLE} role or higher.`,
      );
    await tx.delete(savedViews).where(eq(savedViews.id, view.id));
    if (view.shared)
      await auditView(tx, actor, audit, "saved_view.delete", view, {
        ...(view.userId !== actor.userId && { ownerId: view.userId }),
      });
    return { id: view.id };
  });
}
