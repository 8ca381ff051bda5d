import { describe, expect, it } from "vitest";
import { Api, ApiError, listOf, problemFrom, sqlOf } from "./api";

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit } = {}) {
  return async (url: RequestInfo | URL, init?: RequestInit) => {
    seen.url = String(url);
    seen.init = init;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { "Content-Type": status < 300 ? "application/json" : "application/problem+json" } });
  };
}

describe("problemFrom", () => {
  it("reads a problem document with validation errors", () => {
    const e = problemFrom(400, "Bad Request", JSON.stringify({
      status: 400, title: "Bad Request", detail: "the model is not valid", code: "invalid",
      errors: [{ path: "fields[0].name", code: "required", message: "is required" }],
    }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.message).toBe("the model is not valid");
    expect(e.code).toBe("invalid");
    expect(e.problems[0].path).toBe("fields[0].name");
  });
  it("survives a body that is not JSON", () => {
    const e = problemFrom(502, "Bad Gateway", "<html>");
    expect(e.message).toBe("Bad Gateway");
    expect(e.problems).toEqual([]);
  });
});

describe("Api", () => {
  it("sends the key, the body and If-Match", async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new Api({ tenant: "acme", key: "k1" }, fakeFetch(200, { model: { name: "event", fields: [] }, plan: [], version: 8 }, seen));
    const out = await api.apply({ name: "event", fields: [] }, 7, true);
    expect(seen.url).toBe("/api/v1/t/acme/models/event?allow_data_loss=true");
    expect(seen.init?.method).toBe("PUT");
    const h = seen.init?.headers as Record<string, string>;
    expect(h.Authorization).toBe("Bearer k1");
    expect(h["If-Match"]).toBe('"7"');
    expect(out.version).toBe(8);
  });
  it("throws ApiError on 412", async () => {
    const api = new Api({ tenant: "acme", key: "k" }, fakeFetch(412, { status: 412, detail: "stale", code: "stale_version" }));
    await expect(api.apply({ name: "e", fields: [] }, 1)).rejects.toMatchObject({ status: 412, code: "stale_version" });
  });
  it("turns a network failure into status 0", async () => {
    const api = new Api({ tenant: "acme", key: "k" }, async () => { throw new TypeError("fetch failed"); });
    await expect(api.whoami()).rejects.toMatchObject({ status: 0 });
  });
  it("reads a dry run the server would refuse without allow_data_loss", async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const drop = { kind: "drop_column", model: "e", field: "a", data_loss: true, may_fail: false, description: "drop field a" };
    const api = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, {
      plan: [drop], sql: ['ALTER TABLE "t1_acme"."e" DROP COLUMN "a"'], version: 4, changed: true, dry_run: true, refused_without: "allow_data_loss",
    }, seen));
    const out = await api.dryRun({ name: "e", fields: [] });
    expect(seen.url).toBe("/api/v1/t/acme/models/e/plan");
    expect(seen.init?.method).toBe("POST");
    expect(out).toEqual({ plan: [drop], sql: ['ALTER TABLE "t1_acme"."e" DROP COLUMN "a"'], version: 4, refusedWithout: "allow_data_loss" });
  });
  it("reads a dry run that would run as sent", async () => {
    const api = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, { plan: [], sql: [], version: 4, changed: false, dry_run: true }));
    expect((await api.dryRun({ name: "e", fields: [] }, true)).refusedWithout).toBeUndefined();
  });
  it("reads the schema", async () => {
    const api = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, { models: [{ name: "a", fields: [] }], version: 3, hash: "h" }));
    expect(await api.schema()).toEqual({ models: [{ name: "a", fields: [] }], version: 3, hash: "h" });
  });
});

describe("roles and tokens", () => {
  it("puts a role with If-Match and reads the saved role and version", async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const role = { permissions: { post: { list: { fields: "*" as const } } } };
    const api = new Api({ tenant: "acme", key: "k" }, fakeFetch(201, { role: { name: "viewer", ...role }, version: 5, changed: true }, seen));
    const out = await api.putRole("viewer", role, 4);
    expect(seen.url).toBe("/api/v1/t/acme/roles/viewer");
    expect(seen.init?.method).toBe("PUT");
    expect((seen.init?.headers as Record<string, string>)["If-Match"]).toBe('"4"');
    expect(JSON.parse(String(seen.init?.body))).toEqual(role);
    expect(out).toEqual({ role: { name: "viewer", ...role }, version: 5 });
  });
  it("lists roles and reads one", async () => {
    const list = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, { data: [{ name: "viewer", permissions: {} }], version: 2 }));
    expect(await list.roles()).toEqual({ roles: [{ name: "viewer", permissions: {} }], version: 2 });
    const one = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, { role: { name: "viewer", permissions: {} }, version: 2 }));
    expect(await one.role("viewer")).toEqual({ role: { name: "viewer", permissions: {} }, version: 2 });
  });
  it("reads token settings that are off as null, and a server without the route as an error", async () => {
    const off = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, { jwt: null }));
    expect(await off.authSettings()).toBeNull();
    const on = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, { jwt: { algorithm: "HS256", secret_set: true } }));
    expect(await on.authSettings()).toEqual({ jwt: { algorithm: "HS256", secret_set: true } });
    const none = new Api({ tenant: "acme", key: "k" }, fakeFetch(404, { status: 404, detail: "no such route", code: "not_found" }));
    await expect(none.authSettings()).rejects.toMatchObject({ status: 404 });
  });
  it("tests a token", async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, { valid: false, code: "unauthorized", reason: "the token has expired" }, seen));
    expect(await api.testToken("a.b.c")).toEqual({ valid: false, code: "unauthorized", reason: "the token has expired" });
    expect(seen.url).toBe("/api/v1/t/acme/auth/test");
    expect(JSON.parse(String(seen.init?.body))).toEqual({ token: "a.b.c" });
  });
});

