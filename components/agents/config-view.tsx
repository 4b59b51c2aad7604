import type { ReactNode } from "react";

/** A definition list for a resolved runtime config or a run's snapshot of one; stacked on a phone. */
export function ConfigList({ items }: { items: [label: string, value: ReactNode][] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-4 text-sm sm:grid-cols-[10rem_minmax(0,1fr)] sm:gap-y-2">
      {items.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted-foreground">{label}</dt>
          <dd className="mb-2 min-w-0 break-words sm:mb-0">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export const listOrNone = (values: string[]) => (values.length ? values.join(", ") : "none");
