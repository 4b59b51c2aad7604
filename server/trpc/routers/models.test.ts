import { describe, expect, it } from "vitest";
import { env } from "@/server/env";
import { createTenantWithSkill, openTestDatabase, signedInMember } from "@/test/fixtures";

const { db, auth } = openTestDatabase();

describe("models router", () => {
  it("offers every member the model choices, marking providers whose settings are missing", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const { caller: viewer } = await signedInMember(db, auth, tenant.id, "viewer");
    const choices = await viewer.models.choices();
    expect(choices.deploymentDefault.model).toBe(env.SKILLRUN_DEFAULT_MODEL);
    const openai = choices.providers.find((provider) => provider.id === "openai");
    expect(openai).toMatchObject({ label: "OpenAI" });
    expect(openai?.models).toContain("openai:gpt-4.1-mini");
    const anthropic = choices.providers.find((provider) => provider.id === "anthropic");
    expect(anthropic?.models).toContain("anthropic:claude-haiku-4-5");
    expect(anthropic?.configured).toBe(!!env.ANTHROPIC_API_KEY);
    expect(anthropic?.missingSettings).toEqual(env.ANTHROPIC_API_KEY ? [] : ["ANTHROPIC_API_KEY"]);
  });
});