describe("shapes", () => {
  it("reads lists however they come", () => {
    expect(listOf([1], "x")).toEqual([1]);
    expect(listOf({ x: [2] }, "x")).toEqual([2]);
    expect(listOf({ data: [3] }, "x")).toEqual([3]);
    expect(listOf(null, "x")).toEqual([]);
  });
  it("reads sql", () => {
    expect(sqlOf("a;")).toEqual(["a;"]);
    expect(sqlOf(["a;", "b;"])).toEqual(["a;", "b;"]);
    expect(sqlOf(undefined)).toEqual([]);
  });
});

// FakeXHR is as much of XMLHttpRequest as importRecords uses; answer() ends the request.
class FakeXHR {
  method = "";
  url = "";
  headers: Record<string, string> = {};
  sent: unknown;
  status = 0;
  statusText = "";
  responseText = "";
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  open(method: string, url: string) { this.method = method; this.url = url; }
  setRequestHeader(k: string, v: string) { this.headers[k] = v; }
  send(body: unknown) { this.sent = body; }
  answer(status: number, body: unknown) {
    this.upload.onprogress?.({ loaded: 5, total: 10, lengthComputable: true });
    this.upload.onprogress?.({ loaded: 10, total: 10, lengthComputable: true });
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

describe("Api transfers", () => {
  it("imports a file as it is, with its content type, reporting the upload's progress", async () => {
    const x = new FakeXHR();
    const api = new Api({ tenant: "acme", key: "k1" }, fakeFetch(200, {}), "/api/v1", () => x as unknown as XMLHttpRequest);
    const file = new Blob(["country,value\nPL,1\n"]);
    const seen: number[] = [];
    const done = api.importRecords("event", file, "text/csv", (loaded, total) => seen.push(loaded / total));
    x.answer(201, { created: 1 });
    expect(await done).toEqual({ created: 1 });
    expect([x.method, x.url, x.headers["Content-Type"], x.headers.Authorization]).toEqual(["POST", "/api/v1/t/acme/data/event", "text/csv", "Bearer k1"]);
    expect(x.sent).toBe(file);
    expect(seen).toEqual([0.5, 1]);
  });
  it("turns a refused import into an ApiError with its problems", async () => {
    const x = new FakeXHR();
    const api = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, {}), "/api/v1", () => x as unknown as XMLHttpRequest);
    const done = api.importRecords("event", new Blob(["{}"]), "application/x-ndjson", () => {});
    x.answer(400, { status: 400, detail: "the records are not valid", errors: [{ path: "[3].value", code: "min", message: "must be at least 0" }] });
    await expect(done).rejects.toMatchObject({ status: 400, problems: [{ path: "[3].value" }] });
  });
  it("exports with the key in a header, the query kept", async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new Api({ tenant: "acme", key: "k1" }, async (url, init) => {
      seen.url = String(url);
      seen.init = init;
      return new Response("id,value\n1,2\n", { status: 200, headers: { "Content-Disposition": 'attachment; filename="event.csv"' } });
    });
    const out = await api.exportRecords("event", { format: "csv", value__gte: "2" });
    expect(seen.url).toBe("/api/v1/t/acme/data/event/export?format=csv&value__gte=2");
    expect((seen.init?.headers as Record<string, string>).Authorization).toBe("Bearer k1");
    expect(await out.blob.text()).toBe("id,value\n1,2\n");
    expect(out.disposition).toBe('attachment; filename="event.csv"');
  });
  it("reads an aggregate's rows", async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new Api({ tenant: "acme", key: "k" }, fakeFetch(200, { data: [{ country: "PL", count: 2 }] }, seen));
    expect(await api.aggregate("event", { group_by: "country", measures: "count" })).toEqual([{ country: "PL", count: 2 }]);
    expect(seen.url).toBe("/api/v1/t/acme/data/event/aggregate?group_by=country&measures=count");
  });
});
