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
import { anyUserExists } from "@/server/services/owner-setup";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  if (await getRequestSession()) {
    const { next } = await searchParams;
    // Already signed in: go where the link meant to (an invitation, say), on this site only.
    redirect(safeNextPath(typeof next === "string" ? next : null) as "/skills");
  }
  return (
    <main className="flex min-h-screen items-center justify-center bg-muted/50 p-6">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <p className="text-2xl font-semibold tracking-tight">Skillrun</p>
          <p className="mt-1 text-sm text-muted-foreground">The operator console for agent skill runs</p>
        </div>
        {(await anyUserExists(getDb())) ? (
          <Suspense>
            <SignInForm />
          </Suspense>
        ) : (
          <Card>
            <CardHeader>
              <CardTitle>No account yet</CardTitle>
              <CardDescription>Nobody can sign in until the owner exists. Create it with the setup token printed in the launcher&apos;s log.</CardDescription>
            </CardHeader>
            <CardContent>
              <Button asChild className="w-full">
                <Link href="/setup">Create the owner</Link>
              </Button>
            </CardContent>
          </Card>
        )}
      </div>
    </main>
  );
}
