"use client";

import { formatAbsolute, formatRelative } from "@/components/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { MemberRole } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";
import type { Member } from "./member";
import { MemberRoleCell } from "./member-role-cell";

/** One row per member; role changes go through drafts, removal through `onRemove`. */
export function MembersTable({
  members,
  role,
  grantable,
  drafts,
  savingMemberId,
  onDraft,
  onSaveRole,
  onRemove,
}: {
  members: Member[];
  role: MemberRole;
  grantable: MemberRole[];
  drafts: Record<string, MemberRole>;
  savingMemberId: string | null;
  onDraft: (memberId: string, role: MemberRole | null) => void;
  onSaveRole: (member: Member, role: MemberRole) => void;
  onRemove: (member: Member) => void;
}) {
  const owners = members.filter((member) => member.role === "owner").length;
  /** Why this member's role cannot change here, or null when it can. */
  const lockedBecause = (member: Member) =>
    !roleAtLeast(role, member.role)
      ? "Only an owner can change an owner."
      : member.role === "owner" && owners <= 1
        ? "The last owner keeps the role; make another member owner first."
        : null;

  return (
    <Table aria-label="Members">
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead className="hidden sm:table-cell">Email</TableHead>
          <TableHead>Role</TableHead>
          <TableHead className="hidden sm:table-cell">Joined</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {members.map((member) => (
          <TableRow key={member.id} data-member-email={member.email}>
            <TableCell className="font-medium">
              {member.name}
              {member.isYou && (
                <Badge variant="outline" className="ml-2">
                  you
                </Badge>
              )}
              <div className="text-muted-foreground text-xs font-normal break-all sm:hidden">
                {member.email}
              </div>
            </TableCell>
            <TableCell className="hidden sm:table-cell">{member.email}</TableCell>
            <TableCell>
              <MemberRoleCell
                member={member}
                locked={lockedBecause(member)}
                draft={drafts[member.id] ?? member.role}
                grantable={grantable}
                saving={savingMemberId === member.id}
                onDraft={(next) => onDraft(member.id, next)}
                onUndo={() => onDraft(member.id, null)}
                onSave={(next) => onSaveRole(member, next)}
              />
            </TableCell>
            <TableCell
              className="hidden whitespace-nowrap sm:table-cell"
              title={formatAbsolute(member.joinedAt)}
            >
              {formatRelative(member.joinedAt)}
            </TableCell>
            <TableCell className="text-right">
              {roleAtLeast(role, member.role) ? (
                <Button
                  size="sm"
                  variant="outline"
                  disabled={member.role === "owner" && owners <= 1}
                  onClick={() => onRemove(member)}
                  aria-label={member.isYou ? "Leave this tenant" : `Remove ${member.email}`}
                >
                  {member.isYou ? "Leave" : "Remove"}
                </Button>
              ) : null}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
