import { History } from "lucide-react";
import Link from "next/link";
import { Button } from "@/components/ui/button";

/**
 * No runs to show: none yet, or none that match the filters (with a way out). Only a member who
 * can start runs is told to start one.
 */
export function RunsEmptyState({
  filtered,
  canStart,
  onClearFilters,
}: {
  filtered: boolean;
  canStart: boolean;
  onClearFilters: () => void;
}) {
  return (
    <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-16 text-center">
      <History className="text-muted-foreground mb-3 size-8" aria-hidden />
      <p className="font-medium">{filtered ? "No runs match these filters" : "No runs yet"}</p>
      <p className="text-muted-foreground mt-1 text-sm">
        {filtered ? (
          <Button variant="link" className="h-auto p-0" onClick={onClearFilters}>
            Clear the filters
          </Button>
        ) : canStart ? (
          <>
            Start one from{" "}
            <Link href="/skills" className="text-primary hover:underline">
              Skills
            </Link>{" "}
            with Run now.
          </>
        ) : (
          "Runs appear here when an operator starts one, or a schedule, webhook or API call does."
        )}
      </p>
    </div>
  );
}
