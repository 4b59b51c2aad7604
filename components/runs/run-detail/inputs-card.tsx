import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";

export function InputsCard({ inputs }: { inputs: Record<string, unknown> }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Inputs</CardTitle>
      </CardHeader>
      <CardContent>
        <pre
          className="bg-muted max-h-96 overflow-auto rounded-md p-3 text-xs whitespace-pre-wrap"
          data-testid="run-inputs"
        >
          {JSON.stringify(inputs, null, 2)}
        </pre>
      </CardContent>
    </Card>
  );
}
