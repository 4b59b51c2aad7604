import { organizationClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

/** The browser side of better-auth: sign in and out, and switch the active tenant. */
export const authClient = createAuthClient({ plugins: [organizationClient()] });
