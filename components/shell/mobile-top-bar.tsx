"use client";

import { Menu } from "lucide-react";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { CommandPaletteIconButton } from "./command-palette";
import { SidebarContent } from "./sidebar";

/** Below `md`: the product name, the palette, and the sidebar as a drawer behind a menu button. */
export function MobileTopBar({ onSignOut }: { onSignOut: () => void }) {
  const pathname = usePathname();
  // Open only on the page it was opened on: following a link closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const close = () => setOpenOn(null);

  return (
    <header className="border-border bg-background/95 sticky top-0 z-40 flex h-14 items-center gap-1 border-b px-2 backdrop-blur md:hidden">
      <Dialog open={openOn === pathname} onOpenChange={(open) => setOpenOn(open ? pathname : null)}>
        <DialogTrigger asChild>
          <Button variant="ghost" size="icon" aria-label="Open menu">
            <Menu aria-hidden />
          </Button>
        </DialogTrigger>
        <DialogContent
          aria-describedby={undefined}
          className="bg-background top-0 left-0 h-dvh max-h-dvh w-[min(18rem,calc(100vw-3rem))] translate-x-0 translate-y-0 overflow-y-auto rounded-none border-y-0 border-l-0"
        >
          <SidebarContent
            heading={
              <DialogTitle className="px-5 py-4 text-lg font-semibold tracking-tight">
                Skillrun
              </DialogTitle>
            }
            onNavigate={close}
            onSignOut={onSignOut}
          />
        </DialogContent>
      </Dialog>
      <span className="text-base font-semibold tracking-tight">Skillrun</span>
      <CommandPaletteIconButton className="ml-auto" />
    </header>
  );
}
