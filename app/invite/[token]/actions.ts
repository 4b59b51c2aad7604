"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getAuth } from "@/server/auth";
import { passwordPolicyOf } from "@/server/auth/password-policy";
import { getDb } from "@/server/db";
import { requestOrigin } from "@/server/request-origin";
import {
  acceptInvitationAsNewUser,
  acceptInvitationAsUser,
} from "@/server/services/access/invitations";
import { ServiceError } from "@/server/services/errors";

export type InviteActionState = { error: string | null };

/** What the invitee reads for a refusal; anything else is a real failure and goes to the error page. */
function refusal(error: unknown): string | null {
  if (!(error instanceof ServiceError)) return null;
  // Unknown, expired, revoked or used: the link is as good as not found, and says what to do next.
  if (error.kind === "not_found")
    return "This invitation is not valid. Ask an admin of the tenant for a new one.";
  return error.message;
}

/**
 * The invited email has no account: creates it with the invitee's own name and password and
 * joins the tenant (one transaction), then signs them in on the server — a direct call, so it
 * is not one of the sign-in attempts the rate limiter counts — and opens the console there.
 */
export async function acceptWithNewAccount(
  token: string,
  _previous: InviteActionState,
  form: FormData,
): Promise<InviteActionState> {
  const name = String(form.get("name") ?? "");
  const password = String(form.get("password") ?? "");
  if (password !== String(form.get("confirm") ?? "")) return { error: "The two passwords differ." };
  const requestHeaders = await headers();
  const auth = getAuth();
  let email: string;
  try {
    ({ email } = await acceptInvitationAsNewUser(
      getDb(),
      token,
      { name, password },
      await passwordPolicyOf(auth),
      requestOrigin(requestHeaders),
    ));
  } catch (error) {
    const message = refusal(error);
    if (message === null) throw error;
    return { error: message };
  }
  try {
    // The nextCookies plugin puts the session cookie on this action's response. The new
    // session opens on the account's only tenant (see the session hook in config.ts).
    await auth.api.signInEmail({ body: { email, password }, headers: requestHeaders });
  } catch (error) {
    // The account and membership exist; signing in by hand still works.
    console.error(`invitation accepted, but the new session failed: ${String(error)}`);
    redirect("/sign-in");
  }
  redirect("/skills");
}

/** Signed in as the invited email: joins the tenant and makes it this session's active one. */
export async function acceptAsSignedIn(
  token: string,
  _previous: InviteActionState,
): Promise<InviteActionState> {
  const requestHeaders = await headers();
  const session = await getAuth().api.getSession({ headers: requestHeaders });
  if (!session)
    return { error: "Your session ended. Sign in again, then open this link once more." };
  try {
    await acceptInvitationAsUser(
      getDb(),
      token,
      { userId: session.user.id, sessionId: session.session.id },
      requestOrigin(requestHeaders),
    );
  } catch (error) {
    const message = refusal(error);
    if (message === null) throw error;
    return { error: message };
  }
  redirect("/skills");
}
