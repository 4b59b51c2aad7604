import type { Metadata } from "next";
import { headers } from "next/headers";
import { ApiReference } from "@/components/settings/api-reference";
import { PageHeader } from "@/components/shell/page-header";
import { openApiDocument } from "@/server/rest/openapi";

export const metadata: Metadata = { title: "REST API reference" };

export default async function ApiReferencePage() {
  const requestHeaders = await headers();
  const host = requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost";
  const protocol =
    requestHeaders.get("x-forwarded-proto") ??
    (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return (
    <>
      <PageHeader
        title="REST API reference"
        description="Start, read, list and cancel skill runs from other systems."
      />
      <ApiReference document={openApiDocument(`${protocol}://${host}`)} />
    </>
  );
}
