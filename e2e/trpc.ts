/**
 * tRPC calls made outside the UI, through the endpoint the UI uses, with the session of the
 * request context: for setting up what a spec then drives through the page.
 */
import { expect, type APIRequestContext } from "@playwright/test";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import superjson, { type SuperJSONResult } from "superjson";
import type { AppRouter } from "@/server/trpc/root";
import { tenantHeaders } from "./support";

type Inputs = inferRouterInputs<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;
type Router = keyof Inputs & keyof Outputs;
type Procedure<R extends Router> = keyof Inputs[R] & keyof Outputs[R] & string;

async function answer<T>(response: Awaited<ReturnType<APIRequestContext["get"]>>): Promise<T> {
  expect(response.status(), await response.text()).toBe(200);
  const body = (await response.json()) as { result: { data: SuperJSONResult } };
  return superjson.deserialize<T>(body.result.data);
}

export async function trpcQuery<R extends Router, P extends Procedure<R>>(
  request: APIRequestContext,
  path: `${R}.${P}`,
  input: Inputs[R][P],
): Promise<Outputs[R][P]> {
  const query = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
  return answer(
    await request.get(`/api/trpc/${path}?input=${query}`, {
      headers: await tenantHeaders(request),
    }),
  );
}

export async function trpcMutation<R extends Router, P extends Procedure<R>>(
  request: APIRequestContext,
  path: `${R}.${P}`,
  input: Inputs[R][P],
): Promise<Outputs[R][P]> {
  return answer(
    await request.post(`/api/trpc/${path}`, {
      data: superjson.serialize(input),
      headers: { "content-type": "application/json", ...(await tenantHeaders(request)) },
    }),
  );
}
