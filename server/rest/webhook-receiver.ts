import "server-only";
import type { Database } from "@/server/db/client";
import { requestOrigin } from "@/server/request-origin";
import { createRateLimits, type RateLimits } from "@/server/services/access/rate-limits";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { coalesceSends } from "@/server/services/runs/send-coalescer";
import {
  acceptDelivery,
  findDeliverableWebhook,
  findRepeatedDelivery,
  recordDelivery,
} from "@/server/services/webhooks/webhook-deliveries";
import {
  DELIVERY_ID_HEADER,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  verifyWebhookSignature,
} from "@/server/services/webhooks/webhook-signature";
import { apiError, json, parseJson, readJsonBytes, unexpectedErrorResponse } from "./http";

type Deps = { db: () => Database; dispatcher: RunDispatcher; now?: () => Date };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Delivery ids are the sender's; long or odd ones are refused rather than stored. */
const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * Requests that start nothing — unverified, repeats, over the rate limit — are logged as a
 * sample of this many per webhook, kind and minute; the rest are answered unlogged, so a flood
 * (or a captured request replayed for its five minutes) cannot bury the real deliveries or grow
 * the table without limit.
 */
const LOGGED_PER_MINUTE = 60;
type SampledKind = "unverified" | "duplicate" | "rate_limited";

const notFound = () => apiError(404, "not_found", "No such webhook.");

/**
 * `POST /api/webhooks/:id`. The checks run cheapest first and nothing but the delivery log is
 * written until the signature has verified: unknown or disabled → 404 (the same answer),
 * media type → 415, size → 413, a signing secret the server cannot read → 503 (logged as
 * failed), signature and timestamp → 401, delivery id seen in the last
 * 24 h or a replayed request → 202 with the original run, rate limit → 429, JSON → 400, mapped
 * inputs → 422, else a run and 202. Forged requests and repeats are answered before the rate
 * limit, so neither uses up the sender's budget. The per-webhook limits and the log samples are
 * counted in PostgreSQL, shared by every app process.
 */
