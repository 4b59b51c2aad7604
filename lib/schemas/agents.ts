import { z } from "zod";

const agentId = z.object({ agentId: z.uuid() });

export const getAgentInput = agentId;
export const agentEffectiveConfigInput = agentId;
