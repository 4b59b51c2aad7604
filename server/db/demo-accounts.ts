import "server-only";

/** The demo sign-ins the seed creates; printed by the launcher and listed in the README. */
export const DEMO_ADMIN = {
  email: "admin@acme.test",
  password: "skillrun-demo",
  name: "Ada Admin",
};
export const SECOND_TENANT_OWNER = {
  email: "owner@globex.test",
  password: "skillrun-demo",
  name: "Grace Owner",
};
export const DEMO_TENANT_SLUG = "acme";
export const SECOND_TENANT_SLUG = "globex";
