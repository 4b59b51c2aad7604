import type { LucideIcon } from "lucide-react";
import type { Route } from "next";
import Link from "next/link";
import type { ReactNode } from "react";

const PANEL = "border-border rounded-lg border border-dashed px-6 py-16 text-center";

/** A list with nothing in it yet: its icon, what is missing, and (optionally) what to do. */
export function EmptyState({
  icon: Icon,
  title,
  children,
}: {
  icon: LucideIcon;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className={`${PANEL} flex flex-col items-center`}>
      <Icon className="text-muted-foreground mb-3 size-8" aria-hidden />
      <p className="font-medium">{title}</p>
      {children && <p className="text-muted-foreground mt-1 max-w-md text-sm">{children}</p>}
    </div>
  );
}

/** A detail page whose row does not exist (or is another tenant's): say so, and the way back. */
export function NotFoundNotice({
  what,
  backHref,
  backLabel,
}: {
  what: string;
  backHref: Route;
  backLabel: string;
}) {
  return (
    <p className={PANEL}>
      {what} not found.{" "}
      <Link href={backHref} className="text-link">
        {backLabel}
      </Link>
    </p>
  );
}
