"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

/** Loaded on demand: the parser and highlighter stay out of every page's first load. */
export const Markdown = dynamic(() => import("./markdown"), {
  ssr: false,
  loading: () => <Skeleton className="h-40" aria-label="Rendering" />,
});
