import { runsApi } from "@/server/rest";

export const POST = async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  runsApi.approve(request, (await params).id);
