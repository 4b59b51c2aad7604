import { LoaderCircle } from "lucide-react";
import { plural } from "@/components/plural";
import { Button } from "@/components/ui/button";

/** How many runs are shown, whether they are refreshing, and Load more while pages remain. */
export function RunsFooter({
  shown,
  pages,
}: {
  shown: number;
  pages: {
    isFetching: boolean;
    isFetchingNextPage: boolean;
    hasNextPage: boolean;
    fetchNextPage: () => Promise<unknown>;
  };
}) {
  return (
    <div className="text-muted-foreground mt-4 flex items-center justify-between text-sm">
      <span>
        {plural(shown, "run")} shown
        {pages.isFetching && !pages.isFetchingNextPage ? " · refreshing…" : ""}
      </span>
      {pages.hasNextPage && (
        <Button
          variant="outline"
          size="sm"
          onClick={() => void pages.fetchNextPage()}
          disabled={pages.isFetchingNextPage}
        >
          {pages.isFetchingNextPage && <LoaderCircle aria-hidden className="animate-spin" />}
          Load more
        </Button>
      )}
    </div>
  );
}
