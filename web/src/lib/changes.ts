// changes.ts follows a model's record changes as they commit (GET
// /api/v1/t/{tenant}/data/{model}/changes, Server-Sent Events), resuming where it left
// off after any break. It reads the stream with fetch, not EventSource: EventSource
// cannot send the key in an Authorization header. docs/realtime.md has the server side.

import { ApiError, problemFrom, type Session } from "./api";

/** The events of a record change, as the stream (and webhooks) name them. */
export type RecordEventType = "record.created" | "record.updated" | "record.deleted";

/** One record change. */
export interface RecordChange<R = Record<string, unknown>> {
  type: RecordEventType;
  /** Where the stream is: resume after it (Last-Event-ID). */
  position: string;
  /** The schema version the record was written with. */
  schemaVersion: number;
  /** The record as the list API answers it (a deleted one as it was), trimmed to fields. */
  record: R;
}

/** What followChanges follows, and whom it tells. */
export interface ChangesOptions<R = Record<string, unknown>> {
  session: Session;
  model: string;
  /** List filters and fields, e.g. {country: "PL", fields: "id,total"}. */
  query?: Record<string, string>;
  /** A position to resume after; none: changes from now on. */
  from?: string;
  onChange: (change: RecordChange<R>) => void;
  /** The stream is open (again) at position. */
  onReady?: (position: string) => void;
  /** The position resumed from is past the server's resume window: reload what is shown. */
  onReset?: (position: string) => void;
  /** The server refused the stream (a bad filter, a role without get, a revoked key): it stops. */
  onError?: (error: ApiError) => void;
  /** Pause before reconnecting after a break (ms, default 1000). */
  retryMs?: number;
  /** The API's origin; "" (default): the page's. */
  base?: string;
  fetch?: typeof fetch;
}

/** A followed stream. */
export interface Changes {
  /** The last position seen: where a new stream would resume. */
  readonly position: string | undefined;
  /** Stops following. */
  close(): void;
}

/** One Server-Sent Event; comments (heartbeats) are not events. */
export interface SSEvent {
  event: string;
  id: string;
  data: string;
}

/** SSEParser splits a stream's text, fed in any pieces, into events. */
export class SSEParser {
  private buf = "";

  /** push adds text and returns the events it completed. */
  push(text: string): SSEvent[] {
    this.buf += text.replace(/\r\n?/g, "\n");
    const out: SSEvent[] = [];
    let end: number;
    while ((end = this.buf.indexOf("\n\n")) >= 0) {
      const block = this.buf.slice(0, end);
      this.buf = this.buf.slice(end + 2);
      const ev: SSEvent = { event: "message", id: "", data: "" };
      let any = false;
      for (const line of block.split("\n")) {
        if (line === "" || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") ev.event = value;
        else if (field === "id") ev.id = value;
        else if (field === "data") ev.data = ev.data ? ev.data + "\n" + value : value;
        else continue;
        any = true;
      }
      if (any) out.push(ev);
    }
    return out;
  }
}

const recordEvents = new Set<string>(["record.created", "record.updated", "record.deleted"]);

/** followChanges opens a model's change stream and keeps it open until close. */
export function followChanges<R = Record<string, unknown>>(o: ChangesOptions<R>): Changes {
  const doFetch = o.fetch ?? globalThis.fetch.bind(globalThis);
  const retry = o.retryMs ?? 1000;
  const abort = new AbortController();
  let position = o.from;
  let closed = false;
  const qs = new URLSearchParams(o.query ?? {}).toString();
  const url = `${o.base ?? ""}/api/v1/t/${encodeURIComponent(o.session.tenant)}/data/${encodeURIComponent(o.model)}/changes${qs ? "?" + qs : ""}`;
  const pause = () => new Promise<void>((done) => setTimeout(done, retry));

  // handle dispatches one event; false: stop following.
  const handle = (ev: SSEvent): boolean => {
    if (ev.id) position = ev.id;
    if (recordEvents.has(ev.event)) {
      const d = JSON.parse(ev.data) as { schema_version: number; record: R };
      o.onChange({ type: ev.event as RecordEventType, position: ev.id, schemaVersion: d.schema_version, record: d.record });
    } else if (ev.event === "ready") {
      o.onReady?.(ev.id);
    } else if (ev.event === "reset") {
      o.onReset?.(ev.id);
    } else if (ev.event === "end" && ev.data.includes('"unauthorized"')) {
      o.onError?.(new ApiError(401, "the key no longer admits this stream", { code: "unauthorized" }));
      return false;
    }
    return true;
  };

  const run = async () => {
    while (!closed) {
      let res: Response;
      try {
        const headers: Record<string, string> = { Authorization: `Bearer ${o.session.key}`, Accept: "text/event-stream" };
        if (position) headers["Last-Event-ID"] = position;
        res = await doFetch(url, { headers, signal: abort.signal });
      } catch {
        if (!closed) await pause();
        continue;
      }
      if (!res.ok) {
        const err = problemFrom(res.status, res.statusText, await res.text().catch(() => ""));
        if (res.status === 429 || res.status >= 500) {
          await pause();
          continue;
        }
        o.onError?.(err);
        return;
      }
      const parser = new SSEParser();
      const decoder = new TextDecoder();
      const reader = res.body?.getReader();
      let going = true;
      try {
        while (reader && going && !closed) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const ev of parser.push(decoder.decode(value, { stream: true }))) {
            if (!handle(ev)) going = false;
          }
        }
      } catch {
        // the connection broke: resume below
      }
      if (!going) return;
      // The server ended the stream (overflow, a schema change) or it broke: resume
      // after a pause, from the last position seen.
      if (!closed) await pause();
    }
  };
  void run();
  return {
    get position() {
      return position;
    },
    close() {
      closed = true;
      abort.abort();
    },
  };
}
