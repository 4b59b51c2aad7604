import type { ReactNode } from "react";

/** A definition list for a resolved runtime config or a run's snapshot of one. */
export function ConfigList({ items }: { items: [label: string, value: ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[10rem_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm">
      {items.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted-foreground">{label}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export const listOrNone = (values: string[]) => (values.length ? values.join(", ") : "none");
