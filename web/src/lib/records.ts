// records.ts is the data browser's logic: which columns a model's grid has, which
// filter lookups each field type takes (as its description in the wasm module says), the
// query string of a page, a stack of cursors for next/previous, sorting by a header,
// and the record form: the input each field type's description names (data, not components),
// what a person types converted to JSON values, and values shown back in inputs.

import { fieldType } from "./fieldtypes.svelte";
import type { Field, InputSpec, Model, Problem } from "./types";

/** A column of the grid: a field of the model or a system column. */
export interface Column {
  name: string;
  label: string;
  type: string;
  system: boolean;
}

/** The columns every table has besides its fields. */
export const systemColumns: Column[] = [
  { name: "id", label: "id", type: "integer", system: true },
  { name: "created_at", label: "created at", type: "datetime", system: true },
  { name: "updated_at", label: "updated at", type: "datetime", system: true },
];

/** fieldsOf returns a model's fields in display order. */
export function fieldsOf(m: Model): Field[] {
  return m.fields
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (a.f.order ?? 0) - (b.f.order ?? 0) || a.i - b.i)
    .map(({ f }) => f);
}

/** columnsOf lists the grid's columns: id, the fields in order, then the timestamps. */
export function columnsOf(m: Model): Column[] {
  const fields = fieldsOf(m).map((f) => ({ name: f.name, label: f.label || f.name, type: f.type, system: false }));
  return [systemColumns[0], ...fields, ...systemColumns.slice(1)];
}

// What each type takes comes from its description in the wasm module (fieldtypes.svelte.ts):
// until the module has loaded, no type takes a lookup or sorts.

/** lookupsFor lists the filter lookups a field of type takes ("" is equality). */
export function lookupsFor(type: string): string[] {
  return fieldType(type)?.lookups ?? [];
}

/** sortable tells whether the grid may be sorted by a column of type. */
export function sortable(type: string): boolean {
  return fieldType(type)?.sortable ?? false;
}

/** What each lookup is called in the filter's menu. */
export const lookupLabels: Record<string, string> = {
  "": "is",
  ne: "is not",
  lt: "is less than",
  lte: "is at most",
  gt: "is greater than",
  gte: "is at least",
  in: "is one of (a,b,c)",
  contains: "contains",
  icontains: "contains (any case)",
  startswith: "starts with",
  isnull: "is empty",
};

/** One filter of the grid. */
export interface Filter {
  field: string;
  lookup: string;
  value: string;
}

/** filterParam is a filter's query parameter name: "value__gte", or "country" for equality. */
export function filterParam(f: Filter): string {
  return f.lookup ? `${f.field}__${f.lookup}` : f.field;
}

/** describeFilter says a filter in words: "value is at least 3". */
export function describeFilter(f: Filter): string {
  if (f.lookup === "isnull") return `${f.field} ${f.value === "false" ? "is not empty" : "is empty"}`;
  return `${f.field} ${lookupLabels[f.lookup] ?? f.lookup} ${f.value}`.replace(" (a,b,c)", "");
}

/** Sort is the grid's order: one column, ascending or descending; null is the server's default (id). */
export type Sort = { field: string; desc: boolean } | null;

/** nextSort is the order after clicking column's header: ascending, descending, then none. */
export function nextSort(s: Sort, column: string): Sort {
  if (!s || s.field !== column) return { field: column, desc: false };
  if (!s.desc) return { field: column, desc: true };
  return null;
}

/** sortParam renders the order for ?sort= (id breaks ties so that pages are stable). */
export function sortParam(s: Sort): string | undefined {
  if (!s) return undefined;
  const key = (s.desc ? "-" : "") + s.field;
  return s.field === "id" ? key : `${key},${s.desc ? "-" : ""}id`;
}

/** listQuery is the query of one page of the grid. */
export function listQuery(filters: Filter[], sort: Sort, limit: number, cursor?: string): Record<string, string> {
  const q: Record<string, string> = {};
  for (const f of filters) q[filterParam(f)] = f.value;
  const s = sortParam(sort);
  if (s) q.sort = s;
  q.limit = String(limit);
  if (cursor) q.cursor = cursor;
  return q;
}

/**
 * Pages walks a list with keyset cursors: stack[i] is the cursor that fetches page i
 * (page 0 has none), so "previous" pops back to a cursor already seen.
 */
export interface Pages {
  stack: (string | undefined)[];
  next: string | undefined;
}

export const firstPage = (): Pages => ({ stack: [undefined], next: undefined });

