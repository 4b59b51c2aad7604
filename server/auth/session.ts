import "server-only";
import { headers } from "next/headers";
import { getAuth } from "./index";

/** The session of the request being rendered, or null. For server components and pages. */
export async function getRequestSession() {
  // Read the request first: that marks the page dynamic before anything touches the database.
  const requestHeaders = await headers();
  return getAuth().api.getSession({ headers: requestHeaders });
}
