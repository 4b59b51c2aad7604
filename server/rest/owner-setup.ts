import "server-only";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { requestOrigin } from "@/server/request-origin";
import type { PasswordPolicy } from "@/server/services/access/members";
import {
  anyUserExists,
  createFirstOwner,
  OwnerAlreadyExistsError,
} from "@/server/services/access/owner-setup";
import { errorResponse, json, readJsonBody, serviceErrorResponse } from "./http";

/** Loose bounds only, against junk; the service says what is wrong with each field. */
const field = z.string().max(1_000);
const setupRequestSchema = z.strictObject({
  token: field,
  name: field,
  email: field,
  password: field,
  tenantName: field,
});

export type OwnerSetupResponse = { email: string; tenantSlug: string };

/**
 * `POST /api/setup`: the first-run "create the owner" form. 201 with the owner's email (the
 * page then signs in through the normal sign-in endpoint), 400 with field errors, 403 for a
 * token that does not work, 404 once a user exists — checked before the body is even read.
 * It opens no session itself.
 */
export function createOwnerSetupEndpoint(deps: {
  db: () => Database;
  passwords: () => Promise<PasswordPolicy>;
}) {
  return async function setupOwner(request: Request): Promise<Response> {
    try {
      const db = deps.db();
      if (await anyUserExists(db)) return serviceErrorResponse(new OwnerAlreadyExistsError());
      const body = await readJsonBody(request, setupRequestSchema);
      if (!body.ok) return body.response;
      const { token, ...owner } = body.value;
      const created = await createFirstOwner(
        db,
        owner,
        await deps.passwords(),
        { kind: "setup_token", token },
        requestOrigin(request.headers),
      );
      return json(
        { email: created.email, tenantSlug: created.tenantSlug } satisfies OwnerSetupResponse,
        201,
      );
    } catch (error) {
      return errorResponse(error, "POST /api/setup");
    }
  };
}
