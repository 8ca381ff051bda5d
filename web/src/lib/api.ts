// api.ts talks to Forma's HTTP API (/api/v1) with the tenant key, and turns RFC 9457
// problem documents into ApiError values that carry the validation problems.

import type { Role } from "./roles";
import type { Model, Op, Problem } from "./types";

/** Who is signed in: a tenant slug and one of its keys. */
export interface Session {
  tenant: string;
  key: string;
}

/** An answer of the API that is not a success, or a failure to reach it (status 0). */
export class ApiError extends Error {
  readonly status: number;
  /** The problem document's machine code (e.g. "stale_version"), when it has one. */
  readonly code: string;
  /** Validation problems (errors[]), with paths into the request body. */
  readonly problems: Problem[];
  /** The whole problem document, for members such as a refused plan. */
  readonly body: Record<string, unknown>;

  constructor(status: number, message: string, body: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    this.code = typeof body.code === "string" ? body.code : "";
    this.problems = Array.isArray(body.errors) ? (body.errors as Problem[]) : [];
  }
}

/** problemFrom builds the ApiError of a failed response from its status and body text. */
export function problemFrom(status: number, statusText: string, text: string): ApiError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: a proxy's page or plain text
  }
  const detail = typeof body.detail === "string" && body.detail ? body.detail : "";
  const title = typeof body.title === "string" && body.title ? body.title : statusText;
  return new ApiError(status, detail || title || `HTTP ${status}`, body);
}

/** The tenant's whole schema as GET /schema answers it. */
export interface SchemaSnapshot {
  models: Model[];
  version: number;
  hash?: string;
}

/** What PUT /models/{model} answers. */
export interface Applied {
  model: Model;
  plan: Op[];
  version: number;
}

/** What POST /models/{model}/plan answers: the plan and the exact SQL it would run. */
export interface DryRun {
  plan: Op[];
  sql: string[];
  version?: number;
  /** The option the change would be refused without ("allow_data_loss"); absent when it would run as sent. */
  refusedWithout?: string;
}

type Fetch = typeof fetch;

interface RequestOptions {
  body?: unknown;
  /** A schema version: sent quoted, If-Match: "3". */
  ifMatch?: string | number;
  /** An ETag as the server sent it (already quoted). */
  ifMatchETag?: string;
  query?: Record<string, string | number | boolean | undefined>;
}

/** A record as the data API answers it: system columns and the model's fields. */
export type DataRecord = Record<string, unknown> & { id: number };

/** One page of records. */
export interface RecordPage {
  data: DataRecord[];
  next_cursor?: string;
}

/** One applied schema change (GET /schema/history). */
export interface HistoryEntry {
  version: number;
  actor: string;
  at: string;
  ops: Op[] | null;
  sql: string[] | null;
  before: Model[] | null;
  after: Model[] | null;
}

/** A key of the tenant; key (the secret) only in the answer that created it. */
export interface TenantKey {
  id: number;
  name: string;
  /** A built-in role (admin, write, read) or a custom role's name. */
  role: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  key?: string;
}

/** Api is a client of one tenant's API with one key. */
export class Api {
  readonly session: Session;
  private readonly fetch: Fetch;
  private readonly base: string;

  private readonly xhr: () => XMLHttpRequest;

  constructor(session: Session, fetchFn: Fetch = (...a) => globalThis.fetch(...a), base = "/api/v1", xhr = () => new XMLHttpRequest()) {
    this.session = session;
    this.fetch = fetchFn;
    this.base = base;
    this.xhr = xhr;
  }

  /** path is the address of a tenant route with its query. */
  private path(route: string, query: Record<string, string | number | boolean | undefined> = {}): string {
    const url = new URL(`${this.base}/t/${encodeURIComponent(this.session.tenant)}${route}`, "http://x");
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url.pathname + url.search;
  }

