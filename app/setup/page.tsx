import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuthFrame } from "@/components/auth/auth-frame";
import { OwnerSetupForm } from "@/components/auth/owner-setup-form";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { getAuth } from "@/server/auth";
import { passwordPolicyOf } from "@/server/auth/password-policy";
import { getDb } from "@/server/db";
import { anyUserExists } from "@/server/services/access/owner-setup";

export const metadata: Metadata = {
  title: "Create the owner",
  referrer: "no-referrer",
  robots: { index: false, follow: false },
};
// Whether it exists at all is decided per request, by the database.
export const dynamic = "force-dynamic";

/**
 * First run without any account: the owner of the first tenant is created here, with the setup
 * token from the launcher's log. Once any user exists the page is gone (404).
 */
export default async function OwnerSetupPage() {
  if (await anyUserExists(getDb())) notFound();
  const { minLength, maxLength } = await passwordPolicyOf(getAuth());
  return (
    <AuthFrame>
      <Card>
        <CardHeader>
          <h1 className="text-base leading-tight font-semibold">Create the owner</h1>
          <CardDescription>
            This installation has no account yet. Create yours: you become the owner of the first
            tenant and invite everyone else from Settings → Members. This page works once.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <OwnerSetupForm minLength={minLength} maxLength={maxLength} />
        </CardContent>
      </Card>
      <p className="text-muted-foreground mt-4 text-center text-xs">
        No access to the log? Run <code>npm run admin:create</code> on the host instead.
      </p>
    </AuthFrame>
  );
}
