import { runsApi } from "@/server/rest";

export const GET = (request: Request) => runsApi.list(request);
export const POST = (request: Request) => runsApi.start(request);
