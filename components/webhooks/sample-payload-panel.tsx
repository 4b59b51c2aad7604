"use client";

import { useId, useState } from "react";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { WebhookInputMapping } from "@/lib/schemas/webhooks";
import type { InputsSchema } from "@/lib/skill-inputs";
import { previewSample } from "./sample-preview";

/**
 * "Paste a sample payload": what each input would be under the mapping as typed, and whether
 * the receiver would start a run or answer 422 — before a sender ever posts one.
 */
export function SamplePayloadPanel({
  schema,
  mapping,
}: {
  schema: InputsSchema;
  mapping: WebhookInputMapping;
}) {
  const id = useId();
  const [sample, setSample] = useState("");
  const preview = sample.trim() ? previewSample(schema, mapping, sample) : null;
  return (
    <details className="border-border rounded-md border p-3 text-sm">
      <summary className="cursor-pointer font-medium">Preview with a sample payload</summary>
      <div className="mt-3 flex flex-col gap-2">
        <Label htmlFor={`${id}-sample`}>Sample payload (JSON, as the sender posts it)</Label>
        <Textarea
          id={`${id}-sample`}
          rows={5}
          className="font-mono text-xs"
          value={sample}
          onChange={(event) => setSample(event.target.value)}
          aria-describedby={`${id}-result`}
        />
        <div id={`${id}-result`} aria-live="polite" data-testid="sample-preview">
          {!preview ? null : !preview.parsed ? (
            <p className="text-destructive text-xs">{preview.error}</p>
          ) : (
            <>
              <ul className="flex flex-col gap-1 text-xs">
                {preview.rows.map((row) => (
                  <li key={row.name} className="break-words">
                    <span className="font-medium">{row.title}</span>{" "}
                    <span className="text-muted-foreground">← {row.from}</span>
                    {row.value !== null && <code className="ml-1 font-mono">{row.value}</code>}
                  </li>
                ))}
              </ul>
              {preview.problems.length === 0 ? (
                <p className="mt-2 text-xs font-medium">A delivery like this starts a run.</p>
              ) : (
                <div className="text-destructive mt-2 text-xs">
                  <p className="font-medium">A delivery like this is refused (422):</p>
                  <ul className="list-disc pl-4">
                    {preview.problems.map((problem) => (
                      <li key={problem}>{problem}</li>
                    ))}
                  </ul>
                </div>
              )}
            </>
          )}
        </div>
      </div>
    </details>
  );
}
