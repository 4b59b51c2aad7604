"use client";

import { useQuery } from "@tanstack/react-query";
import { Play, Plus, Sparkles } from "lucide-react";
import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { useRunNow } from "@/components/shell/run-now-provider";
import { QueryView } from "@/components/shell/query-view";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { cn } from "@/components/ui/cn";

export function SkillCatalog() {
  const trpc = useTRPC();
  const skills = useQuery(trpc.skills.list.queryOptions({ includeDisabled: true }));
  const { can } = useTenantRole();
  const runNow = useRunNow();

  return (
    <QueryView
      query={skills}
      loading={
        <div
          className="grid gap-4 md:grid-cols-2 xl:grid-cols-3"
          aria-busy="true"
          aria-label="Loading skills"
        >
          {Array.from({ length: 6 }, (_, index) => (
            <Skeleton key={index} className="h-36" />
          ))}
        </div>
      }
      errorTitle="The catalog could not be loaded"
      isEmpty={(list) => list.length === 0}
      empty={<CatalogEmpty canAdminister={can("admin")} />}
    >
      {(list) => (
        <ul className="grid gap-4 md:grid-cols-2 xl:grid-cols-3" aria-label="Skills">
          {list.map((skill) => (
            <li key={skill.id}>
              <Card className={cn("flex h-full flex-col", !skill.enabled && "opacity-60")}>
                <CardHeader>
                  <div className="flex items-start justify-between gap-2">
                    <CardTitle>
                      <Link
                        href={`/skills/${skill.slug}`}
                        className="outline-none hover:underline focus-visible:underline"
                      >
                        {skill.name}
                      </Link>
                    </CardTitle>
                    <div className="flex shrink-0 gap-1">
                      {!skill.enabled && <Badge variant="warning">Disabled</Badge>}
                      <Badge variant={skill.origin === "builtin" ? "outline" : "default"}>
                        {skill.origin === "builtin" ? "Built-in" : "Tenant"}
                      </Badge>
                    </div>
                  </div>
                  <CardDescription>{skill.description}</CardDescription>
                </CardHeader>
                <CardContent className="text-muted-foreground mt-auto flex flex-wrap items-center gap-x-3 gap-y-2 text-xs">
                  <span>{plural(skill.inputCount, "input")}</span>
                  <span aria-hidden>·</span>
                  <span>
                    version <code className="font-mono">{skill.versionHash.slice(0, 7)}</code>
                  </span>
                  {can("operator") && skill.enabled && (
                    <Button
                      size="sm"
                      variant="outline"
                      className="ml-auto"
                      onClick={() => runNow.open({ skillSlug: skill.slug })}
                    >
                      <Play aria-hidden />
                      {/* Named "Run <skill> now": the visible words stay in the name, in order. */}
                      Run<span className="sr-only"> {skill.name}</span> now
                    </Button>
                  )}
                </CardContent>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </QueryView>
  );
}

/** An empty catalog: the admin learns where skills come from; anyone else, whom to tell. */
function CatalogEmpty({ canAdminister }: { canAdminister: boolean }) {
  return (
    <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-16 text-center">
      <Sparkles className="text-muted-foreground mb-3 size-8" aria-hidden />
      <p className="font-medium">No skills in this tenant&apos;s catalog</p>
      <p className="text-muted-foreground mt-1 max-w-md text-sm">
        {canAdminister ? (
          <>
            Built-in skills come from the <code className="font-mono">skills/</code> folder and load
            when Skillrun starts. Check the launcher output for a skill that failed validation.
          </>
        ) : (
          "Skills appear here once Skillrun loads them. If you expected some, tell an admin of this tenant."
        )}
      </p>
    </div>
  );
}

/** The catalog page's "New skill", for admins. */
export function NewSkillButton() {
  const { can } = useTenantRole();
  if (!can("admin")) return null;
  return (
    <Button asChild>
      <Link href="/skills/new">
        <Plus aria-hidden />
        New skill
      </Link>
    </Button>
  );
}
