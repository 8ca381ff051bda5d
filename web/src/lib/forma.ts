// forma.ts loads Go's wasm_exec.js and forma.wasm once and wraps globalThis.forma (JSON
// strings in and out, an Error value on failure) into typed functions that parse the
// JSON and throw. The server runs the same Go code, so what these answer is what the
// server would answer.

import type { Role } from "./roles";
import type { AggregateResult, EditResult, Field, FieldType, Model, Op, Problem, RecordResult } from "./types";

/** The raw string API that wasm/main.go registers as globalThis.forma. */
export interface RawForma {
  ready: boolean;
  [name: string]: unknown;
}

/** The typed API of the wasm module. */
export interface Forma {
  fieldTypes(): FieldType[];
  validateSchema(models: Model[]): Problem[];
  validateModel(model: Model, modelNames: string[]): Problem[];
  validateRecord(model: Model, record: Record<string, unknown>, mode: "create" | "replace" | "patch"): RecordResult;
  plan(oldModel: Model | null, newModel: Model): Op[];
  /** The rules of a schema edit, as the server applies them (shared/schema). */
  addField(model: Model, field: Field): EditResult;
  patchField(model: Model, name: string, patch: Record<string, unknown>): EditResult;
  dropField(model: Model, name: string): EditResult;
  renameField(model: Model, name: string, to: string): EditResult;
  /** Every problem of a custom role over the tenant's models (shared/access.Compile), paths as the API's. */
  validateRole(role: Role, models: Model[]): Problem[];
  /** An aggregation's query string read against a model as the server reads it (shared/aggregate); filters are left to the server. */
  validateAggregate(model: Model, query: string): AggregateResult;
  /** Whether the module has the function name (a module built before it was added lacks it). */
  has(name: string): boolean;
}

/** wrap turns the raw API into the typed one; exported for tests. */
export function wrap(raw: RawForma): Forma {
  const invoke = <T>(name: string, ...args: string[]): T => {
    const fn = raw[name];
    if (typeof fn !== "function") throw new Error(`forma: the module has no function ${name}`);
    const out: unknown = fn(...args);
    if (out instanceof Error) throw out;
    if (typeof out !== "string") throw new Error(`forma.${name}: expected a JSON string`);
    return JSON.parse(out) as T;
  };
  const json = (v: unknown) => JSON.stringify(v);
  return {
    fieldTypes: () => invoke("fieldTypes"),
    validateSchema: (models) => invoke("validateSchema", json(models)),
    validateModel: (model, modelNames) => invoke("validateModel", json(model), json(modelNames)),
    validateRecord: (model, record, mode) => invoke("validateRecord", json(model), json(record), mode),
    plan: (oldModel, newModel) => invoke("plan", json(oldModel ?? null), json(newModel)),
    addField: (model, field) => invoke("addField", json(model), json(field)),
    patchField: (model, name, patch) => invoke("patchField", json(model), name, json(patch)),
    dropField: (model, name) => invoke("dropField", json(model), name),
    renameField: (model, name, to) => invoke("renameField", json(model), name, to),
    validateRole: (role, models) => invoke("validateRole", json(role), json(models)),
    validateAggregate: (model, query) => invoke("validateAggregate", json(model), query),
    has: (name) => typeof raw[name] === "function",
  };
}

let loading: Promise<Forma> | undefined;

/** load fetches and starts the module once; later calls share the same promise. */
export function load(base = import.meta.env.BASE_URL): Promise<Forma> {
  loading ??= start(base).catch((err) => {
    loading = undefined; // let a later call try again
    throw err;
  });
  return loading;
}

async function start(base: string): Promise<Forma> {
  await script(base + "wasm_exec.js");
  const Go = (globalThis as unknown as { Go?: new () => GoRuntime }).Go;
  if (typeof Go !== "function") throw new Error("forma: wasm_exec.js did not define Go");
  const go = new Go();
  const res = await fetch(base + "forma.wasm");
  if (!res.ok) throw new Error(`forma: GET forma.wasm answered ${res.status}`);
  // Streaming compilation needs Content-Type: application/wasm; anything else gets bytes.
  const { instance } = res.headers.get("Content-Type")?.startsWith("application/wasm")
    ? await WebAssembly.instantiateStreaming(res, go.importObject)
    : await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject);
  void go.run(instance); // returns when main blocks in select {}; globalThis.forma is set by then
  const raw = (globalThis as unknown as { forma?: RawForma }).forma;
  if (!raw?.ready) throw new Error("forma: the module did not register globalThis.forma");
  return wrap(raw);
}

interface GoRuntime {
  importObject: WebAssembly.Imports;
  run(instance: WebAssembly.Instance): Promise<void>;
}

function script(src: string): Promise<void> {
  if ((globalThis as { Go?: unknown }).Go) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const el = document.createElement("script");
    el.src = src;
    el.onload = () => resolve();
    el.onerror = () => reject(new Error(`forma: cannot load ${src}`));
    document.head.append(el);
  });
}
