import { PageHeader } from "./page-header";

/** A section whose issue has not landed yet: its title and what brings it, never fake data. */
export function ArrivesWith({ title, arrivesWith }: { title: string; arrivesWith: string }) {
  return (
    <>
      <PageHeader title={title} />
      <p className="text-sm text-muted-foreground">Arrives with {arrivesWith}.</p>
    </>
  );
}
