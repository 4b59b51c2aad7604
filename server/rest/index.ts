import "server-only";
import { inngest } from "@/inngest/client";
import { getAuth } from "@/server/auth";
import { passwordPolicyOf } from "@/server/auth/password-policy";
import { getDb } from "@/server/db";
import { createOwnerSetupEndpoint } from "./owner-setup";
import { createSessionExport } from "./session-export";
import { createRunsApi } from "./runs-api";
import { createWebhookReceiver } from "./webhook-receiver";

/** The REST API as the app serves it: the process's database and Inngest client. */
export const runsApi = createRunsApi({ db: getDb, dispatcher: inngest });

/** Signed webhook deliveries; the rate limits are counted in PostgreSQL, shared by every app process. */
export const receiveWebhook = createWebhookReceiver({ db: getDb, dispatcher: inngest });

/** The first-run owner setup (404 once any user exists). */
export const setupOwner = createOwnerSetupEndpoint({
  db: getDb,
  passwords: () => passwordPolicyOf(getAuth()),
});

/** The console's export download, with the session's cookie. */
export const exportRunsForSession = createSessionExport({ db: getDb, auth: getAuth });
