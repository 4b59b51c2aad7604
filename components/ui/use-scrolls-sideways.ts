"use client";

import { useEffect, useState, type RefObject } from "react";

/**
 * Whether the element scrolls sideways now (its content is wider than it by more than the pixel
 * rounding can add), kept up to date as it or its first child resizes. A box that scrolls must
 * be focusable so keyboard users can scroll it (WCAG 2.1.1; axe's scrollable-region-focusable),
 * and one that does not should add no tab stop.
 */
export function useScrollsSideways(ref: RefObject<HTMLElement | null>): boolean {
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() =>
      setScrolls(element.scrollWidth - element.clientWidth > 1),
    );
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, [ref]);
  return scrolls;
}