/** current is the cursor of the page on display. */
export const current = (p: Pages): string | undefined => p.stack[p.stack.length - 1];

/** forward moves to the next page (when there is one). */
export function forward(p: Pages): Pages {
  return p.next ? { stack: [...p.stack, p.next], next: undefined } : p;
}

/** back moves to the previous page (when there is one). */
export function back(p: Pages): Pages {
  return p.stack.length > 1 ? { stack: p.stack.slice(0, -1), next: undefined } : p;
}

/** pageNumber is the 1-based number of the page on display. */
export const pageNumber = (p: Pages): number => p.stack.length;

// --- the record form ------------------------------------------------------------------

// A type the module does not describe is typed as text.
const plainInput: InputSpec = { control: "input", html: "text", parse: "text" };

/** inputFor describes the input of a field: a select when it has choices. */
export function inputFor(f: Field): InputSpec {
  const spec = fieldType(f.type)?.input ?? plainInput;
  if (f.choices?.length && spec.control === "input") return { ...spec, control: "select" };
  return spec;
}

/** Options of a select: [value as typed, text shown]. */
export function selectOptions(f: Field): [string, string][] {
  const none: [string, string] = ["", f.required ? "Choose…" : "(empty)"];
  if (inputFor(f).parse === "bool") return [none, ["true", "Yes"], ["false", "No"]];
  return [none, ...(f.choices ?? []).map((c): [string, string] => [toInput(c), toInput(c)])];
}

/** A value that could not be read from its input (JSON that does not parse). */
export const unreadable = Symbol("unreadable");

/**
 * fromInput converts an input's text to the field's JSON value. Empty text is
 * undefined (left out). A value that does not convert is kept as text, so that the wasm
 * validation says what is wrong with the server's own message.
 */
export function fromInput(f: Field, raw: string): unknown {
  const spec = inputFor(f);
  if (raw === "" || (spec.parse !== "text" && raw.trim() === "")) return undefined;
  switch (spec.parse) {
    case "text":
      if (f.choices?.length) {
        // a choice of a number field is listed as its JSON text
        const c = f.choices.find((c) => toInput(c) === raw);
        return c === undefined ? raw : c;
      }
      return raw;
    case "bool":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "json":
      try {
        const v: unknown = JSON.parse(raw.trim());
        return typeof v === "number" || typeof v === "boolean" || v === null ? v : raw;
      } catch {
        return raw;
      }
    case "json-strict":
      try {
        return JSON.parse(raw);
      } catch {
        return unreadable;
      }
  }
}

/** toInput renders a stored value in its input. */
export function toInput(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** The form's result: the body to send and problems found while reading the inputs. */
export interface FormRead {
  body: Record<string, unknown>;
  problems: Problem[];
}

/**
 * readForm builds the body of a create (every typed field) or of a PATCH (the fields
 * whose text changed from initial; a cleared field is null).
 */
export function readForm(fields: Field[], texts: Record<string, string>, initial: Record<string, string> | null): FormRead {
  const body: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const f of fields) {
    const raw = texts[f.name] ?? "";
    if (initial && raw === (initial[f.name] ?? "")) continue;
    const v = fromInput(f, raw);
    if (v === unreadable) {
      problems.push({ path: f.name, code: "invalid_json", message: "must be valid JSON" });
      continue;
    }
    if (v === undefined) {
      if (initial) body[f.name] = null;
      continue;
    }
    body[f.name] = v;
  }
  return { body, problems };
}

/** textsOf renders a record's values for the form's inputs. */
export function textsOf(fields: Field[], rec: Record<string, unknown> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[f.name] = rec ? toInput(rec[f.name]) : f.default === undefined ? "" : toInput(f.default);
  return out;
}

/** byField sorts problems by the field they name ("country", "[0].country" or "fields.country"); "" for the rest. */
export function byField(problems: Problem[], names: string[]): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const p of problems) {
    const m = /^(?:\[\d+\]\.)?([a-z][a-z0-9_]*)/.exec(p.path);
    const key = m && names.includes(m[1]) ? m[1] : "";
    out.set(key, [...(out.get(key) ?? []), p]);
  }
  return out;
}

/** cell renders a value for a grid cell. */
export function cell(v: unknown, type: string): string {
  if (v === undefined || v === null) return "—";
  const wire = fieldType(type)?.wire;
  if (wire === "boolean") return v ? "yes" : "no";
  if (wire === "timestamp" && typeof v === "string") {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : d.toISOString().replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
  }
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}
