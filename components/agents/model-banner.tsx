"use client";

import { useQuery } from "@tanstack/react-query";
import { TriangleAlert } from "lucide-react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";

/** Tenant-wide: when no agent can run, say so on every page, with what to set. */
export function ModelBanner() {
  const trpc = useTRPC();
  const agents = useQuery(trpc.agents.list.queryOptions());
  const { can, isPending } = useTenantRole();
  if (isPending || !agents.data || agents.data.some((agent) => agent.configured)) return null;
  const settings = [...new Set(agents.data.flatMap((agent) => agent.missingSettings))];
  const models = [...new Set(agents.data.map((agent) => agent.model))];
  return (
    <Alert variant="warning" className="mb-6" data-testid="model-banner">
      <TriangleAlert aria-hidden />
      <AlertTitle>
        {agents.data.length === 0
          ? "This tenant has no agents"
          : "No agent of this tenant has a configured model"}
      </AlertTitle>
      <AlertDescription>
        {!can("admin") ? (
          `Runs will fail until ${agents.data.length === 0 ? "this tenant has an agent" : "an agent's model is configured on the server"}. Tell an admin of this tenant.`
        ) : agents.data.length === 0 ? (
          "Runs need an agent. Create one, or re-seed the demo data."
        ) : (
          <>
            Runs will fail with <code className="font-mono">model_not_configured</code>. The agents
            use {models.join(", ")}; set{" "}
            {settings.length
              ? settings.map((setting) => (
                  <code key={setting} className="mx-0.5 font-mono">
                    {setting}
                  </code>
                ))
              : "the provider's credentials"}{" "}
            in the server&apos;s environment (or point{" "}
            <code className="font-mono">SKILLRUN_DEFAULT_MODEL</code> at a provider you have
            credentials for) and restart Skillrun.
          </>
        )}
      </AlertDescription>
    </Alert>
  );
}
