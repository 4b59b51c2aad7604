import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { AcceptInvitationButton, NewAccountForm, SwitchAccountButton } from "@/components/auth/invitation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import type { MemberRole } from "@/lib/enums";
import { getAuth } from "@/server/auth";
import { passwordPolicyOf } from "@/server/auth/password-policy";
import { getRequestSession } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { findInvitation } from "@/server/services/invitations";
import { acceptAsSignedIn, acceptWithNewAccount } from "./actions";

// The link carries a secret: keep it out of Referer headers and search indexes.
export const metadata: Metadata = { title: "Invitation", referrer: "no-referrer", robots: { index: false, follow: false } };

function Frame({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center bg-muted/50 p-6">
      <div className="w-full max-w-md">
        <div className="mb-6 text-center">
          <p className="text-2xl font-semibold tracking-tight">Skillrun</p>
          <p className="mt-1 text-sm text-muted-foreground">The operator console for agent skill runs</p>
        </div>
        {children}
      </div>
    </main>
  );
}

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
      <Frame>
        <Card>
          <CardHeader>
            <h1 className="text-base leading-tight font-semibold">This invitation is not valid</h1>
            <CardDescription>
              The link may have expired, been revoked or replaced by a newer one, or already been used. Ask an admin of the tenant for a new invitation.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <Button asChild variant="outline" className="w-full">
              <Link href={session ? "/skills" : "/sign-in"}>{session ? "Go to the console" : "Go to sign-in"}</Link>
            </Button>
          </CardContent>
        </Card>
      </Frame>
    );
  }

  const path = `/invite/${token}`;
  const header = (
    <CardHeader>
      <h1 className="text-base leading-tight font-semibold">Join {invitation.tenantName}</h1>
      <CardDescription>
        You are invited to <strong className="text-foreground">{invitation.tenantName}</strong> as {article(invitation.role)}{" "}
        <strong className="text-foreground">{invitation.role}</strong>, with the email <strong className="text-foreground">{invitation.email}</strong>.
      </CardDescription>
    </CardHeader>
  );

  if (session) {
    if (session.user.email.toLowerCase() !== invitation.email) {
      return (
        <Frame>
          <Card>
            {header}
            <CardContent className="flex flex-col gap-4">
              <p role="alert" className="text-sm">
                You are signed in as <strong>{session.user.email}</strong>. This invitation is for {invitation.email} and can only be accepted by that account.
              </p>
              <SwitchAccountButton next={path} />
              <Button asChild variant="ghost">
                <Link href="/skills">Back to the console</Link>
              </Button>
            </CardContent>
          </Card>
        </Frame>
      );
    }
    return (
      <Frame>
        <Card>
          {header}
          <CardContent>
            <AcceptInvitationButton action={acceptAsSignedIn.bind(null, token)} tenantName={invitation.tenantName} />
          </CardContent>
        </Card>
      </Frame>
    );
  }

  if (invitation.accountExists) {
    return (
      <Frame>
        <Card>
          {header}
          <CardContent className="flex flex-col gap-4">
            <p className="text-sm text-muted-foreground">{invitation.email} already has a Skillrun account. Sign in to it first, then accept here.</p>
            <Button asChild>
              <Link href={{ pathname: "/sign-in", query: { next: path } }}>Sign in first</Link>
            </Button>
          </CardContent>
        </Card>
      </Frame>
    );
  }

  const { minLength, maxLength } = await passwordPolicyOf(getAuth());
  return (
    <Frame>
      <Card>
        {header}
        <CardContent>
          <NewAccountForm action={acceptWithNewAccount.bind(null, token)} email={invitation.email} minLength={minLength} maxLength={maxLength} />
        </CardContent>
      </Card>
    </Frame>
  );
}
