import "server-only";
import { validateEnv } from "./env-definition";

/** Skillrun's environment, validated once, on first import (see env-definition.ts). */
export const env = validateEnv({ building: process.env.NEXT_PHASE === "phase-production-build" });
