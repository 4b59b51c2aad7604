"use client";

import { Upload } from "lucide-react";
import dynamic from "next/dynamic";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { Button } from "@/components/ui/button";
import { Dialog, DialogTrigger } from "@/components/ui/dialog";

// Loaded on first open: the import flow (its schemas and preview) stays out of the catalog's
// first-load JavaScript.
const SkillImportDialogContent = dynamic(() => import("./skill-import-dialog-content"), {
  ssr: false,
});

/** "Import skill" for admins: a zip in the Agent Skills layout, previewed before anything is saved. */
export function SkillImportButton() {
  const { can } = useTenantRole();
  const [open, setOpen] = useState(false);
  if (!can("admin")) return null;
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <Upload aria-hidden />
          Import skill
        </Button>
      </DialogTrigger>
      {/* Mounted only while open, so each opening starts empty. */}
      {open && <SkillImportDialogContent onDone={() => setOpen(false)} />}
    </Dialog>
  );
}
