import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import { ThemedToaster, ThemeProvider } from "@/components/providers/theme";
import { TRPCReactProvider } from "@/components/providers/trpc";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Skillrun", template: "%s · Skillrun" },
  description: "The operator console for AI-agent skill runs.",
};

// Before the stylesheet arrives, the browser paints its own canvas in the OS's scheme.
export const viewport: Viewport = { colorScheme: "light dark" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // Browser extensions (Grammarly, ColorZilla, Dark Reader…) and in-browser translation write
    // attributes onto <html> and <body> before React hydrates, which React would report as a
    // mismatch. suppressHydrationWarning covers only these two elements' own attributes: a
    // mismatch anywhere in the app's components is still reported. The theme's class and
    // color-scheme are set on <html> before hydration too (components/providers/theme.tsx).
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen" suppressHydrationWarning>
        <ThemeProvider>
          <NuqsAdapter>
            <TRPCReactProvider>{children}</TRPCReactProvider>
          </NuqsAdapter>
          <ThemedToaster />
        </ThemeProvider>
      </body>
    </html>
  );
}
