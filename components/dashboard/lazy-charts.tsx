"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

// The charts arrive after the figures: their library is the page's largest part, and every
// figure is in the panels' tables meanwhile.
const loading = () => <Skeleton className="h-60" />;
export const SeriesChart = dynamic(() => import("./charts").then((m) => m.SeriesChart), {
  ssr: false,
  loading,
});
export const UsageChart = dynamic(() => import("./charts").then((m) => m.UsageChart), {
  ssr: false,
  loading,
});
export const CodesChart = dynamic(() => import("./charts").then((m) => m.CodesChart), {
  ssr: false,
  loading,
});
export const HealthChart = dynamic(() => import("./charts").then((m) => m.HealthChart), {
  ssr: false,
  loading,
});
