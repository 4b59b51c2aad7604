/**
 * Makes sure the system Chromium the e2e suite drives is installed: as root on Debian or
 * Ubuntu it installs Debian's `chromium-headless-shell` with apt (or waits for .ci/run's
 * background install of it); anywhere else it says what to install.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CHROMIUM_PATH } from "../e2e/chromium";

const PACKAGE = "chromium-headless-shell";
/**
 * Held by every install of the package, .ci/run's in the background and this script's, so one
 * waits for another's to end.
 */
const INSTALL_LOCK = "/tmp/skillrun-chromium-install.lock";
const hasFlock = existsSync("/usr/bin/flock");
const underInstallLock = (command: string[]): [string, string[]] =>
  hasFlock ? ["/usr/bin/flock", [INSTALL_LOCK, ...command]] : [command[0]!, command.slice(1)];

// An install still under way: wait for it to end.
if (!existsSync(CHROMIUM_PATH) && hasFlock)
  spawnSync(...underInstallLock(["true"]), { stdio: "inherit" });

if (!existsSync(CHROMIUM_PATH)) {
  const canApt = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (!canApt) {
    console.error(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's ${PACKAGE} (or chromium) package, or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
  console.log(`Installing Debian's ${PACKAGE} for the e2e suite…`);
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", PACKAGE],
  ]) {
    const result = spawnSync(...underInstallLock(["apt-get", ...args]), {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (result.status !== 0) {
      console.error(
        `apt-get ${args.join(" ")} failed (exit ${result.status}); install ${PACKAGE} by hand or set CHROMIUM_PATH.`,
      );
      process.exit(1);
    }
  }
  if (!existsSync(CHROMIUM_PATH)) {
    console.error(
      `${PACKAGE} installed but ${CHROMIUM_PATH} is missing; set CHROMIUM_PATH to its binary.`,
    );
    process.exit(1);
  }
}
