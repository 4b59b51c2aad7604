import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { WebhookData } from "./webhook-data";

/** Which skill input comes from where in the delivery's JSON, and its fallback. */
export function InputMappingTable({ mapping }: { mapping: WebhookData["inputMapping"] }) {
  const rules = Object.entries(mapping);
  if (rules.length === 0) {
    return (
      <p className="text-muted-foreground text-sm">
        Nothing is mapped: runs get the skill&apos;s defaults.
      </p>
    );
  }
  return (
    <Table aria-label="Input mapping">
      <TableHeader>
        <TableRow>
          <TableHead>Input</TableHead>
          <TableHead>JSON Pointer</TableHead>
          <TableHead>Default</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rules.map(([input, rule]) => (
          <TableRow key={input}>
            <TableCell className="font-mono text-xs">{input}</TableCell>
            <TableCell className="font-mono text-xs">{rule.pointer ?? "—"}</TableCell>
            <TableCell className="font-mono text-xs">
              {rule.default === undefined ? "—" : JSON.stringify(rule.default)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
