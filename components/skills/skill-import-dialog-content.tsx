"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { FileDropZone } from "@/components/shell/file-drop-zone";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { MAX_SKILL_ARCHIVE_BYTES } from "@/lib/schemas/skill-archives";
import { SkillImportPreview } from "./skill-import-preview";

const KB = 1024;
const sizeOf = (bytes: number) =>
  bytes < KB * KB ? `${Math.ceil(bytes / KB)} KB` : `${(bytes / (KB * KB)).toFixed(1)} MB`;

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let offset = 0; offset < bytes.length; offset += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  return btoa(binary);
}

/** The dialog's state: the chosen zip, the slug, the preview that follows them, and the import. */
function useSkillImport(onDone: () => void) {
  const trpc = useTRPC();
  const [file, setFile] = useState<{ name: string; archive: string } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [slug, setSlug] = useState("");
  const preview = useMutation(trpc.skillArchives.previewImport.mutationOptions());
  const importSkill = useToastMutation(trpc.skillArchives.import.mutationOptions(), {
    success: (saved) => ({
      message: `Imported ${saved.slug} (version ${saved.versionHash}).`,
      link: { label: "Open", href: `/skills/${saved.slug}` },
    }),
    invalidate: [trpc.skills.pathKey()],
    afterSuccess: onDone,
  });
  const { mutate: runPreview, reset: resetPreview } = preview;
  const { reset: resetImport } = importSkill;

  // The preview follows the file and the chosen slug (a typed slug settles for a moment first);
  // a newer preview supersedes an older one still under way.
  useEffect(() => {
    if (!file) return;
    const timer = setTimeout(
      () => runPreview({ archive: file.archive, slug: slug.trim() || undefined }),
      slug ? 400 : 0,
    );
    return () => clearTimeout(timer);
  }, [file, slug, runPreview]);

  async function choose(chosen: File | undefined) {
    resetPreview();
    resetImport();
    setFile(null);
    setFileError(null);
    if (!chosen) return;
    if (!chosen.name.toLowerCase().endsWith(".zip"))
      return setFileError(`${chosen.name} is not a .zip file.`);
    if (chosen.size > MAX_SKILL_ARCHIVE_BYTES)
      return setFileError(
        `${chosen.name} is ${sizeOf(chosen.size)}; a skill zip may be at most ${sizeOf(MAX_SKILL_ARCHIVE_BYTES)}.`,
      );
    setFile({ name: chosen.name, archive: await base64Of(chosen) });
  }

  const data = preview.data;
  // Import what the preview showed: its zip and slug, not a slug typed since.
  const previewed = preview.variables;
  const ready =
    Boolean(data?.skill) &&
    !data?.existing?.unchanged &&
    !preview.isPending &&
    (previewed?.slug ?? "") === slug.trim();
  const submit = () =>
    previewed &&
    importSkill.mutate({
      ...previewed,
      replace: data?.existing ? { versionHash: data.existing.versionHash } : undefined,
    });
  return { file, fileError, slug, setSlug, choose, preview, importSkill, ready, submit };
}

export default function SkillImportDialogContent({ onDone }: { onDone: () => void }) {
  const slugInputId = useId();
  const { file, fileError, slug, setSlug, choose, preview, importSkill, ready, submit } =
    useSkillImport(onDone);
  const data = preview.data;
  const replacing = Boolean(data?.existing);

  return (
    <DialogContent>
      <DialogHeader>
        <DialogTitle>Import skill</DialogTitle>
        <DialogDescription>
          A .zip in the Agent Skills layout: a folder with SKILL.md and optional references/*.md.
          Nothing is saved until you import it.
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-4">
        <ArchiveDropZone onChoose={(chosen) => void choose(chosen)} invalid={Boolean(fileError)} />
        <div className="flex flex-col gap-2">
          <Label htmlFor={slugInputId}>Slug</Label>
          <Input
            id={slugInputId}
            value={slug}
            onChange={(event) => setSlug(event.target.value)}
            placeholder={data?.folder ?? "the zip's folder name"}
            aria-describedby={`${slugInputId}-hint`}
            autoComplete="off"
          />
          <p id={`${slugInputId}-hint`} className="text-muted-foreground text-xs">
            Leave blank to use the folder name in the zip.
          </p>
        </div>
        {fileError && <ErrorAlert message={fileError} />}
        {preview.isPending && (
          <p className="text-muted-foreground text-sm" role="status">
            Reading {file?.name}…
          </p>
        )}
        {preview.error && <ErrorAlert message={preview.error.message} />}
        {data && !preview.isPending && <SkillImportPreview preview={data} />}
        {importSkill.error && <ErrorAlert message={importSkill.error.message} />}
      </DialogBody>
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button
          variant={replacing ? "destructive" : "default"}
          disabled={!ready || importSkill.isPending}
          onClick={submit}
        >
          {importSkill.isPending ? "Importing…" : replacing ? "Replace" : "Import"}
        </Button>
      </DialogFooter>
    </DialogContent>
  );
}

const ErrorAlert = ({ message }: { message: string }) => (
  <Alert variant="destructive">
    <AlertDescription>{message}</AlertDescription>
  </Alert>
);

/** A file input inside a zone a zip can also be dropped on (the input is the keyboard's way in). */
function ArchiveDropZone({
  onChoose,
  invalid,
}: {
  onChoose: (file: File | undefined) => void;
  invalid: boolean;
}) {
  const inputId = useId();
  return (
    <FileDropZone onDrop={(files) => onChoose(files[0])} className="flex flex-col gap-2 p-4">
      <Label htmlFor={inputId}>Skill zip</Label>
      <Input
        id={inputId}
        type="file"
        accept=".zip,application/zip"
        aria-invalid={invalid || undefined}
        aria-describedby={`${inputId}-hint`}
        onChange={(event) => onChoose(event.target.files?.[0])}
      />
      <p id={`${inputId}-hint`} className="text-muted-foreground text-xs">
        Choose a file or drop it here; at most {sizeOf(MAX_SKILL_ARCHIVE_BYTES)}.
      </p>
    </FileDropZone>
  );
}
