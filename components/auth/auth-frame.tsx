import type { ReactNode } from "react";

/** The centred card layout of the pages outside the console: sign-in, invitation, first-run setup. */
export function AuthFrame({
  width = "md",
  children,
}: {
  width?: "sm" | "md";
  children: ReactNode;
}) {
  return (
    <main className="bg-muted/50 flex min-h-screen items-center justify-center p-4 sm:p-6">
      <div className={`w-full ${width === "sm" ? "max-w-sm" : "max-w-md"}`}>
        <div className="mb-6 text-center">
          <p className="text-2xl font-semibold tracking-tight">Skillrun</p>
          <p className="text-muted-foreground mt-1 text-sm">
            The operator console for agent skill runs
          </p>
        </div>
        {children}
      </div>
    </main>
  );
}
