import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The rules of eslint.config.mjs that keep the architecture's arrows one-way, each shown a file
 * that breaks it. Every bad file breaks exactly one rule, so a rule that stops biting (a typo in
 * a glob, a zone that no longer resolves) fails here instead of passing silently in
 * `npm run lint`. The files are linted as text under made-up paths; none is written.
 */

const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, "..") });

async function ruleIdsFor(filePath: string, code: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result?.messages.map((message) => message.ruleId) ?? ["(no lint result)"];
}

const ZONES = "import/no-restricted-paths";
const COMPONENT_ZONE = "@typescript-eslint/no-restricted-imports";

/** A file of `lines` one-line statements, and no function. */
function longFile(lines: number): string {
  const body = Array.from(
    { length: lines },
    (_, index) => `export const value${index} = ${index};`,
  );
  return body.join("\n") + "\n";
}

/** A function of `statements` one-line statements and four more lines. */
function longFunction(statements: number): string {
  const body = Array.from({ length: statements }, (_, index) => `  values.push(${index});`);
  return `export function long(): number[] {\n  const values: number[] = [];\n${body.join("\n")}\n  return values;\n}\n`;
}

beforeAll(async () => {
  // Loading the config and the import resolver is the slow part; the cases below are fast.
  await eslint.lintText("export {};\n", { filePath: "lib/warm-up.ts" });
}, 120_000);

describe("import zones", () => {
  it.each([
    {
      zone: "components take no server values",
      filePath: "components/runs/bad.tsx",
      code: 'import { getDb } from "@/server/db";\nexport const open = getDb;\n',
      rule: COMPONENT_ZONE,
    },
    {
      zone: "components take no server values, however the path is spelled",
      filePath: "components/runs/bad.tsx",
      code: 'import { getDb } from "../../server/db";\nexport const open = getDb;\n',
      rule: COMPONENT_ZONE,
    },
    {
      zone: "routers do not build queries",
      filePath: "server/trpc/routers/bad.ts",
      code: 'import { eq } from "drizzle-orm";\nexport const equals = eq;\n',
      rule: ZONES,
    },
    {
      zone: "routers do not touch tables",
      filePath: "server/trpc/routers/bad.ts",
      code: 'import { runs } from "@/server/db/schema";\nexport const table = runs;\n',
      rule: ZONES,
    },
    {
      zone: "the agent runtime calls no services",
      filePath: "server/agent/bad.ts",
      code: 'import { startRun } from "@/server/services/runs/runs";\nexport const start = startRun;\n',
      rule: ZONES,
    },
    {
      zone: "the agent runtime reaches no database, not even for types",
      filePath: "server/agent/bad.ts",
      code: 'import type { Database } from "@/server/db/client";\nexport type Handle = Database;\n',
      rule: ZONES,
    },
    {
      zone: "the engine imports nothing of the app",
      filePath: "inngest/engine/bad.ts",
      code: 'import { env } from "@/server/env";\nexport const port = env.PORT;\n',
      rule: ZONES,
    },
    {
      zone: "the engine imports nothing of the app by a relative path either",
      filePath: "inngest/engine/bad.ts",
      code: 'import { inngest } from "../client";\nexport const client = inngest;\n',
      rule: ZONES,
    },
    {
      zone: "the engine's tests import nothing of the app",
      filePath: "inngest/engine/test/bad.test.ts",
      code: 'import { env } from "@/server/env";\nexport const port = env.PORT;\n',
      rule: ZONES,
    },
    {
      zone: "services know no tRPC",
      filePath: "server/services/runs/bad.ts",
      code: 'import { createTRPCRouter } from "@/server/trpc/init";\nexport const router = createTRPCRouter;\n',
      rule: ZONES,
    },
    {
      zone: "services know no Inngest functions",
      filePath: "server/services/runs/bad.ts",
      code: 'import { createRunSkillFunction } from "@/inngest/functions/run-skill";\nexport const create = createRunSkillFunction;\n',
      rule: ZONES,
    },
    {
      zone: "lib imports no room above it",
      filePath: "lib/bad.ts",
      code: 'import { cn } from "@/components/ui/cn";\nexport const classes = cn;\n',
      rule: ZONES,
    },
  ])("$zone", async ({ filePath, code, rule }) => {
    expect(await ruleIdsFor(filePath, code)).toEqual([rule]);
  });
});

describe("env, specs and size", () => {
  it("process.env is read only through the validated env", async () => {
    const code = "export const model = process.env.SKILLRUN_DEFAULT_MODEL;\n";
    expect(await ruleIdsFor("server/services/runs/bad.ts", code)).toEqual([
      "no-restricted-properties",
    ]);
    expect(await ruleIdsFor("components/runs/bad.tsx", code)).toEqual(["no-restricted-properties"]);
  });

  it("an e2e spec takes the console-guarded test from e2e/support.ts", async () => {
    const code = 'import { test } from "@playwright/test";\ntest("walks", async () => {});\n';
    expect(await ruleIdsFor("e2e/bad.spec.ts", code)).toEqual(["no-restricted-imports"]);
  });

  it("a new file over 300 lines is refused", async () => {
    expect(await ruleIdsFor("server/services/runs/bad.ts", longFile(301))).toEqual(["max-lines"]);
  });

  it("a new function over 80 lines is refused", async () => {
    expect(await ruleIdsFor("server/services/runs/bad.ts", longFunction(77))).toEqual([
      "max-lines-per-function",
    ]);
  });
});

describe("what the rules allow", () => {
  it("a service that reads the db, the env, lib and other services, in a 300-line file", async () => {
    const code = [
      'import { eq } from "drizzle-orm";',
      'import { RUN_STATUSES } from "@/lib/enums";',
      'import type { Database } from "@/server/db/client";',
      'import { runs } from "@/server/db/schema";',
      'import { env } from "@/server/env";',
      'import { getSkill } from "@/server/services/catalog/skills";',
      "export const uses = [eq, RUN_STATUSES, runs, env.PORT, getSkill];",
      "export type Handle = Database;",
      longFile(292),
    ].join("\n");
    expect(await ruleIdsFor("server/services/runs/good.ts", code)).toEqual([]);
  });

  it("a component that takes the tRPC contract's types from server/", async () => {
    const code =
      'import type { AppRouter } from "@/server/trpc/root";\nexport type Router = AppRouter;\n';
    expect(await ruleIdsFor("components/runs/good.tsx", code)).toEqual([]);
  });

  it("the engine importing itself and Node", async () => {
    const code =
      'import { createHash } from "node:crypto";\nimport { signBody } from "./signing";\nexport const uses = [createHash, signBody];\n';
    expect(await ruleIdsFor("inngest/engine/good.ts", code)).toEqual([]);
  });
});
