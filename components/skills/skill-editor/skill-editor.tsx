"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Save } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import {
  useEffect,
  useMemo,
  useRef,
  useState,
  type Dispatch,
  type FormEvent,
  type SetStateAction,
} from "react";
import { toast } from "sonner";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import {
  draftOf,
  errorsToShow,
  normalizeErrors,
  parseSchema,
  slugOf,
  type EditorState,
  type FieldErrorMap,
} from "./draft";
import { FieldMessages } from "./field-messages";
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
        <Button asChild variant="ghost">
          <Link href={cancelHref}>Cancel</Link>
        </Button>
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

/** Name, slug (derived from the name until edited) and description. */
function AboutFields({
  state,
  setState,
  errors,
}: {
  state: EditorState;
  setState: Dispatch<SetStateAction<EditorState>>;
  errors: FieldErrorMap;
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>About</CardTitle>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <TextField
          id="skill-name"
          label="Name"
          value={state.name}
          errors={errors.name}
          onChange={(name) =>
            setState((previous) => ({
              ...previous,
              name,
              slug: previous.slugEdited ? previous.slug : slugOf(name),
            }))
          }
        />
        <TextField
          id="skill-slug"
          label="Slug"
          value={state.slug}
          errors={errors.slug}
          mono
          hint="Used in URLs and the API; lowercase letters, digits and hyphens."
          onChange={(slug) => setState((previous) => ({ ...previous, slug, slugEdited: true }))}
        />
        <div className="flex flex-col gap-1.5 md:col-span-2">
          <Label htmlFor="skill-description">Description</Label>
          <Textarea
            id="skill-description"
            rows={2}
            value={state.description}
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={errors.description ? "skill-description-errors" : undefined}
            onChange={(event) =>
              setState((previous) => ({ ...previous, description: event.target.value }))
            }
          />
          <FieldMessages id="skill-description-errors" messages={errors.description} />
        </div>
      </CardContent>
    </Card>
  );
}

function TextField({
  id,
  label,
  value,
  onChange,
  errors,
  hint,
  mono,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  errors: string[] | undefined;
  hint?: string;
  mono?: boolean;
}) {
  const describedBy = [hint && `${id}-hint`, errors?.length && `${id}-errors`]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        value={value}
        className={mono ? "font-mono" : undefined}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && (
        <p id={`${id}-hint`} className="text-muted-foreground text-xs">
          {hint}
        </p>
      )}
      <FieldMessages id={`${id}-errors`} messages={errors} />
    </div>
  );
}
