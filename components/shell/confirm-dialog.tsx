"use client";

import dynamic from "next/dynamic";
import { useState } from "react";
import type { ConfirmDialogProps } from "./confirm-alert";

// The alert dialog's code loads when a page first asks, not with every page that might.
const ConfirmAlert = dynamic(
  () => import("./confirm-alert").then((module) => module.ConfirmAlert),
  {
    ssr: false,
  },
);

/**
 * A yes/no question before an action that cannot be taken back. Confirming closes the dialog and
 * calls `onConfirm`; the outcome is the caller's to report (a toast, an inline error).
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  // Once asked, it stays mounted so it opens and closes like any dialog.
  const [asked, setAsked] = useState(false);
  if (props.open && !asked) setAsked(true);
  return asked ? <ConfirmAlert {...props} /> : null;
}
