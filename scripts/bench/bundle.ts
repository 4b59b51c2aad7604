/**
 * `npm run bench:bundle`: the JavaScript a browser downloads on a first visit to each console
 * route, gzipped, read from the production build's manifests (`next build` first if missing).
 * The baseline row is Next.js's own runtime, which every route pays.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { printTable, writeResult } from "./lib";

const NEXT_DIR = path.resolve(".next");
const GOAL_KB = 250;
const ROUTES = ["/", "/skills", "/skills/[slug]", "/runs", "/runs/[id]", "/agents", "/agents/[id]"];

if (!existsSync(path.join(NEXT_DIR, "BUILD_ID")) || process.argv.includes("--build")) {
  const build = spawnSync("node_modules/.bin/next", ["build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const buildManifest = JSON.parse(
  readFileSync(path.join(NEXT_DIR, "build-manifest.json"), "utf8"),
) as { rootMainFiles: string[] };
const gzipSizes = new Map<string, number>();
const gzipped = (file: string) => {
  let size = gzipSizes.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(path.join(NEXT_DIR, file)), { level: 9 }).length;
    gzipSizes.set(file, size);
  }
  return size;
};
const kb = (bytes: number) => bytes / 1024;

function entryFilesOf(route: string): string[] {
  const manifestPath = path.join(
    NEXT_DIR,
    "server/app/(console)",
    route,
    "page_client-reference-manifest.js",
  );
  const holder = globalThis as {
    __RSC_MANIFEST?: Record<string, { entryJSFiles: Record<string, string[]> }>;
  };
  holder.__RSC_MANIFEST = {};
  new Function(readFileSync(manifestPath, "utf8"))();
  const manifest = Object.values(holder.__RSC_MANIFEST)[0];
  if (!manifest) throw new Error(`No client reference manifest for ${route}`);
  return [...new Set(Object.values(manifest.entryJSFiles).flat())];
}

const runtime = buildManifest.rootMainFiles.reduce((sum, file) => sum + gzipped(file), 0);
const rows = ROUTES.map((route) => {
  const files = [...new Set([...buildManifest.rootMainFiles, ...entryFilesOf(route)])];
  const total = files.reduce((sum, file) => sum + gzipped(file), 0);
  return {
    route,
    files: files.length,
    firstLoadKb: Number(kb(total).toFixed(1)),
    ratioToRuntime: Number((total / runtime).toFixed(2)),
    goal: kb(total) <= GOAL_KB ? `✓ ≤ ${GOAL_KB} KB` : `✗ > ${GOAL_KB} KB`,
  };
});

printTable(
  `First-load JS per route (gzip -9), baseline: Next.js runtime ${kb(runtime).toFixed(1)} KB`,
  rows.map((row) => ({
    ...row,
    firstLoadKb: `${row.firstLoadKb} KB`,
    ratioToRuntime: `${row.ratioToRuntime}×`,
  })),
);
await writeResult("bundle", {
  runtimeKb: Number(kb(runtime).toFixed(1)),
  goalKb: GOAL_KB,
  routes: rows,
});
