"use client";

import { Braces, Copy } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { inputFieldsOf, type InputsSchema } from "@/lib/skill-inputs";

type Row = { name: string; title: string; value: unknown };

/**
 * The inputs as labelled rows: the schema's fields in declared order with their titles, then
 * any key the skill's current schema no longer has, by name.
 */
function rowsOf(inputs: Record<string, unknown>, schema: InputsSchema): Row[] {
  const fields = inputFieldsOf(schema).filter((field) => Object.hasOwn(inputs, field.name));
  const declared = new Set(fields.map((field) => field.name));
  return [
    ...fields.map((field) => ({ name: field.name, title: field.title, value: inputs[field.name] })),
    ...Object.keys(inputs)
      .filter((name) => !declared.has(name))
      .sort()
      .map((name) => ({ name, title: name, value: inputs[name] })),
  ];
}

const none = <span className="text-muted-foreground italic">none</span>;

function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === "") return none;
  if (typeof value === "string") return <p className="break-words whitespace-pre-wrap">{value}</p>;
  if (typeof value === "boolean") return <>{value ? "Yes" : "No"}</>;
  if (typeof value === "number") return <>{value.toLocaleString("en")}</>;
  if (
    Array.isArray(value) &&
    value.every((item) => typeof item === "string" || typeof item === "number")
  ) {
    if (value.length === 0) return none;
    return (
      <ul className="list-disc pl-5">
        {value.map((item, index) => (
          <li key={index} className="break-words">
            {item}
          </li>
        ))}
      </ul>
    );
  }
  return (
    <pre className="bg-muted max-h-64 overflow-auto rounded px-2 py-1 text-xs break-words whitespace-pre-wrap">
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** What the run was asked to do: labelled fields, or the JSON as sent, with a copy button. */
export function InputsCard({
  inputs,
  inputsSchema,
}: {
  inputs: Record<string, unknown>;
  inputsSchema: InputsSchema;
}) {
  const [asJson, setAsJson] = useState(false);
  const json = JSON.stringify(inputs, null, 2);
  const rows = rowsOf(inputs, inputsSchema);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(json);
      toast.success("Inputs copied as JSON");
    } catch {
      toast.error("The clipboard is not available here; switch to JSON and select the text.");
    }
  };
  return (
    <Card className="min-w-0">
      <CardHeader className="flex-row flex-wrap items-center justify-between gap-2">
        <CardTitle>Inputs</CardTitle>
        <div className="flex gap-2">
          <Button
            size="sm"
            variant="outline"
            aria-pressed={asJson}
            onClick={() => setAsJson(!asJson)}
          >
            <Braces aria-hidden />
            JSON
          </Button>
          <Button
            size="sm"
            variant="outline"
            onClick={() => void copy()}
            aria-label="Copy inputs as JSON"
          >
            <Copy aria-hidden />
            Copy
          </Button>
        </div>
      </CardHeader>
      <CardContent data-testid="run-inputs">
        {asJson ? (
          <pre className="bg-muted max-h-96 overflow-auto rounded-md p-3 text-xs break-words whitespace-pre-wrap">
            {json}
          </pre>
        ) : rows.length === 0 ? (
          <p className="text-muted-foreground text-sm">No inputs.</p>
        ) : (
          <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[10rem_minmax(0,1fr)] sm:gap-y-3">
            {rows.map((row) => (
              <div key={row.name} className="contents">
                <dt className="text-muted-foreground break-words" title={row.name}>
                  {row.title}
                </dt>
                <dd className="mb-2 min-w-0 sm:mb-0">
                  <Value value={row.value} />
                </dd>
              </div>
            ))}
          </dl>
        )}
      </CardContent>
    </Card>
  );
}
