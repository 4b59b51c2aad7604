import "server-only";

/**
 * Whether a cookie-authenticated request came from another site. Browsers send
 * `Sec-Fetch-Site` and `Origin` with every cross-origin POST; a request with neither is not
 * from a browser page, so it carries no ambient cookie risk.
 */
export function isCrossSiteRequest(headers: Headers): boolean {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = headers.get("origin");
  if (!origin) return false;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
