import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { SignInForm } from "@/components/auth/sign-in-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { safeNextPath } from "@/lib/safe-next-path";
import { getRequestSession } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { anyUserExists } from "@/server/services/access/owner-setup";
import { AuthFrame } from "@/components/auth/auth-frame";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  if (await getRequestSession()) {
    const { next } = await searchParams;
    // Already signed in: go where the link meant to (an invitation, say), on this site only.
    redirect(safeNextPath(typeof next === "string" ? next : null) as "/skills");
  }
  return (
    <AuthFrame width="sm">
      {(await anyUserExists(getDb())) ? (
        <Suspense>
          <SignInForm />
        </Suspense>
      ) : (
        <Card>
          <CardHeader>
            <CardTitle>No account yet</CardTitle>
            <CardDescription>
              Nobody can sign in until the owner exists. Create it with the setup token printed in
              the launcher&apos;s log.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <Button asChild className="w-full">
              <Link href="/setup">Create the owner</Link>
            </Button>
          </CardContent>
        </Card>
      )}
    </AuthFrame>
  );
}
