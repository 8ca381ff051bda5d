import { describe, expect, it } from "vitest";
import { followChanges, SSEParser, type RecordChange } from "./changes";
import type { ApiError } from "./api";

/** A fetch that answers each call with the next of answers: SSE text, or a status and body. */
function fakeFetch(answers: (string | { status: number; body: string })[]) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const f = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(url), headers: { ...(init?.headers as Record<string, string>) } });
    const a = answers.shift();
    if (a === undefined) return new Promise<Response>(() => {}); // hangs: no more answers
    if (typeof a !== "string") return new Response(a.body, { status: a.status });
    const bytes = new TextEncoder().encode(a);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 7)); // split mid-line: the parser joins pieces
        c.enqueue(bytes.slice(7));
        c.close();
      },
    });
    return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
  };
  return { f: f as typeof fetch, calls };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe("SSEParser", () => {
  it("reads events in pieces and skips comments", () => {
    const p = new SSEParser();
    expect(p.push("event: ready\nid: 1-a")).toEqual([]);
    expect(p.push("\ndata: {}\n\n: heartbeat\n\nevent: record.created\r\nid: 2-a\r\ndata: {\"x\":1}\r\n\r\n")).toEqual([
      { event: "ready", id: "1-a", data: "{}" },
      { event: "record.created", id: "2-a", data: '{"x":1}' },
    ]);
  });
});

describe("followChanges", () => {
  it("delivers changes, and resumes from the last position after the stream ends", async () => {
    const { f, calls } = fakeFetch([
      'event: ready\nid: 5-t\ndata: {"schema_version":3}\n\n' +
        'event: record.created\nid: 6-t\ndata: {"schema_version":3,"record":{"id":1,"country":"PL"}}\n\n' +
        'event: overflow\nid: 6-t\ndata: {"reason":"slow_client","resume_from":"6-t"}\n\n',
      'event: ready\nid: 6-t\ndata: {"schema_version":3}\n\n' +
        'event: record.deleted\nid: 7-t\ndata: {"schema_version":3,"record":{"id":1,"country":"PL"}}\n\n',
    ]);
    const got: RecordChange[] = [];
    const c = followChanges({ session: { tenant: "acme", key: "k" }, model: "order", query: { country: "PL" }, onChange: (x) => got.push(x), fetch: f, retryMs: 1 });
    await until(() => got.length === 2);
    c.close();
    expect(got.map((g) => [g.type, g.position, g.schemaVersion, g.record.id])).toEqual([
      ["record.created", "6-t", 3, 1],
      ["record.deleted", "7-t", 3, 1],
    ]);
    expect(calls[0].url).toBe("/api/v1/t/acme/data/order/changes?country=PL");
    expect(calls[0].headers.Authorization).toBe("Bearer k");
    expect(calls[0].headers["Last-Event-ID"]).toBeUndefined();
    expect(calls[1].headers["Last-Event-ID"]).toBe("6-t");
    expect(c.position).toBe("7-t");
  });

  it("tells of a reset, and stops on a refusal or a revoked key", async () => {
    const resets: string[] = [];
    const errors: ApiError[] = [];
    const { f, calls } = fakeFetch([
      'event: reset\nid: 9-t\ndata: {"reason":"expired"}\n\nevent: end\nid: 9-t\ndata: {"reason":"unauthorized"}\n\n',
    ]);
    followChanges({ session: { tenant: "acme", key: "k" }, model: "order", from: "1-t", onChange: () => {}, onReset: (p) => resets.push(p), onError: (e) => errors.push(e), fetch: f, retryMs: 1 });
    await until(() => errors.length === 1);
    expect(resets).toEqual(["9-t"]);
    expect(errors[0].status).toBe(401);
    expect(calls[0].headers["Last-Event-ID"]).toBe("1-t");
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.length).toBe(1);

    const bad = fakeFetch([{ status: 400, body: '{"code":"invalid","detail":"the query is not valid","errors":[{"path":"nosuch","code":"unknown_field"}]}' }]);
    const refused: ApiError[] = [];
    followChanges({ session: { tenant: "acme", key: "k" }, model: "order", onChange: () => {}, onError: (e) => refused.push(e), fetch: bad.f, retryMs: 1 });
    await until(() => refused.length === 1);
    expect(refused[0].problems[0].path).toBe("nosuch");
    await new Promise((r) => setTimeout(r, 20));
    expect(bad.calls.length).toBe(1);
  });

  it("retries when the server is busy", async () => {
    const { f, calls } = fakeFetch([{ status: 429, body: "{}" }, 'event: ready\nid: 1-t\ndata: {}\n\n']);
    const ready: string[] = [];
    const c = followChanges({ session: { tenant: "acme", key: "k" }, model: "order", onChange: () => {}, onReady: (p) => ready.push(p), fetch: f, retryMs: 1 });
    await until(() => ready.length === 1);
    c.close();
    expect(calls.length).toBeGreaterThanOrEqual(2);
  });
});
