import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Api } from "./api";

// viewas.svelte.ts listens to the page's pagehide and keeps a key id in sessionStorage:
// both are stood in for here, as Node has neither.
const listeners = new Map<string, (e: { persisted?: boolean }) => void>();
const storage = new Map<string, string>();
vi.stubGlobal("addEventListener", (type: string, fn: (e: { persisted?: boolean }) => void) => listeners.set(type, fn));
vi.stubGlobal("sessionStorage", {
  getItem: (k: string) => storage.get(k) ?? null,
  setItem: (k: string, v: string) => void storage.set(k, v),
  removeItem: (k: string) => void storage.delete(k),
});

let mod: typeof import("./viewas.svelte");
beforeAll(async () => {
  mod = await import("./viewas.svelte");
});

/** A tenant's key routes: POST /keys makes a key, DELETE /keys/{id} revokes it; calls are noted. */
function server() {
  const calls: string[] = [];
  let next = 10;
  const fetchFn = async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url);
    calls.push(`${init?.method} ${path}`);
    if (init?.method === "POST") {
      const { name, role } = JSON.parse(String(init.body)) as { name: string; role: string };
      return Response.json({ id: ++next, name, role, prefix: "fk_x", key: `fk_x_${next}` }, { status: 201 });
    }
    return new Response(null, { status: 204 });
  };
  return { calls, admin: new Api({ tenant: "acme", key: "admin-key" }, fetchFn) };
}

describe("view as a role", () => {
  beforeEach(async () => {
    await mod.stopViewing();
    storage.clear();
  });

  it("makes one key per role, reuses it, and revokes it when another role is chosen or viewing stops", async () => {
    const { calls, admin } = server();
    const a = await mod.viewAs(admin, "viewer");
    expect(a.session).toEqual({ tenant: "acme", key: "fk_x_11" });
    expect(mod.viewing.role).toBe("viewer");
    expect(await mod.viewAs(admin, "viewer")).toBe(a);
    expect(mod.current(admin)).toBe(a);
    expect(JSON.parse(storage.get("forma.viewAs") ?? "")).toEqual({ tenant: "acme", id: 11 });

    await mod.viewAs(admin, "editor");
    await mod.stopViewing();
    expect(calls).toEqual([
      "POST /api/v1/t/acme/keys",
      "DELETE /api/v1/t/acme/keys/11",
      "POST /api/v1/t/acme/keys",
      "DELETE /api/v1/t/acme/keys/12",
    ]);
    expect(mod.viewing.role).toBe("");
    expect(mod.current(admin)).toBeNull();
    expect(storage.has("forma.viewAs")).toBe(false);
  });

  it("names the key after the role", async () => {
    const { admin } = server();
    const seen: string[] = [];
    const spy = new Api(admin.session, async (url, init) => {
      if (init?.method === "POST") seen.push(JSON.parse(String(init.body)).name);
      return Response.json({ id: 1, key: "fk_y_1" }, { status: 201 });
    });
    await mod.viewAs(spy, "viewer");
    expect(seen).toEqual([mod.keyName("viewer")]);
    expect(mod.keyName("viewer")).toBe("view as viewer");
  });

  it("revokes a key an earlier page left behind before making a new one", async () => {
    const { calls, admin } = server();
    storage.set("forma.viewAs", JSON.stringify({ tenant: "acme", id: 7 }));
    await mod.viewAs(admin, "viewer");
    expect(calls).toEqual(["DELETE /api/v1/t/acme/keys/7", "POST /api/v1/t/acme/keys"]);
  });

  it("leaves another tenant's key alone", async () => {
    const { calls, admin } = server();
    storage.set("forma.viewAs", JSON.stringify({ tenant: "other", id: 7 }));
    await mod.sweep(admin);
    expect(calls).toEqual([]);
  });

  it("forgets the key of a page restored from the back-forward cache", async () => {
    const { admin } = server();
    await mod.viewAs(admin, "viewer");
    listeners.get("pageshow")?.({ persisted: true });
    expect(mod.viewing.role).toBe("");
    expect(mod.current(admin)).toBeNull();
  });
});
