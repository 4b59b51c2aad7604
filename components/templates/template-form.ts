import type { UseFormReturn } from "react-hook-form";
import { z } from "zod";
import { BUILT_IN_TOOLS, type BuiltInTool } from "@/lib/enums";
import {
  approvalToolPattern,
  DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  templateInput,
  type TemplateInput,
} from "@/lib/schemas/templates";

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** MCP tool names typed in a box, separated by commas, spaces or lines. */
export const toolNamesOf = (text: string) =>
  [...new Set(text.split(/[\s,]+/).filter(Boolean))].filter(
    (name) => !(BUILT_IN_TOOLS as readonly string[]).includes(name),
  );

const isBuiltIn = (tool: string): tool is BuiltInTool =>
  (BUILT_IN_TOOLS as readonly string[]).includes(tool);

/**
 * The editor's form: the template's fields as the server checks them, the blocked tools split in
 * the built-in checkboxes and a box of other (MCP) tool names, and the deployment's timeout bound.
 */
/** Tool names or `server:tool` patterns typed in a box, separated by commas, spaces or lines. */
export const approvalPatternsOf = (text: string) => [
  ...new Set(text.split(/[\s,]+/).filter(Boolean)),
];

export const templateFormSchema = (maxTimeoutSeconds: number) =>
  templateInput
    .omit({ blockedTools: true, approvalTools: true })
    .extend({
      builtInBlocked: z.array(z.enum(BUILT_IN_TOOLS)),
      otherBlocked: z.string(),
      approvalToolsText: z.string(),
    })
    .superRefine((values, context) => {
      const badPatterns = approvalPatternsOf(values.approvalToolsText).filter(
        (pattern) => !approvalToolPattern.safeParse(pattern).success,
      );
      if (badPatterns.length)
        context.addIssue({
          code: "custom",
          path: ["approvalToolsText"],
          message: `${badPatterns.join(", ")}: use a tool name or server:tool (* matches any characters in the tool part)`,
        });
      const badNames = toolNamesOf(values.otherBlocked).filter((name) => !TOOL_NAME.test(name));
      if (badNames.length)
        context.addIssue({
          code: "custom",
          path: ["otherBlocked"],
          message: `${badNames.join(", ")} ${badNames.length === 1 ? "is not a tool name" : "are not tool names"}: use letters, digits, _ . -`,
        });
      if (values.timeoutSeconds > maxTimeoutSeconds)
        context.addIssue({
          code: "custom",
          path: ["timeoutSeconds"],
          message: `must be at most ${maxTimeoutSeconds} on this deployment`,
        });
    });
export type TemplateFormFields = z.input<ReturnType<typeof templateFormSchema>>;
export type TemplateFormValues = z.output<ReturnType<typeof templateFormSchema>>;
export type TemplateForm = UseFormReturn<TemplateFormFields, unknown, TemplateFormValues>;

export function formFieldsOf(template: TemplateInput): TemplateFormFields {
  const { blockedTools, approvalTools, ...rest } = template;
  return {
    ...rest,
    approvalToolsText: approvalTools.join(", "),
    builtInBlocked: blockedTools.filter(isBuiltIn),
    otherBlocked: blockedTools.filter((tool) => !isBuiltIn(tool)).join(", "),
  };
}

export function templateOf({
  builtInBlocked,
  otherBlocked,
  approvalToolsText,
  ...rest
}: TemplateFormValues): TemplateInput {
  return {
    ...rest,
    blockedTools: [...builtInBlocked, ...toolNamesOf(otherBlocked)],
    approvalTools: approvalPatternsOf(approvalToolsText),
  };
}

export const NEW_TEMPLATE: TemplateInput = {
  name: "",
  description: "",
  systemPrompt: "",
  defaultModel: null,
  blockedTools: [],
  guardrailId: null,
  maxSteps: 8,
  timeoutSeconds: 300,
  approvalTools: [],
  approveDeliverable: false,
  approvalTimeoutSeconds: DEFAULT_APPROVAL_TIMEOUT_SECONDS,
};

/** The form field that shows a server error of each key; `blockedTools` goes to the other-tools box. */
export function templateFieldOf(key: string): keyof TemplateFormFields | null {
  if (key === "blockedTools") return "otherBlocked";
  if (key === "approvalTools") return "approvalToolsText";
  const fields: (keyof TemplateFormFields)[] = [
    "name",
    "description",
    "systemPrompt",
    "defaultModel",
    "guardrailId",
    "maxSteps",
    "timeoutSeconds",
    "approveDeliverable",
    "approvalTimeoutSeconds",
  ];
  return fields.find((field) => field === key) ?? null;
}
