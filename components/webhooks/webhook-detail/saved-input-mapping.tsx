import { InputMappingTable, savedMappingRows } from "../input-mapping-table";
import type { WebhookData } from "./webhook-data";

/** Which skill input comes from where in the delivery's JSON, and its fallback. */
export function SavedInputMapping({ mapping }: { mapping: WebhookData["inputMapping"] }) {
  if (Object.keys(mapping).length === 0) {
    return (
      <p className="text-muted-foreground text-sm">
        Nothing is mapped: runs get the skill&apos;s defaults.
      </p>
    );
  }
  return <InputMappingTable rows={savedMappingRows(mapping)} cellClassName="font-mono text-xs" />;
}
