import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "@/server/db/client";
import { requestOrigin } from "@/server/request-origin";
import type { RunDispatcher } from "@/server/services/runs";
import { coalesceSends } from "@/server/services/send-coalescer";
import {
  acceptDelivery,
  findDeliverableWebhook,
  recordDelivery,
} from "@/server/services/webhook-deliveries";
import {
  DELIVERY_ID_HEADER,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  verifyWebhookSignature,
} from "@/server/services/webhook-signature";
import { apiError, json, parseJson, readJsonBytes, unexpectedErrorResponse } from "./http";

type Deps = { db: () => Database; dispatcher: RunDispatcher; now?: () => Date };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Delivery ids are the sender's; long or odd ones are refused rather than stored. */
const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * Per-webhook limits of accepted-signature deliveries per minute, in this process's memory.
 * Forged requests are refused before they count, so they cannot use up a sender's budget.
 */
class WebhookRateLimits {
  private readonly byLimit = new Map<number, RateLimiterMemory>();

  /** Seconds until the webhook may deliver again, or 0 when this delivery is within its limit. */
  async take(webhookId: string, perMinute: number): Promise<number> {
    let limiter = this.byLimit.get(perMinute);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
      this.byLimit.set(perMinute, limiter);
    }
    try {
      await limiter.consume(webhookId);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw rejection;
    }
  }
}

/** Rejected, unverified requests logged per webhook and minute; the rest are answered unlogged. */
const UNVERIFIED_LOGGED_PER_MINUTE = 60;

const notFound = () => apiError(404, "not_found", "No such webhook.");

/**
 * `POST /api/webhooks/:id`. The checks run cheapest first and nothing but the delivery log is
 * written until the signature has verified: unknown or disabled → 404 (the same answer),
 * media type → 415, size → 413, signature and timestamp → 401, rate limit → 429, JSON → 400,
 * delivery id seen in the last 24 h or a replayed signature → 202 with the original run, mapped
 * inputs → 422, else a run and 202.
 */
export function createWebhookReceiver(deps: Deps) {
  const limits = new WebhookRateLimits();
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
    // Before the signature checks out, anyone with the URL can knock: log a bounded sample so a
    // flood cannot bury the real deliveries or grow the table without limit.
    const rejectUnverified = async (
      response: Response,
      record: Parameters<typeof recordDelivery>[2],
    ) =>
      (await limits.take(`unverified:${webhook.id}`, UNVERIFIED_LOGGED_PER_MINUTE)) > 0
        ? response
        : reject(response, record);

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

    const retryAfter = await limits.take(webhook.id, webhook.rateLimitPerMinute);
    if (retryAfter > 0) {
      const response = apiError(
        429,
        "rate_limited",
        `This webhook accepts ${webhook.rateLimitPerMinute} deliveries a minute; retry in ${retryAfter} s.`,
      );
      response.headers.set("retry-after", String(retryAfter));
      return reject(response, {
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
        signature: signature.digest,
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
    }
  }
}
