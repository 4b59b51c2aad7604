/**
 * Where to go after signing in: a path on this site, or /skills. Anything that would leave the
 * origin is refused — absolute URLs, protocol-relative `//host`, and `/\host` (browsers read a
 * backslash as a slash) — by resolving it against a placeholder origin and checking it stayed.
 */
export function safeNextPath(next: string | null | undefined, fallback = "/skills"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || /[\\\u0000-\u001f]/.test(next))
    return fallback;
  try {
    const base = "http://next.invalid";
    const url = new URL(next, base);
    if (url.origin !== base) return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
