import { runsApi } from "@/server/rest";

export const GET = (request: Request) => runsApi.export(request);
