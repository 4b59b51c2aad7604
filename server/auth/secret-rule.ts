/**
 * When the auth secret must come from the operator. No imports: `server/env.ts` and the
 * launcher both apply it, before anything else is loaded.
 *
 * The launcher generates a secret into the data directory when none is set. That is right for
 * one machine answering on localhost: nobody else can reach the app, and the file lives as long
 * as the data does. An app that others reach under a real host name is a deployment: its secret
 * must survive a lost or rebuilt data directory (otherwise every session and every signed value
 * dies with it), be the same for every app process behind the load balancer, and be something
 * the operator knows they hold and can rotate. So production on a non-local URL refuses to start
 * without an explicit BETTER_AUTH_SECRET instead of quietly inventing one.
 */

/** localhost, a `*.localhost` name, 127.0.0.0/8 or [::1]: only this machine can reach it. */
export function isLocalAppUrl(appUrl: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(appUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return (
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    /^127(\.\d{1,3}){3}$/.test(hostname) ||
    hostname === "[::1]"
  );
}

/**
 * Why this configuration may not start, or null when it may. `appUrl` undefined means the
 * default, http://localhost:$PORT.
 */
export function missingAuthSecretProblem(config: {
  production: boolean;
  appUrl: string | undefined;
  secret: string | undefined;
}): string | null {
  if (
    !config.production ||
    config.secret ||
    config.appUrl === undefined ||
    isLocalAppUrl(config.appUrl)
  )
    return null;
  return `BETTER_AUTH_SECRET is not set, and BETTER_AUTH_URL (${config.appUrl}) is not localhost. A production app that others reach needs a secret you set and keep yourself (at least 32 characters, e.g. \`openssl rand -base64 32\`); one generated into the data directory is only used for localhost.`;
}

/**
 * The same rule for SKILLRUN_ENCRYPTION_KEY, and for the same reasons: a key generated into a
 * lost data directory takes every stored MCP token and webhook secret with it.
 */
export function missingEncryptionKeyProblem(config: {
  production: boolean;
  appUrl: string | undefined;
  key: string | undefined;
}): string | null {
  if (
    !config.production ||
    config.key ||
    config.appUrl === undefined ||
    isLocalAppUrl(config.appUrl)
  )
    return null;
  return `SKILLRUN_ENCRYPTION_KEY is not set, and BETTER_AUTH_URL (${config.appUrl}) is not localhost. A production app that others reach needs an encryption key you set and keep yourself (32 random bytes, e.g. \`openssl rand -base64 32\`): it encrypts MCP tokens and webhook secrets in the database. One generated into the data directory is only used for localhost.`;
}
