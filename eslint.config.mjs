import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

// The architecture's one-way arrows, checked on every `npm run lint`.
// test/lint-boundaries.test.ts lints one deliberately bad file per rule, so a rule that stops
// biting fails the suite.

const TESTS = ["**/*.test.ts", "**/*.test.tsx", "test/**", "e2e/**", "inngest/engine/test/**"];

// Resolved paths, so `@/server/db` and `../../server/db` are the same import. Type imports count:
// these rooms must not know the other room's types either.
const ZONES = [
  {
    target: "./server/trpc",
    from: ["./server/db/schema", "./node_modules/drizzle-orm"],
    message:
      "Routers call services; the tables and the query builder stay below them (enums live in @/lib/enums).",
  },
  {
    target: "./server/agent",
    from: ["./server/services", "./server/db"],
    message:
      "The agent runtime sits below services: it owns its types and gets what it needs injected.",
  },
  {
    target: "./server/services",
    from: ["./server/trpc", "./inngest/functions"],
    message: "Services know no transport: tRPC and Inngest functions call them, not the reverse.",
  },
  {
    target: "./lib",
    from: ["./server", "./components", "./inngest", "./app"],
    message: "lib/ is the isomorphic floor everything may import; it imports none of the rooms.",
  },
];
const ENGINE_ZONE = {
  target: "./inngest/engine",
  from: ".",
  except: ["./inngest/engine", "./node_modules"],
  message: "The engine is a standalone Inngest server: it imports nothing of the app.",
};

// ── SIZE EXCEPTIONS — shrinking: remove an entry when the file is split; new files get none. ──
// Over 300 lines (blank lines and comments not counted).
const OVERSIZED_FILES = [
  "components/webhooks/webhook-form-dialog.tsx",
  "inngest/engine/engine.ts",
  "inngest/engine/index.ts",
  "scripts/bench/history.ts",
  "scripts/bench/queue.ts",
  "scripts/bench/schedules.ts",
  "scripts/bench/webhooks.ts",
  "scripts/seed-bulk.ts",
  "server/services/access/invitations.ts",
  "server/services/runs/runs.ts",
  "server/services/schedules/schedules.ts",
  "server/services/webhooks/webhook-deliveries.ts",
];
// Holding a function (or component) over 80 lines.
const OVERSIZED_FUNCTIONS = [
  "app/invite/\\[token\\]/page.tsx",
  "components/auth/invitation.tsx",
  "components/auth/owner-setup-form.tsx",
  "components/runs/run-now-dialog.tsx",
  "components/runs/run-timeline.tsx",
  "components/schedules/cadence-card.tsx",
  "components/schedules/schedule-detail.tsx",
  "components/schedules/schedule-editor.tsx",
  "components/schedules/schedule-inputs-card.tsx",
  "components/schedules/schedule-list.tsx",
  "components/settings/api-keys.tsx",
  "components/settings/api-reference.tsx",
  "components/settings/audit-log.tsx",
  "components/settings/members/invite-form.tsx",
  "components/settings/members/members-table.tsx",
  "components/skills/skill-detail.tsx",
  "components/skills/skill-inputs-form.tsx",
  "components/webhooks/webhook-form-dialog.tsx",
  "components/webhooks/webhook-list.tsx",
  "inngest/engine/index.ts",
  "scripts/bench/webhooks.ts",
  "scripts/lib/embedded-postgres.ts",
  "scripts/seed-bulk.ts",
  "server/agent/turn.ts",
  "server/auth/config.ts",
  "server/db/seed.ts",
  "server/rest/openapi.ts",
  "server/rest/runs-api.ts",
  "server/rest/webhook-receiver.ts",
  "server/services/runs/run-turn.ts",
  "server/services/schedules/schedule-firing.ts",
  "server/services/webhooks/webhook-deliveries.ts",
];

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },

  // ── Import zones ────────────────────────────────────────────────────────────────────────────
  {
    files: ["**/*.{ts,tsx,mjs}"],
    ignores: TESTS,
    rules: { "import/no-restricted-paths": ["error", { zones: [...ZONES, ENGINE_ZONE] }] },
  },
  {
    // The engine's own tests ship with it, so they keep its zone.
    files: ["inngest/engine/test/**"],
    rules: { "import/no-restricted-paths": ["error", { zones: [ENGINE_ZONE] }] },
  },
  {
    // Client components may know the server's types (the tRPC contract), never its code.
    files: ["components/**"],
    ignores: TESTS,
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(@/|(\\.\\./)+)server(/|$)",
              allowTypeImports: true,
              message:
                "Components take only types from server/ (`import type`); values would ship server code to the browser.",
            },
          ],
        },
      ],
    },
  },

  {
    // Specs take `test` from e2e/support.ts, whose guard fails a test on any console error.
    files: ["e2e/**"],
    ignores: ["e2e/support.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@playwright/test",
              importNames: ["test"],
              message:
                "Import `test` from ./support: it fails a test whose browser console logs errors.",
            },
          ],
        },
      ],
    },
  },

  // ── Configuration comes from the validated env ──────────────────────────────────────────────
  {
    files: ["**/*.{ts,tsx,mjs}"],
    ignores: [
      ...TESTS,
      // The two env modules: the server's, validated once, and what the browser bundle may know.
      "server/env.ts",
      "lib/build-mode.ts",
      // Process entry points read their own flags' defaults: the launcher, db, bench and admin
      // scripts, and the standalone engine CLI, whose INNGEST_* variables mirror `inngest start`.
      "scripts/**",
      "inngest/engine/cli.ts",
      // Tool configs read the variables the test harnesses are driven by.
      "playwright*.config.ts",
      "vitest.config.ts",
      "drizzle.config.ts",
    ],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message:
            "Read configuration from `env` (@/server/env), which validates it; the browser's build mode is in @/lib/build-mode.",
        },
      ],
    },
  },

  // ── Size budgets ────────────────────────────────────────────────────────────────────────────
  {
    files: ["**/*.{ts,tsx,mjs}"],
    ignores: TESTS,
    rules: {
      "max-lines": ["error", { max: 300, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  { files: OVERSIZED_FILES, rules: { "max-lines": "off" } },
  { files: OVERSIZED_FUNCTIONS, rules: { "max-lines-per-function": "off" } },

  globalIgnores([
    ".next/**",
    ".data/**",
    "drizzle/**",
    "node_modules/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
  ]),
]);
