/**
 * A request's body read up to a cap: refused from Content-Length before reading, and counted
 * while reading, so a lying or missing Content-Length cannot make the server buffer more.
 * Shared by the REST routes (server/rest/http.ts) and tRPC (server/trpc/http-handler.ts).
 */
export async function readBodyWithin(
  request: Request,
  maxBytes: number,
): Promise<{ ok: true; bytes: Buffer } | { ok: false }> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) return { ok: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { ok: false };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}
