"use client";

import { Copy } from "lucide-react";
import { copyToClipboard, keepOpenUntilDone } from "@/components/shell/shown-once";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";

/** A signing secret, the one time it is shown: after creation or rotation. */
export function SecretDialog({
  secret,
  title,
  endpoint,
  onClose,
}: {
  secret: string | null;
  title: string;
  endpoint: string;
  onClose: () => void;
}) {
  return (
    <Dialog open={secret !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent {...keepOpenUntilDone}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>
            Copy the signing secret now: it is not shown again. Store it where the sender keeps its
            secrets.
          </DialogDescription>
        </DialogHeader>
        <DialogBody className="flex flex-col gap-3 text-sm">
          <div>
            <div className="mb-1 font-medium">Signing secret</div>
            <code
              className="bg-muted block rounded-md p-3 font-mono break-all"
              data-testid="webhook-secret"
            >
              {secret}
            </code>
          </div>
          <div>
            <div className="mb-1 font-medium">Endpoint</div>
            <code
              className="bg-muted block rounded-md p-3 font-mono break-all"
              data-testid="webhook-endpoint"
            >
              POST {endpoint}
            </code>
          </div>
        </DialogBody>
        <DialogFooter>
          <Button variant="outline" onClick={() => copyToClipboard(secret ?? "", "Secret")}>
            <Copy aria-hidden />
            Copy secret
          </Button>
          <Button onClick={onClose}>Done</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
