// viewas.svelte.ts lets the data browser show what a custom role sees. The server is the
// only judge of what a role reaches (filters in SQL, fields left out, refusals), so the
// browser asks it through a key of that role: a short-lived key named "view as <role>",
// made when the admin starts viewing and revoked when they stop, switch role, sign out
// or leave the page. Its id (never its secret) is kept in sessionStorage so that a key a
// closed tab could not revoke is revoked on the next visit.

import { Api } from "./api";

/** viewing.role is the role the data browser shows data as ("" for the signed-in key). */
export const viewing = $state<{ role: string }>({ role: "" });

const stored = "forma.viewAs";

interface Held {
  admin: Api;
  role: string;
  id: number;
  api: Api;
}

let held: Held | null = null;

/** keyName is the name of the key that views as role; the Keys screen lists it as such. */
export const keyName = (role: string): string => `view as ${role}`;

/** viewAs returns a client that acts as role, making its key when none is held for it. */
export async function viewAs(admin: Api, role: string): Promise<Api> {
  if (held && held.role === role && held.admin.session.tenant === admin.session.tenant) {
    viewing.role = role;
    return held.api;
  }
  await stopViewing();
  await sweep(admin);
  const k = await admin.createKey(keyName(role), role);
  if (!k.key) throw new Error("the server did not answer the new key");
  const api = new Api({ tenant: admin.session.tenant, key: k.key });
  held = { admin, role, id: k.id, api };
  sessionStorage.setItem(stored, JSON.stringify({ tenant: admin.session.tenant, id: k.id }));
  viewing.role = role;
  return api;
}

/** current is the client of the role being viewed as, when its key is held. */
export function current(admin: Api): Api | null {
  return held && held.admin.session.tenant === admin.session.tenant && held.role === viewing.role ? held.api : null;
}

/** stopViewing revokes the held key (if any) and goes back to the signed-in key. */
export async function stopViewing(): Promise<void> {
  viewing.role = "";
  const h = held;
  held = null;
  if (!h) return;
  sessionStorage.removeItem(stored);
  try {
    await h.admin.revokeKey(h.id);
  } catch {
    // already revoked, or the server is away: sweep tries again on the next visit
    sessionStorage.setItem(stored, JSON.stringify({ tenant: h.admin.session.tenant, id: h.id }));
  }
}

/** sweep revokes a view-as key that an earlier page of this tab made and could not revoke. */
export async function sweep(admin: Api): Promise<void> {
  const raw = sessionStorage.getItem(stored);
  if (!raw || held) return;
  try {
    const { tenant, id } = JSON.parse(raw) as { tenant: string; id: number };
    if (tenant !== admin.session.tenant) return;
    await admin.revokeKey(id);
    sessionStorage.removeItem(stored);
  } catch (err) {
    if ((err as { status?: number }).status === 404) sessionStorage.removeItem(stored);
  }
}

// Leaving the page revokes the key with a request that outlives the page.
addEventListener("pagehide", () => {
  if (!held) return;
  const { tenant, key } = held.admin.session;
  void fetch(`/api/v1/t/${encodeURIComponent(tenant)}/keys/${held.id}`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${key}` },
    keepalive: true,
  }).then((res) => {
    if (res.ok) sessionStorage.removeItem(stored);
  }, () => {});
});

// A page brought back from the back-forward cache had its key revoked when it was left.
addEventListener("pageshow", (e) => {
  if (!e.persisted || !held) return;
  held = null;
  viewing.role = "";
});
