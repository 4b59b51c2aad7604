import type { FormEventHandler, ReactNode } from "react";
import { FormDialogFooter } from "@/components/shell/form-dialog-footer";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { DialogBody, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";

type Props = {
  /** The form's accessible name, e.g. "New channel". */
  label: string;
  title: string;
  description: ReactNode;
  onSubmit: FormEventHandler<HTMLFormElement>;
  /** A problem the server gave for the whole form (not one field), under `serverErrorTitle`. */
  serverError?: string;
  serverErrorTitle: string;
  onCancel: () => void;
  pending: boolean;
  /** The submit button is off (e.g. nothing to act on yet). */
  disabled?: boolean;
  submitLabel: string;
  children: ReactNode;
};

/** The inside of a form dialog: title and description, the fields, a form-wide error, the footer. */
export function FormDialogShell({
  label,
  title,
  description,
  onSubmit,
  serverError,
  serverErrorTitle,
  onCancel,
  pending,
  disabled,
  submitLabel,
  children,
}: Props) {
  return (
    <form onSubmit={onSubmit} noValidate className="flex min-h-0 flex-col" aria-label={label}>
      <DialogHeader>
        <DialogTitle>{title}</DialogTitle>
        <DialogDescription>{description}</DialogDescription>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-4">
        {children}
        {serverError && (
          <Alert variant="destructive">
            <AlertTitle>{serverErrorTitle}</AlertTitle>
            <AlertDescription>{serverError}</AlertDescription>
          </Alert>
        )}
      </DialogBody>
      <FormDialogFooter
        onCancel={onCancel}
        pending={pending}
        disabled={disabled}
        submitLabel={submitLabel}
      />
    </form>
  );
}