  /** request sends one request under /t/{tenant} and parses the JSON answer. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return (await this.send<T>(method, path, opts)).body;
  }

  /** send is request with the answer's headers too (for ETag). */
  async send<T>(method: string, path: string, opts: RequestOptions = {}): Promise<{ body: T; headers: Headers }> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.session.key}`,
      Accept: "application/json, application/problem+json",
    };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (opts.ifMatch !== undefined) headers["If-Match"] = `"${opts.ifMatch}"`;
    if (opts.ifMatchETag) headers["If-Match"] = opts.ifMatchETag;
    let res: Response;
    try {
      res = await this.fetch(this.path(path, opts.query), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch {
      throw new ApiError(0, "Cannot reach the Forma server. Check your connection and try again.");
    }
    const text = await res.text();
    if (!res.ok) throw problemFrom(res.status, res.statusText, text);
    return { body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  /** whoami checks the key: it answers for any role of the tenant. */
  whoami(): Promise<Record<string, unknown>> {
    return this.request("GET", "");
  }

  /** schema returns every model of the tenant and the schema version. */
  async schema(): Promise<SchemaSnapshot> {
    const body = await this.request<Record<string, unknown>>("GET", "/schema");
    return { models: listOf<Model>(body, "models"), version: Number(body.version ?? 0), hash: body.hash as string };
  }

  /** models lists the tenant's models. */
  async models(): Promise<Model[]> {
    return listOf<Model>(await this.request("GET", "/models"), "models");
  }

  /** dryRun asks the server what applying model would do, without doing it. */
  async dryRun(model: Model, allowDataLoss = false): Promise<DryRun> {
    const body = await this.request<Record<string, unknown>>("POST", `/models/${encodeURIComponent(model.name)}/plan`, {
      body: model,
      query: { allow_data_loss: allowDataLoss || undefined },
    });
    const refused = typeof body.refused_without === "string" && body.refused_without ? body.refused_without : undefined;
    return { plan: listOf<Op>(body, "plan"), sql: sqlOf(body.sql), version: body.version as number | undefined, refusedWithout: refused };
  }

  /** apply saves model if the schema is still at version; 412 when it is not. */
  async apply(model: Model, version: number | undefined, allowDataLoss = false): Promise<Applied> {
    const body = await this.request<Record<string, unknown>>("PUT", `/models/${encodeURIComponent(model.name)}`, {
      body: model,
      ifMatch: version,
      query: { allow_data_loss: allowDataLoss || undefined },
    });
    return {
      model: (body.model as Model) ?? model,
      plan: listOf<Op>(body, "plan"),
      version: Number(body.version ?? version ?? 0),
    };
  }

  /** history lists applied schema changes, newest first; before pages back. */
  async history(before?: number, limit = 50): Promise<{ entries: HistoryEntry[]; nextBefore?: number }> {
    const body = await this.request<Record<string, unknown>>("GET", "/schema/history", { query: { before, limit } });
    return { entries: listOf<HistoryEntry>(body, "data"), nextBefore: body.next_before as number | undefined };
  }

  /** records lists one page of a model's records. */
  async records(model: string, query: Record<string, string>): Promise<RecordPage> {
    const body = await this.request<Record<string, unknown>>("GET", `/data/${encodeURIComponent(model)}`, { query });
    const next = typeof body.next_cursor === "string" && body.next_cursor ? body.next_cursor : undefined;
    return { data: listOf<DataRecord>(body, "data"), next_cursor: next };
  }

  /** record reads one record and its ETag (for If-Match on the edit). */
  async record(model: string, id: number | string): Promise<{ record: DataRecord; etag: string }> {
    const { body, headers } = await this.send<DataRecord>("GET", `/data/${encodeURIComponent(model)}/${encodeURIComponent(String(id))}`);
    return { record: body, etag: headers.get("ETag") ?? "" };
  }

  /** createRecord creates one record. */
  createRecord(model: string, values: Record<string, unknown>): Promise<DataRecord> {
    return this.request("POST", `/data/${encodeURIComponent(model)}`, { body: values });
  }

  /** patchRecord changes some fields of a record if it is still at etag (412 when not). */
  async patchRecord(model: string, id: number | string, values: Record<string, unknown>, etag: string): Promise<{ record: DataRecord; etag: string }> {
    const { body, headers } = await this.send<DataRecord>("PATCH", `/data/${encodeURIComponent(model)}/${encodeURIComponent(String(id))}`, {
      body: values,
      ifMatchETag: etag || undefined,
    });
    return { record: body, etag: headers.get("ETag") ?? "" };
  }

  /** deleteRecord deletes a record. */
  async deleteRecord(model: string, id: number | string): Promise<void> {
    await this.request("DELETE", `/data/${encodeURIComponent(model)}/${encodeURIComponent(String(id))}`);
  }

  /**
   * exportRecords fetches every record a list query selects as one file (the key goes in
   * a header, which a plain link cannot send); the body is read whole into a Blob.
   */
  async exportRecords(model: string, query: Record<string, string>): Promise<{ blob: Blob; disposition: string | null }> {
    let res: Response;
    try {
      res = await this.fetch(this.path(`/data/${encodeURIComponent(model)}/export`, query), {
        headers: { Authorization: `Bearer ${this.session.key}` },
      });
    } catch {
      throw new ApiError(0, "Cannot reach the Forma server. Check your connection and try again.");
    }
    if (!res.ok) throw problemFrom(res.status, res.statusText, await res.text());
    try {
      return { blob: await res.blob(), disposition: res.headers.get("Content-Disposition") };
    } catch {
      throw new ApiError(0, "The export was broken off before its end. Try again.");
    }
  }

  /**
   * importRecords posts a file of records (CSV or NDJSON, as contentType says) with
   * XMLHttpRequest, whose upload events report progress (fetch has none); it answers
   * how many records were created, all or none.
   */
  importRecords(model: string, file: Blob, contentType: string, onProgress: (loaded: number, total: number) => void): Promise<{ created: number }> {
    return new Promise((resolve, reject) => {
      const x = this.xhr();
      x.open("POST", this.path(`/data/${encodeURIComponent(model)}`));
      x.setRequestHeader("Authorization", `Bearer ${this.session.key}`);
      x.setRequestHeader("Accept", "application/json, application/problem+json");
      x.setRequestHeader("Content-Type", contentType);
      x.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      x.onerror = () => reject(new ApiError(0, "Cannot reach the Forma server. Check your connection and try again."));
      x.onload = () => {
        if (x.status < 200 || x.status >= 300) return reject(problemFrom(x.status, x.statusText, x.responseText));
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(x.responseText) as Record<string, unknown>;
        } catch {
          // an answer without a body: the count is unknown
        }
        const created = typeof body.created === "number" ? body.created : listOf(body, "data").length;
        resolve({ created });
      };
      x.send(file);
    });
  }

  /** aggregate answers a model's records grouped and measured (GET /data/{model}/aggregate). */
  async aggregate(model: string, query: Record<string, string>): Promise<Record<string, unknown>[]> {
    return listOf<Record<string, unknown>>(await this.request("GET", `/data/${encodeURIComponent(model)}/aggregate`, { query }), "data");
  }

  /** keys lists the tenant's keys (without secrets). */
  async keys(): Promise<TenantKey[]> {
    return listOf<TenantKey>(await this.request("GET", "/keys"), "data");
  }

  /** createKey makes a key; the answer holds the secret, shown once. */
  createKey(name: string, role: string): Promise<TenantKey> {
    return this.request("POST", "/keys", { body: { name, role } });
  }

  /** revokeKey revokes a key at once. */
  async revokeKey(id: number): Promise<void> {
    await this.request("DELETE", `/keys/${id}`);
  }

  /** roles lists the tenant's custom roles and the schema version they belong to. */
  async roles(): Promise<{ roles: NamedRole[]; version?: number }> {
    const body = await this.request<Record<string, unknown>>("GET", "/roles");
    return { roles: listOf<NamedRole>(body, "roles"), version: versionOf(body) };
  }

  /** role reads one custom role. */
  async role(name: string): Promise<{ role: NamedRole; version?: number }> {
    const body = await this.request<Record<string, unknown>>("GET", `/roles/${encodeURIComponent(name)}`);
    const role = (body.role && typeof body.role === "object" ? body.role : body) as NamedRole;
    return { role: { ...role, name: role.name ?? name }, version: versionOf(body) };
  }

  /** putRole creates or replaces a custom role (a schema change) if the schema is still at version. */
  async putRole(name: string, role: Role, version?: number): Promise<{ role: NamedRole; version?: number }> {
    const body = await this.request<Record<string, unknown>>("PUT", `/roles/${encodeURIComponent(name)}`, { body: role, ifMatch: version });
    const saved = (body?.role && typeof body.role === "object" ? body.role : body ?? role) as NamedRole;
    return { role: { ...saved, name }, version: versionOf(body) };
  }

  /** deleteRole deletes a custom role; 409 while unrevoked keys hold it. */
  async deleteRole(name: string, version?: number): Promise<void> {
    await this.request("DELETE", `/roles/${encodeURIComponent(name)}`, { ifMatch: version });
  }

  /** authSettings reads how the tenant verifies its users' tokens; null when tokens are off ({"jwt": null}). */
  async authSettings(): Promise<AuthSettings | null> {
    const body = await this.request<Record<string, unknown>>("GET", "/auth");
    return body && typeof body.jwt === "object" && body.jwt ? (body as unknown as AuthSettings) : null;
  }

  /** putAuth sets how the tenant verifies its users' tokens. */
  putAuth(settings: AuthSettings): Promise<AuthSettings> {
    return this.request("PUT", "/auth", { body: settings });
  }

  /** deleteAuth turns end-user tokens off. */
  async deleteAuth(): Promise<void> {
    await this.request("DELETE", "/auth");
  }

  /** testToken asks the server whether it would take token, and as whom. */
  testToken(token: string): Promise<TokenTest> {
    return this.request("POST", "/auth/test", { body: { token } });
  }
}

/** A custom role as GET /roles lists it. */
export type NamedRole = Role & { name: string };

/** How a tenant verifies JSON Web Tokens (GET/PUT /auth). */
export interface AuthSettings {
  jwt: {
    algorithm?: string;
    /** Sent to set an HS256 secret; never answered (secret_set says whether there is one). */
    secret?: string;
    secret_set?: boolean;
    public_key?: string;
    jwks_url?: string;
    issuer?: string;
    audience?: string;
    role_claim?: string;
    default_role?: string;
    allowed_roles?: string[];
  };
}

/** What POST /auth/test answers. */
export type TokenTest =
  | { valid: true; role: string; claims: Record<string, unknown> }
  | { valid: false; code: string; reason: string };

function versionOf(body: unknown): number | undefined {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>).version : undefined;
  return typeof v === "number" ? v : undefined;
}

/** listOf reads a list that an endpoint answers bare, as {key: [...]} or as {data: [...]}. */
export function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object") {
    const o = body as Record<string, unknown>;
    for (const k of [key, "data"]) if (Array.isArray(o[k])) return o[k] as T[];
  }
  return [];
}

/** sqlOf reads the SQL of a dry run as a list of statements. */
export function sqlOf(sql: unknown): string[] {
  if (Array.isArray(sql)) return sql.map(String);
  if (typeof sql === "string" && sql.trim()) return [sql];
  return [];
}
