import { z } from "zod";

const mcpServerId = z.object({ mcpServerId: z.uuid() });

/** Tokens are bearer secrets; a longer one is a paste mistake, not a token. */
export const MAX_MCP_TOKEN_CHARS = 4096;

const url = z
  .string()
  .trim()
  .min(1, "is required")
  .max(2000, "is too long (2,000 characters at most)")
  .refine((value) => URL.canParse(value), "is not a URL (e.g. https://mcp.example.com/mcp)");

/** What an MCP server is, but its token: the body of create and update. */
export const mcpServerInput = z.object({
  name: z.string().trim().min(1, "is required").max(80),
  url,
});
export type McpServerInput = z.infer<typeof mcpServerInput>;

const token = z
  .string()
  .trim()
  .min(1, "is required")
  .max(MAX_MCP_TOKEN_CHARS, `is too long (${MAX_MCP_TOKEN_CHARS} characters at most)`);

/** The token is write-only: an edit keeps it, replaces it, or removes it, and never reads it. */
export const mcpTokenChange = z.discriminatedUnion("action", [
  z.object({ action: z.literal("keep") }),
  z.object({ action: z.literal("replace"), value: token }),
  z.object({ action: z.literal("remove") }),
]);
export type McpTokenChange = z.infer<typeof mcpTokenChange>;

export const getMcpServerInput = mcpServerId;
export const createMcpServerInput = mcpServerInput.extend({ authToken: token.optional() });
export type CreateMcpServerInput = z.infer<typeof createMcpServerInput>;
export const updateMcpServerInput = mcpServerId.extend({
  server: mcpServerInput,
  token: mcpTokenChange,
});
export const setMcpServerEnabledInput = mcpServerId.extend({ enabled: z.boolean() });
export const deleteMcpServerInput = mcpServerId;

/**
 * "Test connection": a saved server as it is (`mcpServerId`), or the form's URL and token before
 * saving. With both, the form's URL is tried with the saved token only while it still points at
 * the same origin; a token typed in the form always wins.
 */
export const testMcpConnectionInput = z
  .object({
    mcpServerId: z.uuid().optional(),
    url: url.optional(),
    authToken: token.optional(),
  })
  .refine((input) => input.mcpServerId || input.url, {
    message: "is required",
    path: ["url"],
  });
export type TestMcpConnectionInput = z.infer<typeof testMcpConnectionInput>;
