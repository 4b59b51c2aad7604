import type { Metadata } from "next";
import { RunCompare } from "@/components/runs/compare/run-compare";

export const metadata: Metadata = { title: "Compare runs" };

/** `?a=<run>&b=<run>`: the URL is the comparison, so it can be shared and reloaded. */
export default function CompareRunsPage() {
  return <RunCompare />;
}
