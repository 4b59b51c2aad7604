"use client";

import { useQuery } from "@tanstack/react-query";
import { Copy } from "lucide-react";
import { useMemo } from "react";
import { formatAbsolute } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { copyToClipboard } from "@/components/shell/shown-once";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { inputFieldsOf } from "@/lib/skill-inputs";
import { curlExample, examplePayload } from "../signing-example";
import { webhookEndpoint } from "../webhook-list";
import type { WebhookData } from "./webhook-data";

/** Where to send deliveries, how to sign them, and a curl example built from the skill's inputs. */
export function EndpointCard({ webhookId, data }: { webhookId: string; data: WebhookData }) {
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
    <Card>
      <CardHeader>
        <CardTitle>Endpoint</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        <code
          className="bg-muted rounded-md p-2 font-mono text-xs break-all"
          data-testid="webhook-endpoint"
        >
          POST {webhookEndpoint(webhookId)}
        </code>
        <p className="text-muted-foreground">
          Sign each delivery:{" "}
          <code>
            Skillrun-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of
            &quot;&lt;t&gt;.&lt;raw body&gt;&quot;&gt;
          </code>{" "}
          with the webhook&apos;s secret; timestamps more than 5 minutes off are refused. Send a
          unique <code>Skillrun-Delivery-Id</code>: a repeat within 24 h gets the original run. JSON
          bodies up to 256 KB, {data.rateLimitPerMinute} deliveries a minute.
        </p>
        {data.previousSecretExpiresAt && data.previousSecretExpiresAt > new Date() && (
          <p>
            The previous secret is accepted until{" "}
            <time dateTime={data.previousSecretExpiresAt.toISOString()}>
              {formatAbsolute(data.previousSecretExpiresAt)}
            </time>
            .
          </p>
        )}
        <div>
          <div className="mb-1 flex items-center justify-between">
            <span className="font-medium">Example</span>
            <Button size="sm" variant="outline" onClick={() => copyToClipboard(example, "Example")}>
              <Copy aria-hidden />
              Copy
            </Button>
          </div>
          <pre
            className="bg-muted overflow-x-auto rounded-md p-3 font-mono text-xs"
            data-testid="curl-example"
          >
            {example}
          </pre>
        </div>
      </CardContent>
    </Card>
  );
}
