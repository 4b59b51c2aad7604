import "server-only";
import { headers } from "next/headers";
import { getAuth } from "./index";

/** The session of the request being rendered, or null. For server components and pages. */
export async function getRequestSession() {
  return getAuth().api.getSession({ headers: await headers() });
}
