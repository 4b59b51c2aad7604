import { fieldErrorText } from "@/lib/skill-inputs";

/**
 * A field's error under it, read out when it appears. With `label`, a bare predicate reads as a
 * sentence ("Name is required"); a message that is a sentence already stands as it is.
 */
export function FieldError({
  message,
  id,
  label,
}: {
  message?: string;
  id?: string;
  label?: string;
}) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="text-destructive text-xs font-medium">
      {label ? fieldErrorText(label, message) : message}
    </p>
  );
}
