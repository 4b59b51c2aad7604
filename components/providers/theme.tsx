"use client";

import { type LucideIcon, Monitor, Moon, Sun } from "lucide-react";
import { ThemeProvider as NextThemesProvider, useTheme } from "next-themes";
import type { ReactNode } from "react";
import { Toaster } from "sonner";

export const THEME_CHOICES = ["light", "dark", "system"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export const THEME_LABELS: Record<ThemeChoice, string> = {
  light: "Light",
  dark: "Dark",
  system: "System",
};
export const THEME_ICONS: Record<ThemeChoice, LucideIcon> = {
  light: Sun,
  dark: Moon,
  system: Monitor,
};

const isThemeChoice = (value: string | undefined): value is ThemeChoice =>
  THEME_CHOICES.some((choice) => choice === value);

// next-themes' inline script sets the class before the first paint; it only has to run from the
// server's HTML. Rendered on the client, React (dev) reports a <script> that would never run, so
// there it is a data block, which React leaves alone; the attribute differs from the server's,
// which the script's own suppressHydrationWarning covers.
const SCRIPT_PROPS = typeof window === "undefined" ? undefined : { type: "application/json" };

/** Light or dark from the OS (`prefers-color-scheme`) unless the user chose one; kept per browser. */
export function ThemeProvider({ children }: { children: ReactNode }) {
  return (
    <NextThemesProvider
      attribute="class"
      defaultTheme="system"
      enableSystem
      disableTransitionOnChange
      scriptProps={SCRIPT_PROPS}
    >
      {children}
    </NextThemesProvider>
  );
}

/** The user's choice (System until they make one) and a setter. */
export function useThemeChoice() {
  const { theme, setTheme } = useTheme();
  return {
    choice: isThemeChoice(theme) ? theme : "system",
    setChoice: (choice: ThemeChoice) => setTheme(choice),
  };
}

export function ThemedToaster() {
  const { resolvedTheme } = useTheme();
  return <Toaster position="bottom-right" theme={resolvedTheme === "dark" ? "dark" : "light"} />;
}
