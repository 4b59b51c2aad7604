import { listInputOf, loadRunFilters } from "@/components/runs/run-filters";
import { exportRunsForSession } from "@/server/rest";

/** The history page's download: its own URL filters, parsed as the page parses them. */
export const GET = (request: Request) =>
  exportRunsForSession(request, listInputOf(loadRunFilters(new URL(request.url).searchParams)));
