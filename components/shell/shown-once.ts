import { toast } from "sonner";

/** Copies a value and says so; where the clipboard is unavailable, asks the user to copy by hand. */
export function copyToClipboard(text: string, what: string) {
  void navigator.clipboard.writeText(text).then(
    () => toast.success(`${what} copied`),
    () =>
      toast.error(`The clipboard is not available; select the ${what.toLowerCase()} and copy it.`),
  );
}

/**
 * Props for a dialog that shows a secret once (a key, a signing secret, an invitation link):
 * only its own Done button closes it, so a stray Escape or click outside cannot lose the value.
 */
export const keepOpenUntilDone = {
  onEscapeKeyDown: (event: Event) => event.preventDefault(),
  onInteractOutside: (event: Event) => event.preventDefault(),
};
