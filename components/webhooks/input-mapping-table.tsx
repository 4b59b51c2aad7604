import type { ReactNode } from "react";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { WebhookInputMapping } from "@/lib/schemas/webhooks";

/** One skill input of the mapping: what its three cells hold. */
export type InputMappingRow = {
  input: string;
  inputCell: ReactNode;
  pointerCell: ReactNode;
  defaultCell: ReactNode;
};

/**
 * The "Input mapping" table: per skill input, the JSON Pointer it is read from in a delivery's
 * payload and the default used when the payload has nothing there. Read-only on a webhook's
 * page (`savedMappingRows`), editable in its form.
 */
export function InputMappingTable({
  rows,
  cellClassName,
}: {
  rows: InputMappingRow[];
  cellClassName?: string;
}) {
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
        {rows.map((row) => (
          <TableRow key={row.input}>
            <TableCell className={cellClassName}>{row.inputCell}</TableCell>
            <TableCell className={cellClassName}>{row.pointerCell}</TableCell>
            <TableCell className={cellClassName}>{row.defaultCell}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** A saved mapping as read-only rows (use with `cellClassName="font-mono text-xs"`). */
export const savedMappingRows = (mapping: WebhookInputMapping): InputMappingRow[] =>
  Object.entries(mapping).map(([input, rule]) => ({
    input,
    inputCell: input,
    pointerCell: rule.pointer ?? "—",
    defaultCell: rule.default === undefined ? "—" : JSON.stringify(rule.default),
  }));
