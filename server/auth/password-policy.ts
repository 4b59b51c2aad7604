import type { PasswordPolicy } from "@/server/services/access/members";
import type { Auth } from "./config";

/** The auth library's own password rules and hasher, so accounts Skillrun creates sign in like any other. */
export async function passwordPolicyOf(auth: Auth): Promise<PasswordPolicy> {
  const { password } = await auth.$context;
  return {
    hash: password.hash,
    minLength: password.config.minPasswordLength,
    maxLength: password.config.maxPasswordLength,
  };
}
