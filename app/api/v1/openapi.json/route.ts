import { openApiDocument } from "@/server/rest/openapi";

export const GET = (request: Request) =>
  Response.json(openApiDocument(new URL(request.url).origin));
