/**
 * The client address of a request, for the audit log: the first hop of `X-Forwarded-For`,
 * else `X-Real-IP`, else null (no proxy in front, or a caller outside HTTP). These headers
 * are only as trustworthy as the proxy that sets them; the value is recorded, never used to
 * decide anything. (The sign-in rate limiter resolves the address with better-auth's own rules.)
 */
export function requestOrigin(headers: Headers | null | undefined): string | null {
  if (!headers) return null;
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const address = forwarded || headers.get("x-real-ip")?.trim();
  // An address is short; anything longer is not one and must not bloat the log.
  return address ? address.slice(0, 64) : null;
}
