import "server-only";
import { inngest } from "@/inngest/client";
import { getDb } from "@/server/db";
import { createRunsApi } from "./runs-api";

/** The REST API as the app serves it: the process's database and Inngest client. */
export const runsApi = createRunsApi({ db: getDb, dispatcher: inngest });
