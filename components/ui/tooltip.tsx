"use client";

import { Tooltip as Primitive } from "radix-ui";
import type { ReactElement, ReactNode } from "react";

/**
 * A short explanation shown on hover, and on focus when `children` can take focus. The child
 * keeps its own accessible name; the tooltip describes it. Each tooltip carries its provider, so
 * it needs nothing around it.
 */
export function Tooltip({
  content,
  children,
  side = "top",
}: {
  content: ReactNode;
  /** One element that takes a ref (a DOM element or a component passing `ref` on). */
  children: ReactElement;
  side?: "top" | "right" | "bottom" | "left";
}) {
  return (
    <Primitive.Provider delayDuration={300}>
      <Primitive.Root>
        <Primitive.Trigger asChild>{children}</Primitive.Trigger>
        <Primitive.Portal>
          <Primitive.Content
            side={side}
            sideOffset={4}
            collisionPadding={8}
            className="bg-foreground text-background z-50 max-w-72 rounded-md px-2.5 py-1.5 text-xs leading-snug shadow-md"
          >
            {content}
          </Primitive.Content>
        </Primitive.Portal>
      </Primitive.Root>
    </Primitive.Provider>
  );
}
