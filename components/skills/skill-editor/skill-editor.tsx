"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Save } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import {
  draftOf,
  errorsToShow,
  normalizeErrors,
  parseSchema,
  type EditorState,
  type FieldErrorMap,
} from "./draft";
import { AboutFields } from "./about-fields";
import { InputsSchemaField } from "./inputs-schema-field";
import { MarkdownField } from "./markdown-field";
import { ReferenceFilesField } from "./reference-files-field";

const VALIDATE_DELAY_MS = 400;

/**
 * Writes a tenant skill: a new one (no `skillId`) or a new version of one. Errors come from the
 * server's own check as the admin types (the loader's rules, the schema's JSON pointers), and
 * again on save; leaving with unsaved changes asks first.
 */
/** The editor's state, the server's check as the admin types, and the save. */
function useSkillEditor(skillId: string | undefined, initial: EditorState) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [state, setState] = useState(initial);
  const [errors, setErrors] = useState<FieldErrorMap>({});
  const [hash, setHash] = useState<string | null>(null);
  const dirty = useMemo(() => JSON.stringify(state) !== JSON.stringify(initial), [state, initial]);
  const saved = useRef(false);
  const parsedSchema = useMemo(() => parseSchema(state.schemaText), [state.schemaText]);
  const validate = useMutation(trpc.skills.validate.mutationOptions());
  const create = useMutation(trpc.skills.create.mutationOptions());
  const update = useMutation(trpc.skills.update.mutationOptions());
  const saving = create.isPending || update.isPending;

  const { mutateAsync: check } = validate;
  useEffect(() => {
    const draft = draftOf(state);
    let current = true;
    const timer = setTimeout(async () => {
      if (!draft) return;
      try {
        const result = await check({ skill: draft, ...(skillId ? { skillId } : {}) });
        if (!current) return;
        setErrors(result.fieldErrors);
        setHash(result.versionHash);
      } catch (error) {
        if (current) setErrors(normalizeErrors(fieldErrorsFrom(error) ?? {}));
      }
    }, VALIDATE_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [state, skillId, check]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      if (!saved.current) event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const set = <Key extends keyof EditorState>(key: Key, value: EditorState[Key]) =>
    setState((previous) => ({ ...previous, [key]: value }));
  const [submitted, setSubmitted] = useState(false);
  const shownErrors = errorsToShow(
    "error" in parsedSchema ? { ...errors, inputsSchema: [parsedSchema.error] } : errors,
    submitted ? null : { state, initial },
  );
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    const draft = draftOf(state);
    if (!draft) return;
    try {
      const result = skillId
        ? await update.mutateAsync({ skillId, skill: draft })
        : await create.mutateAsync(draft);
      saved.current = true;
      await queryClient.invalidateQueries({ queryKey: trpc.skills.pathKey() });
      toast.success(
        result.changed
          ? `Saved version ${result.versionHash.slice(0, 12)}`
          : `No changes: version ${result.versionHash.slice(0, 12)} is still current`,
      );
      router.push(`/skills/${result.slug}`);
    } catch (error) {
      const fieldErrors = fieldErrorsFrom(error);
      if (fieldErrors) setErrors(normalizeErrors(fieldErrors));
      else toast.error(error instanceof Error ? error.message : "The skill could not be saved.");
    }
  }

  return { state, setState, set, shownErrors, hash, dirty, saving, parsedSchema, onSubmit };
}

export function SkillEditor({
  skillId,
  initial,
  cancelHref,
}: {
  skillId?: string;
  initial: EditorState;
  cancelHref: string;
}) {
  const { state, setState, set, shownErrors, hash, dirty, saving, parsedSchema, onSubmit } =
    useSkillEditor(skillId, initial);
  const errorCount = Object.keys(shownErrors).length;
  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-6" noValidate aria-label="Skill">
      <AboutFields state={state} setState={setState} errors={shownErrors} />
      <Card>
        <CardHeader>
          <CardTitle>Instructions</CardTitle>
        </CardHeader>
        <CardContent>
          <MarkdownField
            id="skill-instructions"
            label="Instructions"
            value={state.instructions}
            onChange={(instructions) => set("instructions", instructions)}
            errors={shownErrors.instructions}
            minHeight="16rem"
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Inputs</CardTitle>
        </CardHeader>
        <CardContent>
          <InputsSchemaField
            value={state.schemaText}
            onChange={(schemaText) => set("schemaText", schemaText)}
            schema={"schema" in parsedSchema ? parsedSchema.schema : null}
            errors={shownErrors.inputsSchema}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Reference files</CardTitle>
        </CardHeader>
        <CardContent>
          <ReferenceFilesField
            files={state.referenceFiles}
            onChange={(files) => set("referenceFiles", files)}
            errors={shownErrors.referenceFiles}
          />
        </CardContent>
      </Card>
      <ErrorSummary count={errorCount} />
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={saving || "error" in parsedSchema}>
          {saving ? <LoaderCircle className="animate-spin" aria-hidden /> : <Save aria-hidden />}
          {skillId ? "Save new version" : "Create skill"}
        </Button>
        <CancelLink href={cancelHref} dirty={dirty} />
        <span className="text-muted-foreground text-xs" aria-live="polite">
          {hash && errorCount === 0 ? (
            <>
              Would save as version <code className="font-mono">{hash.slice(0, 12)}</code>
            </>
          ) : null}
          {dirty ? " · unsaved changes" : ""}
        </span>
      </div>
    </form>
  );
}

function ErrorSummary({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <Alert variant="destructive">
      <AlertDescription>
        Fix the {count === 1 ? "field" : "fields"} marked above before saving.
      </AlertDescription>
    </Alert>
  );
}

/** Leaving with unsaved changes asks first; without any, it is a plain link. */
function CancelLink({ href, dirty }: { href: string; dirty: boolean }) {
  const router = useRouter();
  const [asking, setAsking] = useState(false);
  return (
    <>
      <Button asChild variant="ghost">
        <Link
          href={href}
          onClick={(event) => {
            if (!dirty) return;
            event.preventDefault();
            setAsking(true);
          }}
        >
          Cancel
        </Link>
      </Button>
      <ConfirmDialog
        open={asking}
        onOpenChange={setAsking}
        title="Discard your changes?"
        description="The changes you made here are not saved. Leaving drops them."
        cancelLabel="Keep editing"
        confirmLabel="Discard changes"
        onConfirm={() => router.push(href)}
      />
    </>
  );
}
