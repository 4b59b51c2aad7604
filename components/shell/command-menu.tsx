"use client";

import { useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { Play, Search } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { useRunNow } from "./run-now-provider";
import { NAV_ITEMS } from "./nav";

const itemClass =
  "flex cursor-default items-center gap-2 rounded-sm px-2 py-2 text-sm outline-none select-none data-[selected=true]:bg-muted [&_svg]:size-4 [&_svg]:text-muted-foreground";
const groupClass =
  "px-1 py-1 [&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:py-1.5 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-muted-foreground";

/** The palette itself: loaded the first time it opens. */
export default function CommandMenu({
  open,
  setOpen,
}: {
  open: boolean;
  setOpen: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const runNow = useRunNow();
  const { can } = useTenantRole();
  const skills = useQuery({ ...trpc.skills.list.queryOptions(), enabled: open });

  const run = (action: () => void) => {
    setOpen(false);
    action();
  };

  return (
    <Command.Dialog
      open={open}
      onOpenChange={setOpen}
      label="Command palette"
      overlayClassName="fixed inset-0 z-50 bg-black/40"
      contentClassName="fixed top-24 left-1/2 z-50 w-[min(36rem,calc(100vw-2rem))] -translate-x-1/2 overflow-hidden rounded-lg border border-border bg-popover shadow-lg"
    >
      <Command.Input
        placeholder="Run a skill or go to a page…"
        className="border-border placeholder:text-muted-foreground h-11 w-full border-b bg-transparent px-4 text-sm outline-none"
      />
      <Command.List className="max-h-80 overflow-y-auto p-1">
        <Command.Empty className="text-muted-foreground px-3 py-6 text-center text-sm">
          Nothing matches.
        </Command.Empty>
        {can("operator") && (
          <Command.Group heading="Run a skill" className={groupClass}>
            {skills.isPending && <Command.Loading>Loading skills…</Command.Loading>}
            {skills.data?.map((skill) => (
              <Command.Item
                key={skill.id}
                value={`run ${skill.name} ${skill.slug}`}
                onSelect={() => run(() => runNow.open({ skillSlug: skill.slug }))}
                className={itemClass}
              >
                <Play aria-hidden />
                Run {skill.name}
              </Command.Item>
            ))}
          </Command.Group>
        )}
        <Command.Group heading="Go to" className={groupClass}>
          {NAV_ITEMS.map(({ href, label, icon: Icon }) => (
            <Command.Item
              key={href}
              value={`go ${label}`}
              onSelect={() => run(() => router.push(href))}
              className={itemClass}
            >
              <Icon aria-hidden />
              {label}
            </Command.Item>
          ))}
          {skills.data?.map((skill) => (
            <Command.Item
              key={skill.id}
              value={`open ${skill.name} ${skill.slug}`}
              onSelect={() => run(() => router.push(`/skills/${skill.slug}`))}
              className={itemClass}
            >
              <Search aria-hidden />
              Skill: {skill.name}
            </Command.Item>
          ))}
        </Command.Group>
      </Command.List>
    </Command.Dialog>
  );
}
