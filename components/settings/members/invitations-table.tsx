import { formatAbsolute, formatRelative } from "@/components/format";
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

export type Invitation = {
  id: string;
  email: string;
  role: MemberRole;
  expiresAt: Date;
  inviterName: string | null;
  inviterEmail: string | null;
};

export function InvitationsTable({
  invitations,
  revokingId,
  onRevoke,
}: {
  invitations: Invitation[];
  revokingId: string | null;
  onRevoke: (invitation: Invitation) => void;
}) {
  return (
    <Table aria-label="Pending invitations">
      <TableHeader>
        <TableRow>
          <TableHead>Email</TableHead>
          <TableHead>Role</TableHead>
          <TableHead>Invited by</TableHead>
          <TableHead>Expires</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {invitations.map((invitation) => (
          <TableRow key={invitation.id} data-invitation-email={invitation.email}>
            <TableCell className="font-medium">{invitation.email}</TableCell>
            <TableCell>{invitation.role}</TableCell>
            <TableCell title={invitation.inviterEmail ?? undefined}>
              {invitation.inviterName ?? "—"}
            </TableCell>
            <TableCell title={formatAbsolute(invitation.expiresAt)}>
              {formatRelative(invitation.expiresAt)}
            </TableCell>
            <TableCell className="text-right">
              <Button
                size="sm"
                variant="outline"
                disabled={revokingId === invitation.id}
                onClick={() => onRevoke(invitation)}
                aria-label={`Revoke the invitation for ${invitation.email}`}
              >
                Revoke
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
