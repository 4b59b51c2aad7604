/** A field's error under it, read out when it appears. */
export function FieldError({ message, id }: { message?: string; id?: string }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="text-destructive text-xs font-medium">
      {message}
    </p>
  );
}
