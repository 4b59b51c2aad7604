"use client";

import { useQuery } from "@tanstack/react-query";
import { LogOut, SunMoon } from "lucide-react";
import {
  THEME_CHOICES,
  THEME_ICONS,
  THEME_LABELS,
  useThemeChoice,
} from "@/components/providers/theme";
import { useTRPC } from "@/components/providers/trpc";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Skeleton } from "@/components/ui/skeleton";

/** Light, dark or the OS's: kept in this browser. */
function ThemeMenu() {
  const { choice, setChoice } = useThemeChoice();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        {/* One icon whatever the choice: the server cannot know it, and the first render must match. */}
        <Button variant="ghost" size="icon" aria-label="Theme" title="Theme">
          <SunMoon aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" side="top" className="min-w-40">
        <DropdownMenuLabel>Theme</DropdownMenuLabel>
        <DropdownMenuRadioGroup
          value={choice}
          onValueChange={(value) => {
            const picked = THEME_CHOICES.find((candidate) => candidate === value);
            if (picked) setChoice(picked);
          }}
        >
          {THEME_CHOICES.map((candidate) => {
            const Icon = THEME_ICONS[candidate];
            return (
              <DropdownMenuRadioItem key={candidate} value={candidate}>
                <Icon aria-hidden className="text-muted-foreground" />
                {THEME_LABELS[candidate]}
              </DropdownMenuRadioItem>
            );
          })}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export function UserMenu({ onSignOut }: { onSignOut: () => void }) {
  const trpc = useTRPC();
  const viewer = useQuery(trpc.viewer.get.queryOptions());

  return (
    <div className="flex items-center gap-1">
      <div className="mr-1 min-w-0 flex-1">
        {viewer.data ? (
          <>
            <p className="truncate text-sm font-medium">{viewer.data.user.name}</p>
            <p className="text-muted-foreground truncate text-xs">{viewer.data.user.email}</p>
          </>
        ) : (
          <Skeleton className="h-8 w-full" />
        )}
      </div>
      <ThemeMenu />
      <Button
        variant="ghost"
        size="icon"
        onClick={onSignOut}
        aria-label="Sign out"
        title="Sign out"
      >
        <LogOut aria-hidden />
      </Button>
    </div>
  );
}
