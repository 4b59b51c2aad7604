import type { Metadata } from "next";
import type { ReactNode } from "react";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Toaster } from "sonner";
import { TRPCReactProvider } from "@/components/providers/trpc";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Skillrun", template: "%s · Skillrun" },
  description: "The operator console for AI-agent skill runs.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // Browser extensions (Grammarly, ColorZilla, Dark Reader…) and in-browser translation write
    // attributes onto <html> and <body> before React hydrates, which React would report as a
    // mismatch. suppressHydrationWarning covers only these two elements' own attributes: a
    // mismatch anywhere in the app's components is still reported.
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen" suppressHydrationWarning>
        <NuqsAdapter>
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </NuqsAdapter>
        <Toaster richColors position="bottom-right" />
      </body>
    </html>
  );
}
