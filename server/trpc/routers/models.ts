import "server-only";

import { listModelChoices } from "@/server/services/catalog/model-choices";
import { createTRPCRouter, tenantProcedure } from "../init";

export const modelsRouter = createTRPCRouter({
  /** The model picker's choices: a template's default model and an agent's override. */
  choices: tenantProcedure.query(() => listModelChoices()),
});
