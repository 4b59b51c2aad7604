import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { SignInForm } from "@/components/auth/sign-in-form";
import { safeNextPath } from "@/lib/safe-next-path";
import { getRequestSession } from "@/server/auth/session";

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
        <Suspense>
          <SignInForm />
        </Suspense>
      </div>
    </main>
  );
}
