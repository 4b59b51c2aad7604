"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, type ReactNode } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView } from "@/components/shell/query-view";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { NEW_SKILL_SCHEMA, type EditorState } from "./skill-editor/draft";
import { SkillEditor } from "./skill-editor/skill-editor";

const EMPTY: EditorState = {
  name: "",
  slug: "",
  slugEdited: false,
  description: "",
  instructions: "",
  schemaText: NEW_SKILL_SCHEMA,
  referenceFiles: [],
};

/** Only admins write skills; anyone else is told so instead of getting a form the server refuses. */
function AdminsOnly({ backHref, children }: { backHref: string; children: ReactNode }) {
  const { can, isPending } = useTenantRole();
  if (isPending) return <Skeleton className="h-64" aria-label="Loading" />;
  if (!can("admin"))
    return (
      <Alert>
        <AlertTitle>Only admins can write skills</AlertTitle>
        <AlertDescription>
          Your role in this tenant can read skills but not change them.{" "}
          <Link href={backHref} className="text-link">
            Back to the skill
          </Link>
        </AlertDescription>
      </Alert>
    );
  return children;
}

export function NewSkillPage() {
  return (
    <>
      <PageHeader
        title="New skill"
        description="Instructions your agents follow, with the inputs a run asks for."
      />
      <AdminsOnly backHref="/skills">
        <SkillEditor initial={EMPTY} cancelHref="/skills" />
      </AdminsOnly>
    </>
  );
}

export function EditSkillPage({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const skill = useQuery(trpc.skills.get.queryOptions({ slug }));
  const own = skill.data?.origin === "tenant";
  const version = useQuery({
    ...trpc.skills.version.queryOptions({
      skillId: skill.data?.id ?? "",
      versionHash: skill.data?.versionHash ?? "",
    }),
    enabled: own,
  });
  const initial = useMemo<EditorState | null>(
    () =>
      version.data
        ? {
            name: version.data.name,
            slug,
            slugEdited: true,
            description: version.data.description,
            instructions: version.data.instructions,
            schemaText: JSON.stringify(version.data.inputsSchema, null, 2),
            referenceFiles: version.data.referenceFiles.map((file) => ({
              key: file.path,
              ...file,
            })),
          }
        : null,
    [version.data, slug],
  );
  const backHref = `/skills/${slug}`;
  return (
    <>
      <PageHeader title={skill.data ? `Edit ${skill.data.name}` : "Edit skill"} />
      <AdminsOnly backHref={backHref}>
        <QueryView
          query={skill}
          loading={<Skeleton className="h-64" />}
          errorTitle="The skill could not be loaded"
        >
          {(data) =>
            data.origin !== "tenant" ? (
              <Alert>
                <AlertTitle>Built-in skills are read-only</AlertTitle>
                <AlertDescription>
                  Duplicate it into this tenant from{" "}
                  <Link href={backHref} className="text-link">
                    its page
                  </Link>{" "}
                  and edit the copy.
                </AlertDescription>
              </Alert>
            ) : (
              <QueryView
                query={version}
                loading={<Skeleton className="h-64" />}
                errorTitle="The current version could not be loaded"
              >
                {() =>
                  initial && (
                    <SkillEditor skillId={data.id} initial={initial} cancelHref={backHref} />
                  )
                }
              </QueryView>
            )
          }
        </QueryView>
      </AdminsOnly>
    </>
  );
}
