import { useQueryStates } from "nuqs";
import { runFilterParsers } from "@/lib/run-filters";

// The parsers live in lib/ so the server validates a saved view's query with the list's own parsing.
export {
  listInputOf,
  loadRunFilters,
  runFilterParsers,
  runsHref,
  type RunFilters,
} from "@/lib/run-filters";

export const useRunFilters = () => useQueryStates(runFilterParsers, { history: "replace" });
