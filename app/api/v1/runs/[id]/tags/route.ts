import { runsApi } from "@/server/rest";

export const PUT = async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  runsApi.setTags(request, (await params).id);
