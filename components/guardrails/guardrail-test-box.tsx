"use client";

import { useMutation } from "@tanstack/react-query";
import { FlaskConical, LoaderCircle } from "lucide-react";
import { useId, useState } from "react";
import { useWatch } from "react-hook-form";
import { useTRPC } from "@/components/providers/trpc";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { MAX_TEST_TEXT_CHARS } from "@/lib/schemas/guardrails";
import { rulesOfFields, type GuardrailForm } from "./guardrail-form";

/** Characters shown each side of a match. */
const CONTEXT_CHARS = 40;

type DeniedMatch =
  | { kind: "term"; term: string; start: number; end: number }
  | { kind: "pattern"; pattern: string; start: number; end: number }
  | { kind: "invalid pattern"; pattern: string; problem: string };

function MatchLine({ text, denied }: { text: string; denied: DeniedMatch }) {
  if (denied.kind === "invalid pattern")
    return (
      <p>
        The pattern <code className="font-mono">{denied.pattern}</code> {denied.problem}: runs with
        this guardrail are refused until it is fixed.
      </p>
    );
  const what =
    denied.kind === "term" ? (
      <>
        denied term <code className="font-mono">{denied.term}</code>
      </>
    ) : (
      <>
        denied pattern <code className="font-mono">{denied.pattern}</code>
      </>
    );
  const from = Math.max(0, denied.start - CONTEXT_CHARS);
  const to = Math.min(text.length, denied.end + CONTEXT_CHARS);
  return (
    <div className="flex flex-col gap-1">
      <p>
        Matched the {what} at characters {denied.start + 1}–{denied.end}:
      </p>
      <p className="bg-muted rounded-md px-3 py-2 font-mono text-xs break-words whitespace-pre-wrap">
        {from > 0 && "…"}
        {text.slice(from, denied.start)}
        <mark className="bg-warning-muted text-foreground rounded-sm px-0.5">
          {text.slice(denied.start, denied.end)}
        </mark>
        {text.slice(denied.end, to)}
        {to < text.length && "…"}
      </p>
    </div>
  );
}

/**
 * "Test this text": the form's rules as they are now, saved or not, applied by the server with
 * the runtime's own functions, so what it shows is what a run would do.
 */
export function GuardrailTestBox({ form }: { form: GuardrailForm }) {
  const trpc = useTRPC();
  const id = useId();
  const [text, setText] = useState("");
  const [testedText, setTestedText] = useState("");
  const [deniedTermsText, deniedPatternsText, pii, maxDeliverableChars] = useWatch({
    control: form.control,
    name: ["deniedTermsText", "deniedPatternsText", "pii", "maxDeliverableChars"],
  });
  const test = useMutation(trpc.guardrails.test.mutationOptions());
  const run = () => {
    setTestedText(text);
    test.mutate({
      rules: rulesOfFields({ deniedTermsText, deniedPatternsText, pii, maxDeliverableChars }),
      text,
    });
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Test this text</CardTitle>
        <CardDescription>
          Paste a deliverable to see what these rules, saved or not, would do with it.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        <Label htmlFor={`${id}-text`}>Text to test</Label>
        <Textarea
          id={`${id}-text`}
          value={text}
          maxLength={MAX_TEST_TEXT_CHARS}
          onChange={(event) => setText(event.target.value)}
          className="min-h-32 resize-y font-mono text-xs"
        />
        <Button
          type="button"
          variant="outline"
          className="self-start"
          onClick={run}
          disabled={test.isPending}
        >
          {test.isPending ? (
            <LoaderCircle aria-hidden className="animate-spin" />
          ) : (
            <FlaskConical aria-hidden />
          )}
          Test text
        </Button>
        <div role="status" aria-live="polite" className="flex flex-col gap-3">
          {test.isError && (
            <p className="text-destructive">
              {test.error.data?.code === "BAD_REQUEST"
                ? "Fix the rules marked above, then test again."
                : test.error.message}
            </p>
          )}
          {test.data && !test.isPending && <TestResult text={testedText} result={test.data} />}
        </div>
      </CardContent>
    </Card>
  );
}

type Result = {
  denied: DeniedMatch | null;
  verdict: { ok: true } | { ok: false; rule: string };
  masked: { text: string; counts: Record<string, number | undefined> } | null;
};

function TestResult({ text: testedText, result }: { text: string; result: Result }) {
  return (
    <>
      <p className="flex flex-wrap items-center gap-2">
        {result.verdict.ok ? (
          <Badge variant="success">Would pass</Badge>
        ) : (
          <Badge variant="danger">Would be refused</Badge>
        )}
        {!result.verdict.ok && <span>Broken rule: {result.verdict.rule}</span>}
      </p>
      {result.denied ? (
        <MatchLine text={testedText} denied={result.denied} />
      ) : (
        <p className="text-muted-foreground">No denied term or pattern matched.</p>
      )}
      {result.masked && (
        <div className="flex flex-col gap-1">
          <p>
            {Object.keys(result.masked.counts).length
              ? "With personal data masked:"
              : "No personal data found."}
          </p>
          {Object.keys(result.masked.counts).length > 0 && (
            <p className="bg-muted rounded-md px-3 py-2 font-mono text-xs break-words whitespace-pre-wrap">
              {result.masked.text}
            </p>
          )}
        </div>
      )}
    </>
  );
}