export function createWebhookReceiver(deps: Deps) {
  let rateLimits: RateLimits | undefined;
  // Created on first use, like the database it counts in (`next build` has none).
  const limits = () => (rateLimits ??= createRateLimits(deps.db()));
  const now = deps.now ?? (() => new Date());
  // Deliveries arrive in bursts; their runs go to the engine a request per burst, not per delivery.
  const dispatcher = coalesceSends(deps.dispatcher);

  return async function receive(request: Request, webhookId: string): Promise<Response> {
    try {
      return await receiveDelivery(request, webhookId);
    } catch (error) {
      return unexpectedErrorResponse(error, "webhook receiver");
    }
  };

  async function receiveDelivery(request: Request, webhookId: string): Promise<Response> {
    const db = deps.db();
    const webhook = UUID.test(webhookId)
      ? await findDeliverableWebhook(db, webhookId, now())
      : null;
    if (!webhook) return notFound();
    const deliveryIdHeader = request.headers.get(DELIVERY_ID_HEADER);
    const deliveryId =
      deliveryIdHeader && DELIVERY_ID.test(deliveryIdHeader) ? deliveryIdHeader : null;
    const reject = async (response: Response, record: Parameters<typeof recordDelivery>[2]) => {
      await recordDelivery(db, webhook, { deliveryId, ...record });
      return response;
    };
    const answerSampled = async (
      kind: SampledKind,
      response: Response,
      record: Parameters<typeof recordDelivery>[2],
    ) =>
      (await limits().take(`webhook-log:${kind}:${webhook.id}`, {
        points: LOGGED_PER_MINUTE,
        windowSeconds: 60,
      })) > 0
        ? response
        : reject(response, record);
    // Before the signature checks out, anyone with the URL can knock.
    const rejectUnverified = (response: Response, record: Parameters<typeof recordDelivery>[2]) =>
      answerSampled("unverified", response, record);

    if (deliveryIdHeader !== null && deliveryId === null) {
      return rejectUnverified(
        apiError(
          400,
          "invalid_delivery_id",
          `${DELIVERY_ID_HEADER} must be 1–200 printable ASCII characters.`,
        ),
        { verdict: "malformed", httpStatus: 400 },
      );
    }
    const body = await readJsonBytes(request);
    if (!body.ok)
      return rejectUnverified(body.response, {
        verdict: body.reason,
        httpStatus: body.response.status,
      });

    if (webhook.unreadableSecret !== null) {
      // The sender did nothing wrong and the operator can fix it: 503 asks it to retry later.
      return rejectUnverified(
        apiError(
          503,
          "webhook_unavailable",
          "This webhook cannot verify deliveries now: its signing secret cannot be read on the server. Retry later.",
        ),
        {
          verdict: "failed",
          httpStatus: 503,
          bodyBytes: body.bytes.length,
          error: `The signing secret cannot be read: ${webhook.unreadableSecret} Or rotate the webhook's secret and give the sender the new one.`,
        },
      );
    }
    const signature = verifyWebhookSignature({
      header: request.headers.get(SIGNATURE_HEADER),
      body: body.bytes,
      secrets: webhook.secrets,
      nowSeconds: Math.floor(now().getTime() / 1000),
    });
    if (signature.verdict === "stale_timestamp") {
      return rejectUnverified(
        apiError(
          401,
          "stale_timestamp",
          `The signature's timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds from now; sign each delivery when you send it.`,
        ),
        { verdict: "stale_timestamp", httpStatus: 401, bodyBytes: body.bytes.length },
      );
    }
    if (signature.verdict === "bad_signature") {
      return rejectUnverified(
        apiError(
          401,
          "bad_signature",
          `Send Skillrun-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> signed with the webhook's secret.`,
        ),
        { verdict: "bad_signature", httpStatus: 401, bodyBytes: body.bytes.length },
      );
    }

    // A repeat is answered before the rate limit: a captured request replayed for its five
    // minutes must not hold the real sender at 429.
    const repeated = await findRepeatedDelivery(
      db,
      webhook.id,
      { deliveryId, signature: signature.signedContentDigest },
      now(),
    );
    if (repeated) {
      const payload = parseJson(body.bytes);
      return answerSampled("duplicate", json({ runId: repeated.runId, duplicate: true }, 202), {
        verdict: "duplicate",
        httpStatus: 202,
        deduplicated: true,
        runId: repeated.runId,
        signature: signature.signedContentDigest,
        bodyBytes: body.bytes.length,
        payload: payload.ok ? payload.value : undefined,
      });
    }

    const retryAfter = await limits().take(`webhook:${webhook.id}`, {
      points: webhook.rateLimitPerMinute,
      windowSeconds: 60,
    });
    if (retryAfter > 0) {
      const response = apiError(
        429,
        "rate_limited",
        `This webhook accepts ${webhook.rateLimitPerMinute} deliveries a minute; retry in ${retryAfter} s.`,
      );
      response.headers.set("retry-after", String(retryAfter));
      return answerSampled("rate_limited", response, {
        verdict: "rate_limited",
        httpStatus: 429,
        bodyBytes: body.bytes.length,
      });
    }

    const payload = parseJson(body.bytes);
    if (!payload.ok)
      return reject(payload.response, {
        verdict: "malformed",
        httpStatus: 400,
        bodyBytes: body.bytes.length,
        error: payload.reason,
      });

    const outcome = await acceptDelivery(
      { db, dispatcher },
      webhook,
      {
        payload: payload.value,
        deliveryId,
        signature: signature.signedContentDigest,
        bodyBytes: body.bytes.length,
        origin: requestOrigin(request.headers),
      },
      now(),
    );
    switch (outcome.verdict) {
      case "accepted":
        return json({ runId: outcome.runId }, 202);
      case "duplicate":
        return json({ runId: outcome.runId, duplicate: true }, 202);
      case "inputs_invalid":
        return apiError(
          422,
          "inputs_invalid",
          "The payload does not map to valid inputs for the webhook's skill.",
          outcome.fieldErrors,
        );
      case "failed":
        return apiError(409, "skill_unavailable", outcome.message);
      case "over_budget":
        return apiError(409, outcome.error.code, outcome.error.message);
    }
  }
}
