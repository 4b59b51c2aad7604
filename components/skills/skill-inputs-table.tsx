import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { InputField } from "@/lib/skill-inputs";

const defaultOf = (field: InputField) =>
  field.default === undefined ? null : JSON.stringify(field.default);

/** A skill's inputs; on a phone each one's type, default and description sit under its name. */
export function SkillInputsTable({ fields }: { fields: InputField[] }) {
  return (
    <Table aria-label="Inputs">
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead className="hidden sm:table-cell">Type</TableHead>
          <TableHead className="hidden sm:table-cell">Required</TableHead>
          <TableHead className="hidden sm:table-cell">Default</TableHead>
          <TableHead className="hidden sm:table-cell">Description</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {fields.map((field) => (
          <TableRow key={field.name}>
            <TableCell>
              <div className="font-medium">{field.title}</div>
              <code className="text-muted-foreground font-mono text-xs">{field.name}</code>
              <div className="text-muted-foreground mt-1 text-xs break-words sm:hidden">
                <p>
                  {[
                    field.options
                      ? `${field.typeLabel}: ${field.options.join(" | ")}`
                      : field.typeLabel,
                    field.required ? "required" : "optional",
                    defaultOf(field) && `default ${defaultOf(field)}`,
                  ]
                    .filter(Boolean)
                    .join(" · ")}
                </p>
                {field.description && <p className="mt-0.5">{field.description}</p>}
              </div>
            </TableCell>
            <TableCell className="hidden text-xs sm:table-cell">
              {field.typeLabel}
              {field.options && (
                <div className="text-muted-foreground">{field.options.join(" | ")}</div>
              )}
            </TableCell>
            <TableCell className="hidden sm:table-cell">{field.required ? "Yes" : "No"}</TableCell>
            <TableCell className="hidden font-mono text-xs sm:table-cell">
              {defaultOf(field) ?? "—"}
            </TableCell>
            <TableCell className="text-muted-foreground hidden text-xs sm:table-cell">
              {field.description ?? "—"}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
