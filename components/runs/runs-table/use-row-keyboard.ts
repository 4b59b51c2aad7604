import { useEffect, useRef, useState } from "react";

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable ||
    ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) ||
    target.closest("[role=dialog], [role=alertdialog]") !== null);
/**
 * Enter and x act on the active run only when focus is on a run row (or card) itself or nowhere
 * in particular: a link or checkbox inside a row keeps its own Enter.
 */
const onRunRowOrPage = (target: EventTarget | null) =>
  target === document.body || (target instanceof HTMLElement && target.hasAttribute("data-run-id"));

/**
 * j/k move between rows, Enter opens, x selects (when `toggle` is given); ignored while typing or
 * in a dialog. Returns the active row's index and the refs the rows register to be focused.
 */
export function useRowKeyboard(
  rows: { id: string }[],
  { open, toggle }: { open: (id: string) => void; toggle: ((id: string) => void) | null },
) {
  const [activeIndex, setActiveIndex] = useState(-1);
  const rowRefs = useRef(new Map<string, HTMLElement>());

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (
        event.defaultPrevented ||
        event.metaKey ||
        event.ctrlKey ||
        event.altKey ||
        isTyping(event.target) ||
        rows.length === 0
      )
        return;
      const move = event.key === "j" ? 1 : event.key === "k" ? -1 : 0;
      const active = activeIndex >= 0 ? rows[activeIndex] : undefined;
      if (move) {
        event.preventDefault();
        const next = Math.min(rows.length - 1, Math.max(0, activeIndex + move));
        setActiveIndex(next);
        const run = rows[next];
        if (run) rowRefs.current.get(run.id)?.focus();
      } else if (!onRunRowOrPage(event.target)) {
        return;
      } else if (event.key === "Enter" && active) {
        event.preventDefault();
        open(active.id);
      } else if (event.key === "x" && active && toggle) {
        event.preventDefault();
        toggle(active.id);
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [rows, activeIndex, open, toggle]);

  return { activeIndex, setActiveIndex, rowRefs };
}
