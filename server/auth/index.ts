import "server-only";
import { getDb } from "@/server/db";
import { createAuth, type Auth } from "./config";

const globalForAuth = globalThis as unknown as { skillrunAuth?: Auth };

/** The app's auth instance, created on first use so `next build` needs no database. */
export function getAuth(): Auth {
  globalForAuth.skillrunAuth ??= createAuth(getDb());
  return globalForAuth.skillrunAuth;
}
