"use client";

import dynamic from "next/dynamic";
import { useState } from "react";
import type { KnowledgeBaseDialogProps } from "./knowledge-base-dialog";

// The form (zod, react-hook-form) loads when an admin first opens it, not with every page.
const LoadedDialog = dynamic(
  () => import("./knowledge-base-dialog").then((module) => module.KnowledgeBaseDialog),
  { ssr: false },
);

/** `KnowledgeBaseDialog`, loaded the first time it opens and mounted from then on. */
export function KnowledgeBaseDialog(props: KnowledgeBaseDialogProps) {
  const [asked, setAsked] = useState(false);
  if (props.open && !asked) setAsked(true);
  return asked ? <LoadedDialog {...props} /> : null;
}
