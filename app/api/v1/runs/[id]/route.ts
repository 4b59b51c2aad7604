import { runsApi } from "@/server/rest";

export const GET = async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  runsApi.get(request, (await params).id);
