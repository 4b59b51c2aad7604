"use client";

import { useQuery } from "@tanstack/react-query";
import { Play, Sparkles } from "lucide-react";
import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { plural } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { useRunNow } from "@/components/shell/run-now-provider";
import { QueryError } from "@/components/shell/query-error";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

export function SkillCatalog() {
  const trpc = useTRPC();
  const skills = useQuery(trpc.skills.list.queryOptions());
  const { can } = useTenantRole();
  const runNow = useRunNow();

  if (skills.isPending) {
    return (
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3" aria-busy="true" aria-label="Loading skills">
        {Array.from({ length: 6 }, (_, index) => (
          <Skeleton key={index} className="h-36" />
        ))}
      </div>
    );
  }

  if (skills.isError) return <QueryError title="The catalog could not be loaded" query={skills} />;

  if (skills.data.length === 0) {
    return (
      <div className="flex flex-col items-center rounded-lg border border-dashed border-border px-6 py-16 text-center">
        <Sparkles className="mb-3 size-8 text-muted-foreground" aria-hidden />
        <p className="font-medium">No skills in this tenant&apos;s catalog</p>
        <p className="mt-1 max-w-md text-sm text-muted-foreground">
          Built-in skills come from the <code className="font-mono">skills/</code> folder and load when Skillrun
          starts. Check the launcher output for a skill that failed validation.
        </p>
      </div>
    );
  }

  return (
    <ul className="grid gap-4 md:grid-cols-2 xl:grid-cols-3" aria-label="Skills">
      {skills.data.map((skill) => (
        <li key={skill.id}>
          <Card className="flex h-full flex-col">
            <CardHeader>
              <div className="flex items-start justify-between gap-2">
                <CardTitle>
                  <Link href={`/skills/${skill.slug}`} className="outline-none hover:underline focus-visible:underline">
                    {skill.name}
                  </Link>
                </CardTitle>
                <Badge variant={skill.origin === "builtin" ? "outline" : "default"}>
                  {skill.origin === "builtin" ? "Built-in" : "Tenant"}
                </Badge>
              </div>
              <CardDescription>{skill.description}</CardDescription>
            </CardHeader>
            <CardContent className="mt-auto flex items-center gap-3 text-xs text-muted-foreground">
              <span>{plural(skill.inputCount, "input")}</span>
              <span aria-hidden>·</span>
              <span>
                version <code className="font-mono">{skill.versionHash.slice(0, 7)}</code>
              </span>
              {can("operator") && (
                <Button size="sm" variant="outline" className="ml-auto" onClick={() => runNow.open({ skillSlug: skill.slug })} aria-label={`Run ${skill.name} now`}>
                  <Play aria-hidden />
                  Run now
                </Button>
              )}
            </CardContent>
          </Card>
        </li>
      ))}
    </ul>
  );
}
