import type { Route } from "next";
import Link from "next/link";

/** "Used by A, B.": a lead-in, then each row's name as a link to it, comma separated. */
export function LinkedNames({
  lead,
  rows,
  hrefOf,
}: {
  lead: string;
  rows: { id: string; name: string }[];
  hrefOf: (id: string) => Route;
}) {
  return (
    <>
      {lead}{" "}
      {rows.map((row, index) => (
        <span key={row.id}>
          {index > 0 && ", "}
          <Link href={hrefOf(row.id)} className="text-link">
            {row.name}
          </Link>
        </span>
      ))}
      .
    </>
  );
}
