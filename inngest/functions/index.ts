import type { InngestFunction } from "inngest";
import { resolveModel } from "@/server/agent/models";
import { getDb } from "@/server/db";
import { inngest } from "../client";
import { createDeliverAlertFunction } from "./deliver-alert";
import {
  createDeliverRunResultFunction,
  createQueueRunDeliveriesFunction,
} from "./deliver-run-result";
import { createEvaluateAlertsFunction } from "./evaluate-alerts";
import { createFireSchedulesFunction } from "./fire-schedules";
import { createFoldRunRollupFunction } from "./fold-run-rollup";
import { createProcessBulkOperationFunction } from "./process-bulk-operation";
import { createReconcileRunsFunction } from "./reconcile-runs";
import { createRunSkillFunction } from "./run-skill";
import { createRunSkillApprovalFunction } from "./run-skill-approval";
import { createRunSkillTimedOutFunction } from "./run-skill-timed-out";
import { createSweepRetentionFunction } from "./sweep-retention";

/** Every function the app serves. */
export const functions: InngestFunction.Any[] = [
  createRunSkillFunction({ client: inngest, db: getDb, resolveModel }),
  createRunSkillTimedOutFunction({ client: inngest, db: getDb }),
  createRunSkillApprovalFunction({ client: inngest, db: getDb, resolveModel }),
  createReconcileRunsFunction({ client: inngest, db: getDb, dispatcher: inngest }),
  createFireSchedulesFunction({ client: inngest, db: getDb, dispatcher: inngest }),
  createFoldRunRollupFunction({ client: inngest, db: getDb }),
  createSweepRetentionFunction({ client: inngest, db: getDb }),
  createEvaluateAlertsFunction({ client: inngest, db: getDb }),
  createDeliverAlertFunction({ client: inngest, db: getDb }),
  createQueueRunDeliveriesFunction({ client: inngest, db: getDb }),
  createDeliverRunResultFunction({ client: inngest, db: getDb }),
  createProcessBulkOperationFunction({ client: inngest, db: getDb, dispatcher: inngest }),
];
