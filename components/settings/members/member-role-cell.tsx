"use client";

import { LoaderCircle } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import type { MemberRole } from "@/lib/enums";
import type { Member } from "./member";

/** The member's role: read-only with the reason when locked, else a select with Save and Undo. */
export function MemberRoleCell({
  member,
  locked,
  draft,
  grantable,
  saving,
  onDraft,
  onUndo,
  onSave,
}: {
  member: Member;
  locked: string | null;
  draft: MemberRole;
  grantable: MemberRole[];
  saving: boolean;
  onDraft: (role: MemberRole) => void;
  onUndo: () => void;
  onSave: (role: MemberRole) => void;
}) {
  if (locked) {
    return (
      <span title={locked}>
        {member.role}
        <span className="sr-only"> ({locked})</span>
      </span>
    );
  }
  return (
    <form
      className="flex items-center gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        if (draft !== member.role) onSave(draft);
      }}
    >
      <Select
        aria-label={`Role of ${member.email}`}
        className="w-32"
        value={draft}
        disabled={saving}
        onChange={(event) => onDraft(event.target.value as MemberRole)}
      >
        {grantable.map((candidate) => (
          <option key={candidate} value={candidate}>
            {candidate}
          </option>
        ))}
      </Select>
      {draft !== member.role && (
        <>
          <Button type="submit" size="sm" disabled={saving}>
            {saving && <LoaderCircle aria-hidden className="animate-spin" />}
            Save role
          </Button>
          <Button type="button" size="sm" variant="ghost" onClick={onUndo}>
            Undo
          </Button>
        </>
      )}
    </form>
  );
}
