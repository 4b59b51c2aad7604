"use client";

import { BarChart3, Table2 } from "lucide-react";
import { useId, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

/**
 * A dashboard panel that draws its figures as a chart or lists them as a table; the toggle is
 * a pair of pressed/unpressed buttons, so the table (the figures themselves) is one key away.
 * The chart is one image to assistive technology, named by the panel: its table says the rest.
 */
export function ChartPanel({
  title,
  description,
  chart,
  table,
  actions,
}: {
  title: string;
  description?: ReactNode;
  chart: ReactNode;
  table: ReactNode;
  actions?: ReactNode;
}) {
  const [view, setView] = useState<"chart" | "table">("chart");
  const titleId = useId();
  return (
    <Card aria-labelledby={titleId} role="region">
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <CardTitle id={titleId}>{title}</CardTitle>
          {description && <CardDescription>{description}</CardDescription>}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {actions}
          <div className="flex" role="group" aria-label={`${title}: show as`}>
            <Button
              variant={view === "chart" ? "default" : "outline"}
              size="sm"
              className="rounded-r-none"
              aria-pressed={view === "chart"}
              onClick={() => setView("chart")}
            >
              <BarChart3 aria-hidden />
              Chart
            </Button>
            <Button
              variant={view === "table" ? "default" : "outline"}
              size="sm"
              className="rounded-l-none"
              aria-pressed={view === "table"}
              onClick={() => setView("table")}
            >
              <Table2 aria-hidden />
              Table
            </Button>
          </div>
        </div>
      </CardHeader>
      <CardContent>
        {view === "chart" ? (
          <div role="img" aria-label={`${title}, as a chart; choose Table for the figures`}>
            {chart}
          </div>
        ) : (
          table
        )}
      </CardContent>
    </Card>
  );
}
