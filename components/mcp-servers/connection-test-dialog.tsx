"use client";

import type { UseMutationResult } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
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
import { ConnectionResult, type ConnectionTest } from "./connection-result";

/** A saved server's connection test, as it runs and what it found. */
export function ConnectionTestDialog({
  open,
  onOpenChange,
  serverName,
  test,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  serverName: string;
  test: Pick<UseMutationResult<ConnectionTest, { message: string }, never>, "data" | "error">;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>Connection to “{serverName}”</DialogTitle>
          <DialogDescription>
            Connected as a run would, with the saved token; the tools are what agents get.
          </DialogDescription>
        </DialogHeader>
        <DialogBody className="text-left">
          {test.data ? (
            <ConnectionResult result={test.data} />
          ) : test.error ? (
            <p role="alert" className="text-destructive text-sm">
              {test.error.message}
            </p>
          ) : (
            <p role="status" className="text-muted-foreground flex items-center gap-2 text-sm">
              <LoaderCircle aria-hidden className="size-4 animate-spin" />
              Connecting…
            </p>
          )}
        </DialogBody>
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Close
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
