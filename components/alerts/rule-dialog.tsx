"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { FormDialogShell } from "@/components/shell/form-dialog-shell";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { alertRuleInput, type AlertRuleInput } from "@/lib/schemas/alerts";
import { issuesByPath, placeFieldErrors } from "./form-field";
import { RuleFields, type RuleFormFields as Fields } from "./rule-fields";
import type { RuleRow } from "./rules-section";

const fieldsOf = (rule?: RuleRow): Fields => ({
  name: rule?.name ?? "",
  trigger: rule?.trigger ?? "run_failed",
  skillId: rule?.filters.skillId ?? "",
  failureCodes: rule?.filters.failureCodes ?? [],
  thresholdPercent: String(rule?.filters.thresholdPercent ?? 20),
  windowMinutes: String(rule?.filters.windowMinutes ?? 60),
  minRuns: String(rule?.filters.minRuns ?? 5),
  waitMinutes: String(rule?.filters.waitMinutes ?? 60),
  cooldownMinutes: String(rule?.cooldownMinutes ?? 60),
  enabled: rule?.enabled ?? true,
  channelIds: rule?.channelIds ?? [],
});

function ruleOf(fields: Fields): AlertRuleInput {
  const rate = fields.trigger === "failure_rate";
  return {
    name: fields.name,
    trigger: fields.trigger,
    filters: {
      skillId: fields.skillId || undefined,
      failureCodes:
        fields.trigger === "run_failed" && fields.failureCodes.length
          ? fields.failureCodes
          : undefined,
      thresholdPercent: rate ? Number(fields.thresholdPercent) : undefined,
      windowMinutes: rate ? Number(fields.windowMinutes) : undefined,
      minRuns: rate ? Number(fields.minRuns) : undefined,
      waitMinutes: fields.trigger === "approval_waiting" ? Number(fields.waitMinutes) : undefined,
    },
    cooldownMinutes: Number(fields.cooldownMinutes),
    enabled: fields.enabled,
    channelIds: fields.channelIds,
  };
}

const KNOWN: (keyof Fields)[] = [
  "name",
  "skillId",
  "thresholdPercent",
  "windowMinutes",
  "minRuns",
  "waitMinutes",
  "cooldownMinutes",
  "channelIds",
];
const fieldOfPath = (path: string) =>
  KNOWN.find((field) => field === path.split(".").at(-1)) ?? null;

function RuleForm({ rule, onDone }: { rule?: RuleRow; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm<Fields>({ defaultValues: fieldsOf(rule) });
  const create = useMutation(trpc.alerts.createRule.mutationOptions());
  const update = useMutation(trpc.alerts.updateRule.mutationOptions());

  const placeErrors = (errors: Record<string, string[] | undefined>) =>
    placeFieldErrors(form, errors, fieldOfPath);

  const save = form.handleSubmit(async (fields) => {
    const parsed = alertRuleInput.safeParse(ruleOf(fields));
    if (!parsed.success) return placeErrors(issuesByPath(parsed.error));
    try {
      if (rule) await update.mutateAsync({ ruleId: rule.id, rule: parsed.data });
      else await create.mutateAsync({ rule: parsed.data });
      toast.success(rule ? "Rule saved" : `Rule “${parsed.data.name}” added`);
      await queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
      onDone();
    } catch (error) {
      const fieldErrors = fieldErrorsFrom(error);
      if (fieldErrors) placeErrors(fieldErrors);
      else toast.error(error instanceof Error ? error.message : "The rule could not be saved.");
    }
  });

  return (
    <FormDialogShell
      label={rule ? "Edit alert rule" : "New alert rule"}
      title={rule ? `Edit ${rule.name}` : "Add an alert rule"}
      description="When it fires, each of its channels gets one message; further matches inside the cooldown send nothing more."
      onSubmit={save}
      serverError={form.formState.errors.root?.server?.message}
      serverErrorTitle="The rule cannot be saved"
      onCancel={onDone}
      pending={create.isPending || update.isPending}
      submitLabel={rule ? "Save" : "Add rule"}
    >
      <RuleFields form={form} />
    </FormDialogShell>
  );
}

export function RuleDialog({
  open,
  onOpenChange,
  rule,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  rule?: RuleRow;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-xl">
        {open && <RuleForm rule={rule} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}
