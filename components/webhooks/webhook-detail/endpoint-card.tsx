"use client";

import { Copy } from "lucide-react";
import { formatAbsolute } from "@/components/format";
import { copyToClipboard } from "@/components/shell/shown-once";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { webhookEndpoint } from "../webhook-list";
import type { WebhookData } from "./webhook-data";

/** Where to send deliveries (with a Copy button) and how to sign them. */
export function EndpointCard({ webhookId, data }: { webhookId: string; data: WebhookData }) {
  const endpoint = webhookEndpoint(webhookId);
  return (
    <Card className="min-w-0">
      <CardHeader>
        <CardTitle>Endpoint</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        <div className="flex items-start gap-2">
          <code
            className="bg-muted min-w-0 flex-1 rounded-md p-2 font-mono text-xs break-all"
            data-testid="webhook-endpoint"
          >
            POST {endpoint}
          </code>
          <Button
            size="sm"
            variant="outline"
            onClick={() => copyToClipboard(endpoint, "Endpoint URL")}
            aria-label="Copy the endpoint URL"
          >
            <Copy aria-hidden />
            Copy
          </Button>
        </div>
        <p className="text-muted-foreground break-words">
          Sign each delivery:{" "}
          <code className="break-all">
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
      </CardContent>
    </Card>
  );
}
