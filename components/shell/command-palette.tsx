"use client";

import { Search } from "lucide-react";
import dynamic from "next/dynamic";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";

const loadCommandMenu = () => import("./command-menu");
const CommandMenu = dynamic(loadCommandMenu, { ssr: false });

const OpenPaletteContext = createContext<(() => void) | null>(null);

/** Ctrl/⌘+K: jump to a page, a run or a tenant, or start a skill, without leaving the keyboard. */
export function CommandPaletteProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  // Once opened, the menu stays mounted so reopening is instant.
  const [opened, setOpened] = useState(false);
  if (open && !opened) setOpened(true);

  // Not in the first load, but fetched a second after the page loads so Ctrl+K opens at once.
  useEffect(() => {
    const timer = setTimeout(() => void loadCommandMenu(), 1000);
    return () => clearTimeout(timer);
  }, []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() === "k" && (event.metaKey || event.ctrlKey)) {
        event.preventDefault();
        setOpen((current) => !current);
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  return (
    <OpenPaletteContext.Provider value={() => setOpen(true)}>
      {children}
      {opened && <CommandMenu open={open} setOpen={setOpen} />}
    </OpenPaletteContext.Provider>
  );
}

function useOpenPalette() {
  const open = useContext(OpenPaletteContext);
  if (!open) throw new Error("The palette's button needs a CommandPaletteProvider above it.");
  return open;
}

/** The sidebar's search field, which opens the palette. */
export function CommandPaletteButton({ onOpen }: { onOpen?: () => void }) {
  const openPalette = useOpenPalette();
  return (
    <button
      type="button"
      onClick={() => {
        onOpen?.();
        openPalette();
      }}
      className="border-border bg-background text-muted-foreground hover:bg-muted focus-visible:ring-ring flex w-full items-center gap-2 rounded-md border px-2.5 py-1.5 text-sm outline-none focus-visible:ring-2"
    >
      <Search className="size-4" aria-hidden />
      Search…
      <kbd className="border-border ml-auto rounded border px-1 font-mono text-[10px]">Ctrl K</kbd>
    </button>
  );
}

/** The phone's top bar: the same, as an icon. */
export function CommandPaletteIconButton({ className }: { className?: string }) {
  const openPalette = useOpenPalette();
  return (
    <Button
      variant="ghost"
      size="icon"
      className={className}
      onClick={openPalette}
      aria-label="Search"
      title="Search"
    >
      <Search aria-hidden />
    </Button>
  );
}
