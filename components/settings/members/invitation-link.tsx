"use client";

import { Copy } from "lucide-react";
import { useId } from "react";
import { formatAbsolute } from "@/components/format";
import { copyToClipboard } from "@/components/shell/shown-once";
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
import type { MemberRole } from "@/lib/enums";
import { article } from "./member";

/** The invitation link, shown once: Skillrun keeps only a hash of its token. */
export type CreatedInvitation = { email: string; role: MemberRole; expiresAt: Date; path: string };

export function InvitationLink({
  created,
  onDone,
}: {
  created: CreatedInvitation;
  onDone: () => void;
}) {
  const id = useId();
  const link = `${window.location.origin}${created.path}`;
  return (
    <>
      <DialogHeader>
        <DialogTitle>Invitation for {created.email}</DialogTitle>
        <DialogDescription>
          Skillrun sends no email: copy this link now and hand it to them yourself. It is shown only
          once, works once, and expires in 7 days ({formatAbsolute(created.expiresAt)}).
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-3">
        <Label htmlFor={`${id}-link`}>Invitation link</Label>
        <Input
          id={`${id}-link`}
          readOnly
          value={link}
          className="font-mono text-xs"
          onFocus={(event) => event.currentTarget.select()}
          data-testid="invitation-link"
        />
        <p className="text-muted-foreground text-xs">
          They join as {article(created.role)} {created.role}: with a new account if the email has
          none yet, or by signing in to their existing one. Revoke the invitation below if the link
          reaches the wrong person.
        </p>
      </DialogBody>
      <DialogFooter>
        <Button variant="outline" onClick={() => copyToClipboard(link, "Invitation link")}>
          <Copy aria-hidden />
          Copy
        </Button>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </>
  );
}
