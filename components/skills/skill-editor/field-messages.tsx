/** A field's error messages, read out when they appear. */
export function FieldMessages({ id, messages }: { id: string; messages: string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <ul id={id} role="alert" className="text-destructive flex flex-col gap-0.5 text-xs font-medium">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}
