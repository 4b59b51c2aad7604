/**
 * The browser for the e2e suite is the system Chromium (Debian's `chromium` package);
 * Playwright's own browser download cannot run offline.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  // Without these Chromium keeps dialling Google services, which a closed network refuses.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
