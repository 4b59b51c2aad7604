import "server-only";
import { inngest } from "@/inngest/client";
import { getDb } from "@/server/db";
import { createRunsApi } from "./runs-api";
import { createWebhookReceiver } from "./webhook-receiver";

/** The REST API as the app serves it: the process's database and Inngest client. */
export const runsApi = createRunsApi({ db: getDb, dispatcher: inngest });

/** Signed webhook deliveries; the rate limits are counted in PostgreSQL, shared by every app process. */
export const receiveWebhook = createWebhookReceiver({ db: getDb, dispatcher: inngest });
