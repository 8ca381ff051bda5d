// nav.svelte.ts holds the current route as state and moves between screens with the
// History API, so the back button and reloads work.

import { href, parseRoute, type Route } from "./router";

/** nav.route is the screen on display. */
export const nav = $state<{ route: Route; flash: string }>({ route: parseRoute(location.pathname), flash: "" });

/** takeFlash returns the message left for the next screen (e.g. "Applied") and clears it. */
export function takeFlash(): string {
  const m = nav.flash;
  nav.flash = "";
  return m;
}

/** go shows the screen at path (or route), adding a history entry unless replace. */
export function go(to: string | Route, replace = false): void {
  const path = typeof to === "string" ? to : href(to);
  if (path !== location.pathname) history[replace ? "replaceState" : "pushState"](null, "", path);
  nav.route = parseRoute(path);
}

addEventListener("popstate", () => {
  nav.route = parseRoute(location.pathname);
});

/** followLinks makes same-origin links change screens without reloading the page. */
export function followLinks(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.("a");
  if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
  if (a.pathname.startsWith("/api/")) return;
  e.preventDefault();
  go(a.pathname);
}
