/** The auth client on demand: console pages use it only to switch tenant or sign out. */
export const loadAuthClient = async () => (await import("./auth-client")).authClient;
