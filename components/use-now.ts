"use client";

import { useEffect, useState } from "react";

/** Now, again every `intervalMs`: a countdown such as "in 42 s" stays true while it is shown. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
