import "server-only";
import type { AuditContext } from "@/server/services/access/audit";
import {
  createRun,
  dispatchCreatedRun,
  type RunServiceDeps,
  type StartRunInput,
} from "@/server/services/runs/runs";
import { addRunCallback, checkCallbackUrl, runCallbackSigningSecret } from "./queue";

/**
 * A start with a callback: the URL is checked first (a refusal changes nothing), then the run and
 * its waiting delivery are written in one transaction (the outbox the delivery sweep reads), and
 * the run is dispatched after the commit. A repeated idempotency key answers the first start's
 * run and signing secret; a repeat with another callback URL (or without one) is refused like
 * any other change of request under one key (`idempotency_key_reused`).
 */
export async function startRunWithCallback(
  deps: RunServiceDeps,
  input: StartRunInput,
  audit: AuditContext,
  callbackUrl: string,
) {
  await checkCallbackUrl(callbackUrl);
  const { db } = deps;
  const started = await db.transaction(async (tx) => {
    const created = await createRun(tx, { ...input, callbackUrl }, audit);
    const signingSecret = created.created
      ? await addRunCallback(tx, {
          tenantId: input.tenantId,
          runId: created.run.id,
          url: callbackUrl,
        })
      : null;
    return { ...created, signingSecret };
  });
  if (started.created) {
    await dispatchCreatedRun(
      { db, dispatcher: deps.dispatcher },
      started.run,
      input.tenantId,
      "api",
    );
    return started;
  }
  return {
    ...started,
    signingSecret: await runCallbackSigningSecret(db, input.tenantId, started.run.id),
  };
}
