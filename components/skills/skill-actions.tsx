"use client";

import { Copy, Pencil, Power, PowerOff, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";

type Named = { id: string; name: string };
export type SkillForActions = {
  id: string;
  slug: string;
  name: string;
  origin: "builtin" | "tenant";
  enabled: boolean;
  usedBy: { schedules: Named[]; webhooks: Named[] };
};

/** "the schedules Daily and Weekly and the webhook Intake", or null when nothing uses the skill. */
export function usersSentence(usedBy: SkillForActions["usedBy"]): string | null {
  const part = (kind: string, list: Named[]) =>
    list.length === 0
      ? null
      : `the ${kind}${list.length === 1 ? "" : "s"} ${list.map((item) => `“${item.name}”`).join(", ")}`;
  const parts = [part("schedule", usedBy.schedules), part("webhook", usedBy.webhooks)].filter(
    (text) => text !== null,
  );
  return parts.length ? parts.join(" and ") : null;
}

/** An admin's controls on a skill: edit, disable or enable and delete its own; duplicate any. */
export function SkillActions({ skill }: { skill: SkillForActions }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useTenantRole();
  const invalidate = [trpc.skills.pathKey(), trpc.schedules.pathKey(), trpc.webhooks.pathKey()];
  const toggle = useToastMutation(trpc.skills.setEnabled.mutationOptions(), {
    success: ({ enabled }) => (enabled ? "Skill enabled" : "Skill disabled"),
    invalidate,
  });
  const duplicate = useToastMutation(trpc.skills.duplicate.mutationOptions(), {
    success: "Skill duplicated into this tenant",
    invalidate,
    afterSuccess: ({ slug }) => router.push(`/skills/${slug}/edit`),
  });
  if (!can("admin")) return null;
  const own = skill.origin === "tenant";
  return (
    <>
      {own && (
        <Button variant="outline" asChild>
          <Link href={`/skills/${skill.slug}/edit`}>
            <Pencil aria-hidden />
            Edit
          </Link>
        </Button>
      )}
      <Button
        variant="outline"
        disabled={duplicate.isPending}
        onClick={() => duplicate.mutate({ skillId: skill.id })}
      >
        <Copy aria-hidden />
        Duplicate
      </Button>
      {own && (
        <Button
          variant="outline"
          disabled={toggle.isPending}
          onClick={() => toggle.mutate({ skillId: skill.id, enabled: !skill.enabled })}
        >
          {skill.enabled ? <PowerOff aria-hidden /> : <Power aria-hidden />}
          {skill.enabled ? "Disable" : "Enable"}
        </Button>
      )}
      {own && <DeleteSkillButton skill={skill} />}
    </>
  );
}

/** Delete, after a confirm that names the schedules and webhooks using the skill. */
function DeleteSkillButton({ skill }: { skill: SkillForActions }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = useToastMutation(trpc.skills.delete.mutationOptions(), {
    success: "Skill deleted",
    // Not the deleted skill's own queries: this page still shows them until it navigates away,
    // and refetching them would only get a 404.
    invalidate: [trpc.skills.list.pathKey(), trpc.schedules.pathKey(), trpc.webhooks.pathKey()],
    afterSuccess: () => router.push("/skills"),
  });
  const users = usersSentence(skill.usedBy);
  return (
    <>
      <Button variant="outline" onClick={() => setConfirmDelete(true)}>
        <Trash2 aria-hidden />
        Delete
      </Button>
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={`Delete ${skill.name}?`}
        description={
          <>
            It disappears from the catalog and its slug is free again; its runs and versions stay
            readable.{" "}
            {users
              ? `It is used by ${users}: they will fail to start runs until they run another skill.`
              : "No schedule or webhook uses it."}
          </>
        }
        cancelLabel="Keep it"
        confirmLabel="Delete skill"
        pending={remove.isPending}
        onConfirm={() => {
          setConfirmDelete(false);
          remove.mutate({ skillId: skill.id });
        }}
      />
    </>
  );
}
