"use client";

import { useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { ArrowRightLeft, Check, History, Play, Search } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTabTenant } from "@/components/auth/use-tab-tenant";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import {
  THEME_CHOICES,
  THEME_ICONS,
  THEME_LABELS,
  useThemeChoice,
} from "@/components/providers/theme";
import { useTRPC } from "@/components/providers/trpc";
import { Dialog, DialogContent, DialogTitle } from "@/components/ui/dialog";
import { NAV_ITEMS } from "./nav";
import { rankCommand, runIdIn } from "./palette-search";
import { useRunNow } from "./run-now-provider";
import { roleLabel } from "./tenant-switcher";
import { useSwitchTenant } from "./use-switch-tenant";

const itemClass =
  "flex cursor-default items-center gap-2 rounded-sm px-2 py-2 text-sm outline-none select-none data-[selected=true]:bg-muted [&_svg]:size-4 [&_svg]:shrink-0 [&_svg]:text-muted-foreground";
const groupClass =
  "px-1 py-1 [&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:py-1.5 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-muted-foreground";

const NAV_LINKS = NAV_ITEMS.flatMap((item) => [item, ...(item.children ?? [])]);

/** Closes the palette, then does what was picked. */
type Pick = (action: () => void) => void;

/** The palette itself: loaded the first time it opens. */
export default function CommandMenu({
  open,
  setOpen,
}: {
  open: boolean;
  setOpen: (open: boolean) => void;
}) {
  const skills = useSkillsQuery(open);
  const [search, setSearch] = useState("");
  const runId = runIdIn(search);
  const pick: Pick = (action) => {
    setOpen(false);
    setSearch("");
    action();
  };

  // Enter pressed while the skills load, with nothing highlighted yet: a fast typist's "run cust⏎"
  // acts on the best match once the list arrives instead of doing nothing.
  const listRef = useRef<HTMLDivElement>(null);
  const [enterWaiting, setEnterWaiting] = useState(false);
  const highlighted = () =>
    listRef.current?.querySelector<HTMLElement>('[cmdk-item][data-selected="true"]') ?? null;
  useEffect(() => {
    if (!enterWaiting || skills.isPending) return;
    // cmdk highlights the first match in the render after the items arrive.
    const frame = requestAnimationFrame(() => {
      setEnterWaiting(false);
      highlighted()?.click();
    });
    return () => cancelAnimationFrame(frame);
  }, [enterWaiting, skills.isPending]);

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogContent
        aria-describedby={undefined}
        className="top-[12vh] w-[min(36rem,calc(100vw-2rem))] translate-y-0 overflow-hidden"
      >
        <DialogTitle className="sr-only">Command palette</DialogTitle>
        <Command
          label="Command palette"
          filter={rankCommand}
          className="flex min-h-0 flex-col"
          onKeyDown={(event) => {
            if (event.key === "Enter" && skills.isPending && !highlighted()) {
              event.preventDefault();
              setEnterWaiting(true);
            }
          }}
        >
          <Command.Input
            value={search}
            onValueChange={(value) => {
              setSearch(value);
              setEnterWaiting(false);
            }}
            placeholder="Run a skill or go to a page…"
            className="border-border placeholder:text-muted-foreground h-11 w-full border-b bg-transparent pr-12 pl-4 text-sm outline-none"
          />
          <Command.List ref={listRef} className="max-h-80 min-h-0 overflow-y-auto p-1">
            <Command.Empty className="text-muted-foreground px-3 py-6 text-center text-sm">
              Nothing matches. A run&apos;s id, pasted here, opens the run.
            </Command.Empty>
            {runId && <RunGroup runId={runId} search={search} pick={pick} />}
            <SkillAndPageGroups skills={skills} pick={pick} />
            <TenantGroup pick={pick} />
            <ThemeGroup pick={pick} />
          </Command.List>
        </Command>
      </DialogContent>
    </Dialog>
  );
}

