import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => {
  // Tests that opt into `@vitest-environment node` have no DOM.
  if (typeof window === "undefined") return;
  cleanup();
  window.localStorage.clear();
  window.history.replaceState(null, "", "/");
});
