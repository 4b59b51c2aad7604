"use client";

import { Search } from "lucide-react";
import dynamic from "next/dynamic";
import { useEffect, useState } from "react";

const loadCommandMenu = () => import("./command-menu");
const CommandMenu = dynamic(loadCommandMenu, { ssr: false });

/** Ctrl/⌘+K: jump to a page or start a skill without leaving the keyboard. */
export function CommandPalette() {
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
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="border-border bg-background text-muted-foreground hover:bg-muted focus-visible:ring-ring flex w-full items-center gap-2 rounded-md border px-2.5 py-1.5 text-sm outline-none focus-visible:ring-2"
      >
        <Search className="size-4" aria-hidden />
        Search…
        <kbd className="border-border ml-auto rounded border px-1 font-mono text-[10px]">
          Ctrl K
        </kbd>
      </button>
      {opened && <CommandMenu open={open} setOpen={setOpen} />}
    </>
  );
}
