"use client";

import { useQuery } from "@tanstack/react-query";
import { Copy } from "lucide-react";
import { useMemo } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { copyToClipboard } from "@/components/shell/shown-once";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { inputFieldsOf } from "@/lib/skill-inputs";
import { curlExample, examplePayload } from "../signing-example";
import { webhookEndpoint } from "../webhook-list";
import type { WebhookData } from "./webhook-data";

/**
 * A signed curl example built from the skill's inputs and the mapping. Full width, and scrolled
 * inside its own box: its lines are long, and the page must not scroll sideways on a phone.
 */
export function ExampleCard({ webhookId, data }: { webhookId: string; data: WebhookData }) {
  const trpc = useTRPC();
  const skill = useQuery(trpc.skills.get.queryOptions({ slug: data.skill.slug }));
  const example = useMemo(() => {
    const fields = skill.data ? inputFieldsOf(skill.data.inputsSchema) : [];
    return curlExample(
      webhookEndpoint(webhookId),
      JSON.stringify(examplePayload(fields, data.inputMapping)),
    );
  }, [data.inputMapping, skill.data, webhookId]);

  return (
    <Card className="mt-4 min-w-0">
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-2">
        <div className="flex flex-col gap-1.5">
          <CardTitle>Try it</CardTitle>
          <CardDescription>
            Signs a payload the mapping reads with openssl and posts it with curl.
          </CardDescription>
        </div>
        <Button size="sm" variant="outline" onClick={() => copyToClipboard(example, "Example")}>
          <Copy aria-hidden />
          Copy
        </Button>
      </CardHeader>
      <CardContent>
        <pre
          className="bg-muted max-w-full overflow-x-auto rounded-md p-3 font-mono text-xs"
          data-testid="curl-example"
          // Scrolls sideways on a narrow screen: focusable, so the keyboard can scroll it too.
          tabIndex={0}
          role="region"
          aria-label="Example: sign and send a delivery"
        >
          {example}
        </pre>
      </CardContent>
    </Card>
  );
}
