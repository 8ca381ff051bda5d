// session.ts keeps who is signed in for this browser tab only (sessionStorage): the key
// goes when the tab closes.

import type { Session } from "./api";

const storageKey = "forma.session";

/** load returns the tab's session, or null when nobody signed in. */
export function loadSession(store: Storage = sessionStorage): Session | null {
  try {
    const s = JSON.parse(store.getItem(storageKey) ?? "null") as Session | null;
    return s && typeof s.tenant === "string" && typeof s.key === "string" && s.tenant && s.key ? s : null;
  } catch {
    return null;
  }
}

/** save remembers the session for this tab. */
export function saveSession(s: Session, store: Storage = sessionStorage): void {
  store.setItem(storageKey, JSON.stringify({ tenant: s.tenant, key: s.key }));
}

/** clear signs out. */
export function clearSession(store: Storage = sessionStorage): void {
  store.removeItem(storageKey);
}
