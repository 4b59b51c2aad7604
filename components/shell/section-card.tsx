import type { ReactNode } from "react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

type Props = {
  title: string;
  description: ReactNode;
  /** Beside the title, e.g. an "Add …" button. */
  action?: ReactNode;
  children: ReactNode;
};

/** A page's section: a card with its title, what it holds, an optional action, and its content. */
export function SectionCard({ title, description, action, children }: Props) {
  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-2">
        <div>
          <CardTitle>{title}</CardTitle>
          <CardDescription>{description}</CardDescription>
        </div>
        {action}
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}
