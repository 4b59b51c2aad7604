import { receiveWebhook } from "@/server/rest";

export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  const { id } = await context.params;
  return receiveWebhook(request, id);
}
