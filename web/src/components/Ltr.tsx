import type { ReactNode } from "react";

/**
 * Numbers, times and model names inside Hebrew text: isolated and laid out
 * left to right, so "0:10.0–0:12.0" or "$0.90" never come out reordered.
 */
export function Ltr({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <bdi dir="ltr" className={className ? `ltr ${className}` : "ltr"}>
      {children}
    </bdi>
  );
}

/**
 * `text` between LEFT-TO-RIGHT ISOLATE and POP DIRECTIONAL ISOLATE, for a
 * number or time put into a translated sentence (where no element can be).
 */
export function ltrText(text: string | number): string {
  return `\u2066${text}\u2069`;
}
