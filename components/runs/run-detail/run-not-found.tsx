import { SearchX } from "lucide-react";
import Link from "next/link";

/** The id names no run of this tenant (or is not an id at all). */
export function RunNotFound() {
  return (
    <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-16 text-center">
      <SearchX className="text-muted-foreground mb-3 size-8" aria-hidden />
      <p className="font-medium">Run not found</p>
      <p className="text-muted-foreground mt-1 text-sm">
        It does not exist in this tenant.{" "}
        <Link href="/runs" className="text-link">
          Back to runs
        </Link>
      </p>
    </div>
  );
}
