import "server-only";
import { createCallerFactory, createTRPCRouter } from "./init";
import { agentsRouter } from "./routers/agents";
import { alertsRouter } from "./routers/alerts";
import { apiKeysRouter } from "./routers/api-keys";
import { auditRouter } from "./routers/audit";
import { bulkOperationsRouter } from "./routers/bulk-operations";
import { budgetsRouter } from "./routers/budgets";
import { dashboardRouter } from "./routers/dashboard";
import { knowledgeBasesRouter } from "./routers/knowledge-bases";
import { mcpServersRouter } from "./routers/mcp-servers";
import { guardrailsRouter } from "./routers/guardrails";
import { membersRouter } from "./routers/members";
import { modelsRouter } from "./routers/models";
import { retentionRouter } from "./routers/retention";
import { runsRouter } from "./routers/runs";
import { approvalsRouter } from "./routers/approvals";
import { runCompareRouter } from "./routers/run-compare";
import { runFeedbackRouter } from "./routers/run-feedback";
import { runDeliveriesRouter } from "./routers/run-deliveries";
import { savedViewsRouter } from "./routers/saved-views";
import { schedulesRouter } from "./routers/schedules";
import { skillArchivesRouter } from "./routers/skill-archives";
import { skillsRouter } from "./routers/skills";
import { templatesRouter } from "./routers/templates";
import { webhooksRouter } from "./routers/webhooks";
import { viewerRouter } from "./routers/viewer";

export const appRouter = createTRPCRouter({
  viewer: viewerRouter,
  skills: skillsRouter,
  skillArchives: skillArchivesRouter,
  agents: agentsRouter,
  mcpServers: mcpServersRouter,
  templates: templatesRouter,
  models: modelsRouter,
  guardrails: guardrailsRouter,
  runs: runsRouter,
  bulkOperations: bulkOperationsRouter,
  approvals: approvalsRouter,
  runCompare: runCompareRouter,
  runFeedback: runFeedbackRouter,
  runDeliveries: runDeliveriesRouter,
  savedViews: savedViewsRouter,
  dashboard: dashboardRouter,
  schedules: schedulesRouter,
  apiKeys: apiKeysRouter,
  webhooks: webhooksRouter,
  members: membersRouter,
  audit: auditRouter,
  budgets: budgetsRouter,
  retention: retentionRouter,
  alerts: alertsRouter,
  knowledgeBases: knowledgeBasesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
