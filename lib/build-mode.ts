/**
 * The build's mode, for code that runs in the browser too. Next.js inlines NODE_ENV into client
 * bundles at build time, so this is the one place outside server/env.ts that reads it directly.
 */
export const isDevelopmentBuild = process.env.NODE_ENV === "development";
