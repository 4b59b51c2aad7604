"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { fieldErrorsFrom, setServerFieldErrors } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { FormDialogFooter } from "@/components/shell/form-dialog-footer";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import {
  MAX_MCP_TOKEN_CHARS,
  mcpServerInput,
  type McpTokenChange,
} from "@/lib/schemas/mcp-servers";
import type { ConnectionTest } from "./connection-result";
import { Field, fieldErrorText, TestConnection, TokenFields } from "./mcp-server-fields";

export const formSchema = mcpServerInput.extend({
  authToken: z
    .string()
    .max(MAX_MCP_TOKEN_CHARS, `is too long (${MAX_MCP_TOKEN_CHARS} characters at most)`),
  removeToken: z.boolean(),
});
export type FormFields = z.input<typeof formSchema>;
export type FormValues = z.output<typeof formSchema>;

export type EditedMcpServer = { id: string; name: string; url: string; hasToken: boolean };

/** Add or edit an MCP server. The token is write-only: an edit leaves it empty to keep it. */
export function McpServerDialog({
  open,
  onOpenChange,
  server,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  server?: EditedMcpServer;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-xl">
        {/* Remounted per opening, so a cancelled edit leaves nothing behind. */}
        {open && <McpServerForm server={server} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

const FIELDS = ["name", "url", "authToken"] as const;

function tokenChange(values: FormValues): McpTokenChange {
  if (values.removeToken) return { action: "remove" };
  const value = values.authToken.trim();
  return value ? { action: "replace", value } : { action: "keep" };
}

/** The form's state and its two server calls: save, and test the connection. */
function useMcpServerForm(server: EditedMcpServer | undefined, onDone: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm<FormFields, unknown, FormValues>({
    resolver: zodResolver(formSchema),
    defaultValues: {
      name: server?.name ?? "",
      url: server?.url ?? "",
      authToken: "",
      removeToken: false,
    },
    reValidateMode: "onChange",
  });
  const create = useMutation(trpc.mcpServers.create.mutationOptions());
  const update = useMutation(trpc.mcpServers.update.mutationOptions());
  const test = useMutation(trpc.mcpServers.testConnection.mutationOptions());
  const [tested, setTested] = useState<ConnectionTest | null>(null);
  const pending = create.isPending || update.isPending;

  const showErrors = (error: unknown, fallback: string) => {
    const fieldErrors = fieldErrorsFrom(error);
    if (!fieldErrors) {
      toast.error(error instanceof Error ? error.message : fallback);
      return;
    }
    const unplaced = setServerFieldErrors(
      form.setError,
      fieldErrors,
      (key) => FIELDS.find((field) => field === key) ?? null,
    );
    const rest = Object.entries(unplaced).map(([key, messages]) =>
      fieldErrorText(key, messages.join("; ")),
    );
    if (rest.length) form.setError("root.server", { type: "server", message: rest.join("; ") });
  };

  const save = form.handleSubmit(async (values) => {
    if (pending) return;
    try {
      if (server) {
        await update.mutateAsync({
          mcpServerId: server.id,
          server: { name: values.name, url: values.url },
          token: tokenChange(values),
        });
        toast.success("MCP server saved");
      } else {
        const token = values.authToken.trim();
        await create.mutateAsync({
          name: values.name,
          url: values.url,
          authToken: token || undefined,
        });
        toast.success(`MCP server “${values.name.trim()}” added`);
      }
      await queryClient.invalidateQueries({ queryKey: trpc.mcpServers.pathKey() });
      onDone();
    } catch (error) {
      showErrors(error, "The MCP server could not be saved.");
    }
  });

  const testConnection = async () => {
    setTested(null);
    if (!(await form.trigger(["url", "authToken"]))) return;
    const values = form.getValues();
    const token = values.removeToken ? undefined : values.authToken.trim() || undefined;
    try {
      setTested(
        await test.mutateAsync({
          mcpServerId: server?.id,
          url: values.url.trim(),
          authToken: token,
        }),
      );
    } catch (error) {
      showErrors(error, "The connection could not be tested.");
    }
  };

  return { form, save, pending, testConnection, testing: test.isPending, tested };
}

function McpServerForm({ server, onDone }: { server?: EditedMcpServer; onDone: () => void }) {
  const id = useId();
  const { form, save, pending, testConnection, testing, tested } = useMcpServerForm(server, onDone);
  const { errors } = form.formState;
  const [url, removeToken] = useWatch({ control: form.control, name: ["url", "removeToken"] });
  const described = (field: string, error: unknown, hint = false) =>
    [hint && `${id}-${field}-hint`, error && `${id}-${field}-error`].filter(Boolean).join(" ") ||
    undefined;

  return (
    <form
      onSubmit={(event) => void save(event)}
      aria-label={server ? "Edit MCP server" : "New MCP server"}
      noValidate
    >
      <DialogHeader>
        <DialogTitle>{server ? `Edit “${server.name}”` : "Add an MCP server"}</DialogTitle>
        <DialogDescription>
          Agents that use it get its tools. Skillrun connects over Streamable HTTP, to https
          addresses on the public internet.
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-4">
        {errors.root?.server && (
          <Alert variant="destructive">
            <AlertTitle>The MCP server was not saved</AlertTitle>
            <AlertDescription>{errors.root.server.message}</AlertDescription>
          </Alert>
        )}
        <Field id={`${id}-name`} label="Name" error={errors.name?.message}>
          <Input
            id={`${id}-name`}
            {...form.register("name")}
            maxLength={80}
            autoComplete="off"
            aria-invalid={Boolean(errors.name)}
            aria-describedby={described("name", errors.name)}
          />
        </Field>
        <Field id={`${id}-url`} label="URL" error={errors.url?.message}>
          <Input
            id={`${id}-url`}
            type="url"
            inputMode="url"
            placeholder="https://mcp.example.com/mcp"
            {...form.register("url")}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={Boolean(errors.url)}
            aria-describedby={described("url", errors.url)}
          />
        </Field>
        <TokenFields
          id={`${id}-token`}
          form={form}
          hasToken={Boolean(server?.hasToken)}
          removeToken={removeToken}
          describedBy={described("token", errors.authToken, true)}
        />
        <TestConnection
          onTest={() => void testConnection()}
          testing={testing}
          disabled={!url.trim()}
          result={tested}
        />
      </DialogBody>
      <FormDialogFooter
        onCancel={onDone}
        pending={pending}
        submitLabel={server ? "Save MCP server" : "Add MCP server"}
      />
    </form>
  );
}
