/**
 * The error vocabulary (server/services/errors.ts) and its two tables: every kind has a tRPC
 * code and a REST status, the two agree on what each kind means, the tRPC middleware answers a
 * procedure's ServiceError with its kind's code, and every error class a service exports is a
 * ServiceError unless it is a fault no caller should read.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { Inngest } from "inngest";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HTTP_STATUS_OF_KIND, serviceErrorResponse } from "@/server/rest/http";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import { SERVICE_ERROR_KINDS, ServiceError, type ServiceErrorKind } from "@/server/services/errors";
import { IdempotencyKeyReusedError, RunNotFoundError } from "@/server/services/runs/run-errors";
import {
  createCallerFactory,
  createTRPCContext,
  createTRPCRouter,
  publicProcedure,
  TRPC_CODE_OF_KIND,
  trpcCodeOf,
} from "@/server/trpc/init";
import { openTestDatabase } from "@/test/fixtures";

const { db, auth } = openTestDatabase();

const httpStatusOf = (code: TRPC_ERROR_CODE_KEY) =>
  getHTTPStatusCodeFromError(new TRPCError({ code }));

class RefusalOfKind extends ServiceError {
  readonly code = "test_refusal";
  constructor(readonly kind: ServiceErrorKind) {
    super(`A ${kind} refusal.`);
  }
}

describe("the kind tables", () => {
  it("give every kind a tRPC code and a REST status, and name no other kind", () => {
    const kinds = [...SERVICE_ERROR_KINDS].sort();
    expect(Object.keys(TRPC_CODE_OF_KIND).sort()).toEqual(kinds);
    expect(Object.keys(HTTP_STATUS_OF_KIND).sort()).toEqual(kinds);
  });

  it("agree on what each kind means: the same HTTP status, except where the REST API publishes its own", () => {
    // See HTTP_STATUS_OF_KIND: REST has no conditional headers for 412, and keeps 400 for a body off its schema.
    const restDiffers: Partial<Record<ServiceErrorKind, { trpc: number; rest: number }>> = {
      precondition: { trpc: 412, rest: 409 },
      invalid: { trpc: 400, rest: 422 },
    };
    for (const kind of SERVICE_ERROR_KINDS) {
      const trpc = httpStatusOf(TRPC_CODE_OF_KIND[kind]);
      const rest = HTTP_STATUS_OF_KIND[kind];
      expect({ kind, trpc, rest }).toEqual({
        kind,
        ...(restDiffers[kind] ?? { trpc: rest, rest }),
      });
      const expectedClass = kind === "unavailable" ? 5 : 4;
      expect([Math.floor(trpc / 100), Math.floor(rest / 100)]).toEqual([
        expectedClass,
        expectedClass,
      ]);
    }
    expect(HTTP_STATUS_OF_KIND.not_found).toBe(404);
  });

  it("answer a code with an override alike on both transports: a reused idempotency key is 422", async () => {
    const reused = new IdempotencyKeyReusedError("00000000-0000-4000-8000-000000000000");
    expect(trpcCodeOf(reused)).toBe("UNPROCESSABLE_CONTENT");
    expect(httpStatusOf(trpcCodeOf(reused))).toBe(422);
    expect(serviceErrorResponse(reused).status).toBe(422);
  });

  it("answer every missing thing in REST as 404 `not_found` with the service's message", async () => {
    for (const missing of [new RunNotFoundError("r-1"), new AgentNotFoundError("a-1")]) {
      const response = serviceErrorResponse(missing);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { code: "not_found", message: missing.message },
      });
    }
  });
});

describe("the tRPC middleware", () => {
  const router = createTRPCRouter({
    fail: publicProcedure
      .input(z.object({ kind: z.enum(SERVICE_ERROR_KINDS).nullable() }))
      .query(({ input }): never => {
        throw input.kind ? new RefusalOfKind(input.kind) : new Error("A bug.");
      }),
  });
  const caller = async () =>
    createCallerFactory(router)(
      await createTRPCContext({
        headers: new Headers(),
        db,
        auth,
        dispatcher: new Inngest({ id: "error-kinds-test", isDev: true }),
      }),
    );
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.unreachable("the procedure answered"),
      (error: unknown) => error,
    );

  it.each(SERVICE_ERROR_KINDS)(
    "answers a %s ServiceError with its kind's code, message and the error as cause",
    async (kind) => {
      const error = await failure((await caller()).fail({ kind }));
      expect(error).toBeInstanceOf(TRPCError);
      expect(error).toMatchObject({ code: TRPC_CODE_OF_KIND[kind], message: `A ${kind} refusal.` });
      expect((error as TRPCError).cause).toBeInstanceOf(RefusalOfKind);
    },
  );

  it("passes anything else on as an internal error (the formatter hides it behind an error id)", async () => {
    const error = await failure((await caller()).fail({ kind: null }));
    expect(error).toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
    expect((error as TRPCError).cause).not.toBeInstanceOf(ServiceError);
  });
});

describe("service error classes", () => {
  it("are all ServiceErrors, but for faults no caller should read", async () => {
    // A broken skill file on disk and a step result the engine garbled: the operator's to fix, so 500 with an error id.
    const faults = ["SkillDefinitionError", "UnreadableStepResultError"];
    const servicesDir = path.resolve("server/services");
    const modules = (await readdir(servicesDir, { recursive: true })).filter(
      (file) => file.endsWith(".ts") && !file.endsWith(".test.ts"),
    );
    const errorClasses: { name: string; isServiceError: boolean }[] = [];
    for (const file of modules) {
      const exports = (await import(path.join(servicesDir, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exports)) {
        if (
          typeof value === "function" &&
          value !== ServiceError &&
          value.prototype instanceof Error
        )
          errorClasses.push({ name, isServiceError: value.prototype instanceof ServiceError });
      }
    }
    expect(
      errorClasses
        .filter((error) => !error.isServiceError)
        .map((error) => error.name)
        .sort(),
    ).toEqual(faults.sort());
    expect(errorClasses.filter((error) => error.isServiceError).length).toBeGreaterThan(20);
  });
});
