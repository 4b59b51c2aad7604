import { setupOwner } from "@/server/rest";

export const POST = (request: Request) => setupOwner(request);
