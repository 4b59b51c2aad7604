import type { Metadata } from "next";
import Link from "next/link";
import { AuthFrame } from "@/components/auth/auth-frame";
import {
  AcceptInvitationButton,
  NewAccountForm,
  SwitchAccountButton,
} from "@/components/auth/invitation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import type { MemberRole } from "@/lib/enums";
import { getAuth } from "@/server/auth";
import { passwordPolicyOf } from "@/server/auth/password-policy";
import { getRequestSession } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { findInvitation } from "@/server/services/access/invitations";
import { acceptAsSignedIn, acceptWithNewAccount } from "./actions";

// The link carries a secret: keep it out of Referer headers and search indexes.
export const metadata: Metadata = {
  title: "Invitation",
  referrer: "no-referrer",
  robots: { index: false, follow: false },
};

const article = (role: MemberRole) => (role === "viewer" ? "a" : "an");

/**
 * An invitation link. Whoever opens it sees the tenant and role; they join by creating the
 * account for the invited email (when it has none) or by accepting while signed in as it.
 */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const session = await getRequestSession();
  const invitation = await findInvitation(getDb(), token);

  if (!invitation) {
    return (
      <AuthFrame>
        <Card>
          <CardHeader>
            <h1 className="text-base leading-tight font-semibold">This invitation is not valid</h1>
            <CardDescription>
              The link may have expired, been revoked or replaced by a newer one, or already been
              used. Ask an admin of the tenant for a new invitation.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <Button asChild variant="outline" className="w-full">
              <Link href={session ? "/skills" : "/sign-in"}>
                {session ? "Go to the console" : "Go to sign-in"}
              </Link>
            </Button>
          </CardContent>
        </Card>
      </AuthFrame>
    );
  }

  const path = `/invite/${token}`;
  const header = (
    <CardHeader>
      <h1 className="text-base leading-tight font-semibold">Join {invitation.tenantName}</h1>
      <CardDescription>
        You are invited to <strong className="text-foreground">{invitation.tenantName}</strong> as{" "}
        {article(invitation.role)} <strong className="text-foreground">{invitation.role}</strong>,
        with the email <strong className="text-foreground">{invitation.email}</strong>.
      </CardDescription>
    </CardHeader>
  );

  if (session) {
    if (session.user.email.toLowerCase() !== invitation.email) {
      return (
        <AuthFrame>
          <Card>
            {header}
            <CardContent className="flex flex-col gap-4">
              <p role="alert" className="text-sm">
                You are signed in as <strong>{session.user.email}</strong>. This invitation is for{" "}
                {invitation.email} and can only be accepted by that account.
              </p>
              <SwitchAccountButton next={path} />
              <Button asChild variant="ghost">
                <Link href="/skills">Back to the console</Link>
              </Button>
            </CardContent>
          </Card>
        </AuthFrame>
      );
    }
    return (
      <AuthFrame>
        <Card>
          {header}
          <CardContent>
            <AcceptInvitationButton
              action={acceptAsSignedIn.bind(null, token)}
              tenantName={invitation.tenantName}
            />
          </CardContent>
        </Card>
      </AuthFrame>
    );
  }

  if (invitation.accountExists) {
    return (
      <AuthFrame>
        <Card>
          {header}
          <CardContent className="flex flex-col gap-4">
            <p className="text-muted-foreground text-sm">
              {invitation.email} already has a Skillrun account. Sign in to it first, then accept
              here.
            </p>
            <Button asChild>
              <Link href={{ pathname: "/sign-in", query: { next: path } }}>Sign in first</Link>
            </Button>
          </CardContent>
        </Card>
      </AuthFrame>
    );
  }

  const { minLength, maxLength } = await passwordPolicyOf(getAuth());
  return (
    <AuthFrame>
      <Card>
        {header}
        <CardContent>
          <NewAccountForm
            action={acceptWithNewAccount.bind(null, token)}
            email={invitation.email}
            minLength={minLength}
            maxLength={maxLength}
          />
        </CardContent>
      </Card>
    </AuthFrame>
  );
}
