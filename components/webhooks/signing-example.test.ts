import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { compileSkillInputs, inputFieldsOf, type InputsSchema } from "@/lib/skill-inputs";
import { mapPayloadToInputs } from "@/server/services/webhooks/webhook-mapping";
import {
  generateSigningSecret,
  verifyWebhookSignature,
} from "@/server/services/webhooks/webhook-signature";
import { curlExample, examplePayload } from "./signing-example";

const run = promisify(execFile);

const SCHEMA: InputsSchema = {
  type: "object",
  required: ["title", "priority", "kind"],
  properties: {
    title: { type: "string", minLength: 3 },
    priority: { type: "integer", minimum: 1, maximum: 5 },
    kind: { type: "string", enum: ["bug", "feature"] },
    labels: { type: "array", items: { type: "string" } },
    due: { type: "string", format: "date" },
  },
};
const MAPPING = {
  title: { pointer: "/issue/title" },
  priority: { pointer: "/issue/priority" },
  kind: { pointer: "/issue/kind" },
  labels: { pointer: "/issue/labels" },
  due: { pointer: "/issue/due~1date" },
};

describe("the webhook page's signing example", () => {
  it("builds a payload the mapping turns into valid inputs", () => {
    const payload = examplePayload(inputFieldsOf(SCHEMA), MAPPING);
    expect(payload).toMatchObject({ issue: { "due/date": "2026-01-31" } });
    const { inputs } = mapPayloadToInputs(MAPPING, payload);
    expect(compileSkillInputs(SCHEMA)(inputs)).toMatchObject({ valid: true });
  });

  it("is a curl command whose signature the receiver accepts, quoting survives a hostile payload", async () => {
    const secret = generateSigningSecret();
    const received: { verdict: string; body: string; deliveryId: string | undefined }[] = [];
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks);
        const header = request.headers["skillrun-signature"];
        const { verdict } = verifyWebhookSignature({
          header: typeof header === "string" ? header : null,
          body,
          secrets: [secret],
          nowSeconds: Math.floor(Date.now() / 1000),
        });
        received.push({
          verdict,
          body: body.toString("utf8"),
          deliveryId: request.headers["skillrun-delivery-id"] as string | undefined,
        });
        response.writeHead(verdict === "valid" ? 202 : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/abc`;
      const body = JSON.stringify({
        issue: { title: 'It\'s "broken" $(rm -rf /) `x` \\n', priority: 1 },
      });
      await run("bash", ["-c", curlExample(url, body)], {
        env: { ...process.env, SKILLRUN_WEBHOOK_SECRET: secret },
      });
      expect(received).toEqual([
        { verdict: "valid", body, deliveryId: expect.stringMatching(/^[0-9a-f]{32}$/) },
      ]);
    } finally {
      server.close();
    }
  });
});
