import { Badge } from "@/components/ui/badge";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";

export type SideBySideRow = { label: string; a: string; b: string };

/** Labelled values of run A and run B in two columns; a row whose values differ says so in words. */
export function SideBySide({ label, rows }: { label: string; rows: SideBySideRow[] }) {
  if (rows.length === 0)
    return <p className="text-muted-foreground text-sm">None on either run.</p>;
  return (
    <Table aria-label={label}>
      <TableHeader>
        <TableRow>
          <TableHead className="w-40">Field</TableHead>
          <TableHead>Run A</TableHead>
          <TableHead>Run B</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => {
          const differs = row.a !== row.b;
          return (
            <TableRow key={row.label} data-differs={differs || undefined}>
              <TableCell className="align-top font-medium">
                <span className="flex flex-wrap items-center gap-1">
                  {row.label}
                  {differs && <Badge variant="warning">differs</Badge>}
                </span>
              </TableCell>
              <TableCell className="min-w-40 align-top break-words whitespace-pre-wrap">
                {row.a}
              </TableCell>
              <TableCell className="min-w-40 align-top break-words whitespace-pre-wrap">
                {row.b}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
