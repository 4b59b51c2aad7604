import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { openApiDocument } from "@/server/rest/openapi";

/** The parts of JSON Schema the REST API's generated schemas use. */
type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  description?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  additionalProperties?: Schema | boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
};
type Parameter = {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema: Schema;
};
type Operation = {
  operationId: string;
  summary: string;
  parameters?: Parameter[];
  requestBody?: { content: { "application/json": { schema: Schema } } };
  responses: Record<
    string,
    { description: string; content?: { "application/json": { schema: Schema } } }
  >;
};
type Document = {
  servers: { url: string }[];
  components: { schemas: Record<string, Schema> };
  paths: Record<string, Record<string, Operation>>;
};

function resolve(schema: Schema, document: Document): Schema {
  const name = schema.$ref?.replace("#/components/schemas/", "");
  return name ? (document.components.schemas[name] ?? schema) : schema;
}

/** A schema in words: `string (uuid)`, `one of: queued, running`, `array of object`, `… or null`. */
function describeType(schema: Schema, document: Document): string {
  const resolved = resolve(schema, document);
  if (resolved.anyOf)
    return resolved.anyOf.map((option) => describeType(option, document)).join(" or ");
  if (resolved.enum) return `one of: ${resolved.enum.map(String).join(", ")}`;
  if (resolved.const !== undefined) return JSON.stringify(resolved.const);
  const types = Array.isArray(resolved.type) ? resolved.type : resolved.type ? [resolved.type] : [];
  const base = types
    .map((type) =>
      type === "array" && resolved.items
        ? `array of ${describeType(resolved.items, document)}`
        : type === "object" && !resolved.properties && resolved.additionalProperties
          ? "object (any keys)"
          : type,
    )
    .join(" or ");
  const limits = [
    resolved.format,
    resolved.minimum !== undefined && `≥ ${resolved.minimum}`,
    resolved.maximum !== undefined && `≤ ${resolved.maximum}`,
    resolved.maxLength !== undefined && `≤ ${resolved.maxLength} chars`,
  ]
    .filter(Boolean)
    .join(", ");
  return `${base || (schema.$ref ? (schema.$ref.split("/").pop() ?? "") : "any")}${limits ? ` (${limits})` : ""}`;
}

type Row = { path: string; type: string; required: boolean; description?: string };

/** Every property, nested objects flattened to `parent.child`, so one table shows a whole body. */
function propertyRows(schema: Schema, document: Document, prefix = ""): Row[] {
  const resolved = resolve(schema, document);
  const objectOf =
    resolved.anyOf?.find((option) => resolve(option, document).properties) ?? resolved;
  const target = resolve(objectOf, document);
  const required = new Set(target.required ?? []);
  return Object.entries(target.properties ?? {}).flatMap(([name, property]) => {
    const path = `${prefix}${name}`;
    const row: Row = {
      path,
      type: describeType(property, document),
      required: required.has(name),
      description: property.description,
    };
    const nested = resolve(property, document);
    const hasChildren =
      nested.properties || nested.anyOf?.some((option) => resolve(option, document).properties);
    return hasChildren ? [row, ...propertyRows(property, document, `${path}.`)] : [row];
  });
}

function SchemaTable({ rows, label }: { rows: Row[]; label: string }) {
  return (
    <Table aria-label={label}>
      <TableHeader>
        <TableRow>
          <TableHead>Field</TableHead>
          <TableHead>Type</TableHead>
          <TableHead>Description</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.path}>
            <TableCell className="font-mono text-xs whitespace-nowrap">
              {row.path}
              {row.required && <span className="text-destructive"> *</span>}
            </TableCell>
            <TableCell className="text-xs">{row.type}</TableCell>
            <TableCell className="text-muted-foreground text-xs">{row.description}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** REST API v1 as a page, rendered from the same OpenAPI document `/api/v1/openapi.json` serves. */
export function ApiReference({
  document: generated,
}: {
  document: ReturnType<typeof openApiDocument>;
}) {
  const document = generated as unknown as Document;
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  return (
    <div className="flex flex-col gap-4">
      <p className="text-muted-foreground text-sm">
        Base URL <code className="font-mono">{document.servers[0]?.url}</code>. Authenticate with{" "}
        <code className="font-mono">Authorization: Bearer srk_…</code> (Settings → API keys); the
        key&apos;s role decides what it may do. Errors are{" "}
        <code className="font-mono">{`{ "error": { "code", "message", "fields"? } }`}</code>.
        Machine-readable:{" "}
        <a className="text-link" href="/api/v1/openapi.json">
          openapi.json
        </a>
        .
      </p>
      {operations.map(({ path, method, operation }) => {
        const parameters = operation.parameters ?? [];
        const body = operation.requestBody?.content["application/json"].schema;
        return (
          <Card key={operation.operationId} id={operation.operationId}>
            <CardHeader>
              <CardTitle className="flex flex-wrap items-center gap-2 text-base">
                <Badge variant={method === "get" ? "outline" : "default"}>
                  {method.toUpperCase()}
                </Badge>
                <code className="font-mono">{path}</code>
                <span className="text-muted-foreground font-normal">{operation.summary}</span>
              </CardTitle>
            </CardHeader>
            <CardContent className="flex flex-col gap-3">
              {parameters.length > 0 && (
                <SchemaTable
                  label={`${operation.operationId} parameters`}
                  rows={parameters.map((parameter) => ({
                    path: `${parameter.name} (${parameter.in})`,
                    type: describeType(parameter.schema, document),
                    required: Boolean(parameter.required),
                    description: parameter.description ?? parameter.schema.description,
                  }))}
                />
              )}
              {body && (
                <SchemaTable
                  label={`${operation.operationId} request body`}
                  rows={propertyRows(body, document)}
                />
              )}
              <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
                {Object.entries(operation.responses).map(([status, response]) => (
                  <div key={status} className="contents">
                    <dt className="font-mono">{status}</dt>
                    <dd className="text-muted-foreground">{response.description}</dd>
                  </div>
                ))}
              </dl>
            </CardContent>
          </Card>
        );
      })}
      <Card>
        <CardHeader>
          <CardTitle className="text-base">The Run object</CardTitle>
        </CardHeader>
        <CardContent>
          <SchemaTable
            label="Run fields"
            rows={
              document.components.schemas.Run
                ? propertyRows(document.components.schemas.Run, document)
                : []
            }
          />
        </CardContent>
      </Card>
    </div>
  );
}
