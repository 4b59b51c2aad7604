import { existsSync } from "node:fs";

/**
 * The browser for the e2e suite is a system Chromium (Playwright's own browser download cannot
 * run offline). Debian's `chromium-headless-shell` comes first: it is the build Playwright itself
 * runs headless, and it drives the suite in about half the CPU of the full `chromium`, whose
 * headless mode composites every frame as a desktop browser would.
 */
export const HEADLESS_SHELL_PATH = "/usr/bin/chromium-headless-shell";
const FULL_CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ||
  [HEADLESS_SHELL_PATH, FULL_CHROMIUM_PATH].find((candidate) => existsSync(candidate)) ||
  HEADLESS_SHELL_PATH;

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
