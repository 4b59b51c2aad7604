import { DEMO_ADMIN, SECOND_TENANT_OWNER } from "@/server/db/demo-accounts";

/**
 * Whether the launcher seeds the demo tenants, whose accounts have published passwords. Only
 * when asked: `--demo`, else SKILLRUN_DEMO when it is set, else only for `npm run dev` (the
 * quickstart opens a seeded console). `npm start` without either gets no account at all; its
 * first visitor creates the owner with the setup token.
 */
export function demoSeedRequested(launch: {
  mode: "dev" | "start";
  demoFlag: boolean;
  demoSetting: boolean | undefined;
}): boolean {
  if (launch.demoFlag) return true;
  return launch.demoSetting ?? launch.mode === "dev";
}

/** What the launcher prints when it seeds: anyone who reads the README can sign in as these. */
export const DEMO_MODE_WARNING = `DEMO MODE: known passwords — ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password} and ${SECOND_TENANT_OWNER.email} / ${SECOND_TENANT_OWNER.password} own the demo tenants. Never let anyone else reach this instance.`;
