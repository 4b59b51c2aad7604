/**
 * What the dashboard and its server share, kept free of zod: its windows (the run history's
 * "Created: last …" windows, so a panel's link shows the same runs) and how each is bucketed.
 */
import { CREATED_WITHIN_SECONDS } from "./run-list";

export const DASHBOARD_WINDOWS = ["24h", "7d", "30d"] as const;
export type DashboardWindow = (typeof DASHBOARD_WINDOWS)[number];

export const DASHBOARD_WINDOW_SECONDS: Record<DashboardWindow, number> = {
  "24h": CREATED_WITHIN_SECONDS["24h"],
  "7d": CREATED_WITHIN_SECONDS["7d"],
  "30d": CREATED_WITHIN_SECONDS["30d"],
};

export type DashboardBucket = "hour" | "day";
/** Runs per hour over a day, per day over a week or a month (UTC hours and days). */
export const DASHBOARD_BUCKET: Record<DashboardWindow, DashboardBucket> = {
  "24h": "hour",
  "7d": "day",
  "30d": "day",
};
export const BUCKET_MS: Record<DashboardBucket, number> = {
  hour: 3_600_000,
  day: 86_400_000,
};
