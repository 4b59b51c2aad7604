import { Alert, AlertDescription } from "@/components/ui/alert";
import { DialogBody, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";

/** The Run now dialog while its skill or agents could not be read. */
export function RunNowError({ message }: { message: string | undefined }) {
  return (
    <>
      <DialogHeader>
        <DialogTitle>Run now</DialogTitle>
      </DialogHeader>
      <DialogBody>
        <Alert variant="destructive">
          <AlertDescription>{message}</AlertDescription>
        </Alert>
      </DialogBody>
    </>
  );
}

/** The Run now dialog while its skill and agents load. */
export function RunNowLoading() {
  return (
    <>
      <DialogHeader>
        <DialogTitle>Run now</DialogTitle>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-3" aria-busy="true">
        <Skeleton className="h-9" />
        <Skeleton className="h-24" />
        <Skeleton className="h-9" />
      </DialogBody>
    </>
  );
}
