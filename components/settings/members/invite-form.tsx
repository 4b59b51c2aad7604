"use client";

import { LoaderCircle, UserPlus } from "lucide-react";
import { useId } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  DialogBody,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import type { MemberRole } from "@/lib/enums";

export function InviteForm({
  email,
  onEmail,
  role,
  onRole,
  grantable,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  email: string;
  onEmail: (email: string) => void;
  role: MemberRole;
  onRole: (role: MemberRole) => void;
  grantable: MemberRole[];
  pending: boolean;
  error: string | null;
  onSubmit: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  return (
    <form
      aria-label="Invite a member"
      className="flex min-h-0 flex-col"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <DialogHeader>
        <DialogTitle>Invite a member</DialogTitle>
        <DialogDescription>
          You get a link to hand over; they join when they open it and accept with their own account
          and password.
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-4">
        {error !== null && (
          <Alert variant="destructive">
            <AlertDescription className="mt-0">{error}</AlertDescription>
          </Alert>
        )}
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-email`}>Email</Label>
          <Input
            id={`${id}-email`}
            type="email"
            autoComplete="off"
            required
            maxLength={254}
            value={email}
            onChange={(event) => onEmail(event.target.value)}
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-role`}>Role</Label>
          <Select
            id={`${id}-role`}
            value={role}
            onChange={(event) => onRole(event.target.value as MemberRole)}
          >
            {grantable.map((candidate) => (
              <option key={candidate} value={candidate}>
                {candidate}
              </option>
            ))}
          </Select>
        </div>
        <p className="text-muted-foreground text-xs">
          Inviting an email again replaces its pending invitation; the old link stops working.
        </p>
      </DialogBody>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={!email.trim() || pending}>
          {pending ? (
            <LoaderCircle aria-hidden className="animate-spin" />
          ) : (
            <UserPlus aria-hidden />
          )}
          Create invitation
        </Button>
      </DialogFooter>
    </form>
  );
}
