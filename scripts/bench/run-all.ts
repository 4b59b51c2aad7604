/** `npm run bench`: every `bench:*` script in package.json, one after another. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const { scripts } = JSON.parse(readFileSync("package.json", "utf8")) as {
  scripts: Record<string, string>;
};
const benches = Object.keys(scripts).filter((name) => name.startsWith("bench:"));
let failed = 0;
for (const name of benches) {
  console.log(`\n━━ npm run ${name}`);
  const result = spawnSync("npm", ["run", "--silent", name], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