/** A run id typed or pasted (alone or in a run page's URL): open it. */
function RunGroup({ runId, search, pick }: { runId: string; search: string; pick: Pick }) {
  const router = useRouter();
  return (
    <Command.Group heading="Run" className={groupClass}>
      <Command.Item
        value={`open run ${runId}`}
        keywords={[search]}
        onSelect={() => pick(() => router.push(`/runs/${runId}`))}
        className={itemClass}
      >
        <History aria-hidden />
        Open run <code className="font-mono text-xs">{runId}</code>
      </Command.Item>
    </Command.Group>
  );
}

type SkillsQuery = ReturnType<typeof useSkillsQuery>;
function useSkillsQuery(open: boolean) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.skills.list.queryOptions(), enabled: open });
}

function SkillAndPageGroups({ skills, pick }: { skills: SkillsQuery; pick: Pick }) {
  const router = useRouter();
  const runNow = useRunNow();
  const { can } = useTenantRole();
  return (
    <>
      {can("operator") && (
        <Command.Group heading="Run a skill" className={groupClass}>
          {skills.isPending && <Command.Loading>Loading skills…</Command.Loading>}
          {skills.data?.map((skill) => (
            <Command.Item
              key={skill.id}
              value={`run ${skill.name}`}
              keywords={[skill.slug]}
              onSelect={() => pick(() => runNow.open({ skillSlug: skill.slug }))}
              className={itemClass}
            >
              <Play aria-hidden />
              Run {skill.name}
            </Command.Item>
          ))}
        </Command.Group>
      )}
      <Command.Group heading="Go to" className={groupClass}>
        {NAV_LINKS.map(({ href, label, icon: Icon }) => (
          <Command.Item
            key={href}
            value={`go ${label}`}
            keywords={href.startsWith("/settings/") || href.includes("#") ? ["settings"] : []}
            onSelect={() => pick(() => router.push(href))}
            className={itemClass}
          >
            <Icon aria-hidden />
            {label}
          </Command.Item>
        ))}
        {skills.data?.map((skill) => (
          <Command.Item
            key={skill.id}
            value={`open skill ${skill.name}`}
            keywords={[skill.slug]}
            onSelect={() => pick(() => router.push(`/skills/${skill.slug}`))}
            className={itemClass}
          >
            <Search aria-hidden />
            Skill: {skill.name}
          </Command.Item>
        ))}
      </Command.Group>
    </>
  );
}

/** The user's other tenants, switched to as the sidebar's switcher does. */
function TenantGroup({ pick }: { pick: Pick }) {
  const { viewer, tabTenantId } = useTabTenant();
  const { switchTo } = useSwitchTenant();
  const others = viewer.data?.tenants.filter((tenant) => tenant.id !== tabTenantId) ?? [];
  if (others.length === 0) return null;
  return (
    <Command.Group heading="Tenant" className={groupClass}>
      {others.map((tenant) => (
        <Command.Item
          key={tenant.id}
          value={`switch to ${tenant.name}`}
          keywords={["tenant"]}
          onSelect={() => pick(() => void switchTo(tenant.id))}
          className={itemClass}
        >
          <ArrowRightLeft aria-hidden />
          Switch to {tenant.name}
          <span className="text-muted-foreground ml-auto text-xs">{roleLabel(tenant.role)}</span>
        </Command.Item>
      ))}
    </Command.Group>
  );
}

function ThemeGroup({ pick }: { pick: Pick }) {
  const { choice, setChoice } = useThemeChoice();
  return (
    <Command.Group heading="Theme" className={groupClass}>
      {THEME_CHOICES.map((candidate) => {
        const Icon = THEME_ICONS[candidate];
        return (
          <Command.Item
            key={candidate}
            value={`theme ${THEME_LABELS[candidate]}`}
            keywords={["appearance", "colour scheme", "color scheme"]}
            onSelect={() => pick(() => setChoice(candidate))}
            className={itemClass}
          >
            <Icon aria-hidden />
            Theme: {THEME_LABELS[candidate]}
            {choice === candidate && (
              <>
                <Check aria-hidden className="ml-auto" />
                <span className="sr-only">(current)</span>
              </>
            )}
          </Command.Item>
        );
      })}
    </Command.Group>
  );
}
