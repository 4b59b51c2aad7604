import { test as setup, ADMIN_STATE, signInAsDemoAdmin } from "./support";

// One sign-in for every spec that needs a session; the auth rate limit counts real attempts.
setup("sign in as the demo admin", async ({ page }) => {
  await signInAsDemoAdmin(page);
  await page.context().storageState({ path: ADMIN_STATE });
});
