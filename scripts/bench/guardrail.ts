/**
 * `npm run bench:guardrail`: how long the PII guardrail takes over a deliverable, against a
 * baseline measured in the same run — one pass of a single linear regex (the email pattern)
 * over the same text, the least any scan of it costs. The check runs in the app process
 * between the turn and the terminal write, so its time is time that process does nothing else.
 */
import { checkText } from "@/server/agent/guardrail";
import type { GuardrailRules } from "@/server/agent/config";
import { ms, percentile, printTable, writeResult } from "./lib";

const RULES: GuardrailRules = {
  deniedTerms: [],
  deniedPatterns: [],
  pii: "mask",
  maxDeliverableChars: null,
};
const BASELINE = /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;

const PROSE =
  "The 2025-05-20 release (v2.4.1, build 126.0.6478.126) fixed INV-2025-000123; call (415) 555-2671 or write to ops@example.com. ";
const DENSE =
  "2025-05-20 10:30 v1.2.3 $1,234.56 192.168.0.1 INV-2025-000123 (415) 555-2671 a.b+c@example.com 4111 1111 1111 1111\n";
const DIGITS = "1 ";
const sized = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));

const CASES = [
  { name: "prose, 50 KB", text: sized(PROSE, 50_000), repeats: 20 },
  { name: "prose, 1 MB", text: sized(PROSE, 1_000_000), repeats: 3 },
  { name: "dense numbers, 1 MB", text: sized(DENSE, 1_000_000), repeats: 3 },
  { name: "single digits, 1 MB (worst case)", text: sized(DIGITS, 1_000_000), repeats: 1 },
];

function timeOf(repeats: number, work: () => unknown): number[] {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return times;
}

const rows = CASES.map(({ name, text, repeats }) => {
  const baseline = percentile(
    timeOf(repeats, () => text.replace(BASELINE, "x")),
    50,
  );
  const guardrail = percentile(
    timeOf(repeats, () => checkText(RULES, text, { enforceLength: false })),
    50,
  );
  return {
    case: name,
    "baseline p50": ms(baseline),
    "guardrail p50": ms(guardrail),
    ratio: `${(guardrail / baseline).toFixed(1)}×`,
  };
});
printTable("PII guardrail (mask mode) vs one linear regex pass over the same text", rows);
await writeResult("guardrail", { rows });
