"use client";

import type { inferRouterOutputs } from "@trpc/server";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { cn } from "@/components/ui/cn";
import { inputFieldsOf } from "@/lib/skill-inputs";
import type { AppRouter } from "@/server/trpc/root";

export type SkillImportPreviewData =
  inferRouterOutputs<AppRouter>["skillArchives"]["previewImport"];

/** What an import would save: the skill and its hash, what is wrong, and what changes over an existing one. */
export function SkillImportPreview({ preview }: { preview: SkillImportPreviewData }) {
  const { skill, problems, existing } = preview;
  return (
    <section aria-label="Import preview" className="flex flex-col gap-4">
      {problems.length > 0 && (
        <Alert variant="destructive">
          <AlertTitle>This zip cannot be imported as it is</AlertTitle>
          <AlertDescription>
            <ul className="list-disc pl-5">
              {problems.map((problem, index) => (
                <li key={index}>
                  {problem.file && <code className="font-mono">{problem.file}</code>}
                  {problem.field && (
                    <>
                      {problem.file ? " · " : ""}
                      {problem.file === "SKILL.md" ? "frontmatter " : ""}
                      <code className="font-mono">{problem.field}</code>
                    </>
                  )}
                  {problem.file || problem.field ? ": " : ""}
                  {problem.message}
                </li>
              ))}
            </ul>
          </AlertDescription>
        </Alert>
      )}
      {skill && (
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm">
          <dt className="text-muted-foreground">Name</dt>
          <dd>{skill.name}</dd>
          <dt className="text-muted-foreground">Slug</dt>
          <dd>
            <code className="font-mono">{preview.slug}</code>
          </dd>
          <dt className="text-muted-foreground">Description</dt>
          <dd>{skill.description}</dd>
          <dt className="text-muted-foreground">Inputs</dt>
          <dd>
            <InputList inputsSchema={skill.inputsSchema} />
          </dd>
          <dt className="text-muted-foreground">Reference files</dt>
          <dd>
            {preview.referenceFiles.length ? (
              <ul>
                {preview.referenceFiles.map((path) => (
                  <li key={path}>
                    <code className="font-mono">{path}</code>
                  </li>
                ))}
              </ul>
            ) : (
              "None"
            )}
          </dd>
          <dt className="text-muted-foreground">Version</dt>
          <dd>
            <code className="font-mono" data-testid="import-version-hash">
              {skill.versionHash}
            </code>
          </dd>
        </dl>
      )}
      {preview.shadowsBuiltIn && (
        <Alert>
          <AlertDescription>
            A built-in skill has the slug <code className="font-mono">{preview.slug}</code>; this
            tenant&apos;s own skill will be used in its place.
          </AlertDescription>
        </Alert>
      )}
      {existing && <ExistingVersion existing={existing} slug={preview.slug ?? ""} />}
    </section>
  );
}

function InputList({
  inputsSchema,
}: {
  inputsSchema: NonNullable<SkillImportPreviewData["skill"]>["inputsSchema"];
}) {
  const fields = inputFieldsOf(inputsSchema);
  if (!fields.length) return <>None</>;
  return (
    <ul>
      {fields.map((field) => (
        <li key={field.name}>
          {field.title} <code className="text-muted-foreground font-mono">{field.name}</code> ·{" "}
          {field.typeLabel}
          {field.required ? " · required" : ""}
        </li>
      ))}
    </ul>
  );
}

function ExistingVersion({
  existing,
  slug,
}: {
  existing: NonNullable<SkillImportPreviewData["existing"]>;
  slug: string;
}) {
  if (existing.unchanged)
    return (
      <Alert>
        <AlertTitle>Nothing to import</AlertTitle>
        <AlertDescription>
          The skill <code className="font-mono">{slug}</code> already is this version.
        </AlertDescription>
      </Alert>
    );
  return (
    <div className="flex flex-col gap-2">
      <Alert variant="warning">
        <AlertTitle>This tenant already has a skill “{existing.name}” with this slug</AlertTitle>
        <AlertDescription>
          Replace saves the zip as a new version of it (now{" "}
          <code className="font-mono">{existing.versionHash}</code>); earlier versions stay in its
          history. Or choose another slug to import it as a new skill.
        </AlertDescription>
      </Alert>
      <h3 id="import-diff-title" className="text-sm font-medium">
        Changes from the current version
      </h3>
      <ScrollRegion labelledBy="import-diff-title" className="bg-muted/40 rounded-md border">
        <pre className="p-3 font-mono text-xs leading-5">
          {existing.diff.split("\n").map((line, index) => (
            <span
              key={index}
              className={cn(
                "block",
                line.startsWith("+") && !line.startsWith("+++") && "bg-success-muted text-success",
                line.startsWith("-") &&
                  !line.startsWith("---") &&
                  "bg-destructive-muted text-destructive",
                line.startsWith("@@") && "text-muted-foreground",
              )}
            >
              {line || " "}
            </span>
          ))}
        </pre>
      </ScrollRegion>
    </div>
  );
}
