// editor.ts is the model editor's state and every change the designer can make to it,
// as plain functions over a Draft (Svelte's $state proxies mutate it in place; tests
// pass plain objects). Fields keep their server-assigned id through renames, reorders
// and retypes, so the plan tells a rename from a drop and an add.

import type { Forma } from "./forma";
import type { EditResult, Field, FieldType, Model } from "./types";

/** One field being edited; key is the editor's own stable handle, never sent. */
export interface Row {
  key: string;
  field: Field;
  /**
   * The name unique_together and indexes know this field by, when a rename refused
   * while it was typed (a name another field has) left them behind the field's name.
   */
  followed?: string;
}

/** A model being edited. */
export interface Draft {
  name: string;
  label: string;
  description: string;
  admin: boolean;
  uniqueTogether: string[][];
  /** The model's indexes: each its columns in order, "-" in front of a descending one. */
  indexes: string[][];
  rows: Row[];
}

let seq = 0;

/** newKey returns a key no other row of this page has. */
export function newKey(): string {
  seq += 1;
  return `r${seq}`;
}

/** fromModel starts a draft from a saved model (null: a new model), fields in display order. */
export function fromModel(m: Model | null): Draft {
  const fields = (m?.fields ?? [])
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (a.f.order ?? 0) - (b.f.order ?? 0) || a.i - b.i)
    .map(({ f }) => clone(f));
  return {
    name: m?.name ?? "",
    label: m?.label ?? "",
    description: m?.description ?? "",
    admin: m?.admin ?? false,
    uniqueTogether: clone(m?.unique_together ?? []),
    indexes: clone(m?.indexes ?? []),
    rows: fields.map((field) => ({ key: newKey(), field })),
  };
}

/** clone deep-copies JSON data, including Svelte state proxies (which structuredClone refuses). */
function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** toModel renders the draft as the JSON definition the server and the wasm module take. */
export function toModel(d: Draft): Model {
  const m: Model = { name: d.name, fields: d.rows.map((r, i) => cleanField(r.field, i + 1)) };
  if (d.label.trim()) m.label = d.label.trim();
  if (d.description.trim()) m.description = d.description.trim();
  if (d.admin) m.admin = true;
  if (d.uniqueTogether.length) m.unique_together = d.uniqueTogether.map((g) => [...g]);
  if (d.indexes.length) m.indexes = d.indexes.map((ix) => [...ix]);
  return m;
}

/** cleanField drops empty attributes so that an untouched field compares equal to the saved one. */
function cleanField(f: Field, order: number): Field {
  const out: Field = { name: f.name, type: f.type };
  if (f.id) out.id = f.id;
  for (const k of ["label", "help", "description", "related_model"] as const) {
    const v = f[k]?.trim();
    if (v) out[k] = v;
  }
  out.order = order;
  for (const k of ["required", "unique", "index"] as const) if (f[k]) out[k] = true;
  if (f.choices?.length) out.choices = [...f.choices];
  if (f.default !== undefined && f.default !== null && f.default !== "") out.default = f.default;
  const opts = Object.entries(f.options ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== "");
  if (opts.length) out.options = Object.fromEntries(opts);
  return out;
}

/** same reports whether two drafts define the same model (ignoring the editor's keys). */
export function same(a: Draft, b: Draft): boolean {
  return JSON.stringify(toModel(a)) === JSON.stringify(toModel(b));
}

/** addField appends a field of type and returns its row key. */
export function addField(d: Draft, type = "text"): string {
  const taken = new Set(d.rows.map((r) => r.field.name));
  let n = d.rows.length + 1;
  while (taken.has(`field_${n}`)) n++;
  const key = newKey();
  d.rows.push({ key, field: { name: `field_${n}`, type } });
  return key;
}

/**
 * The wasm module's field edits. What happens to unique_together and indexes when a
 * field goes or is renamed is shared/schema's rule, the one the server applies.
 */
export type Edits = Pick<Forma, "dropField" | "renameField">;

/**
 * removeField drops a field; the module says which unique_together groups and indexes
 * go with it. Without the module (still loading) only the row goes, and validation
 * will name what still refers to it.
 */
export function removeField(d: Draft, key: string, edits: Edits | null): void {
  const i = d.rows.findIndex((r) => r.key === key);
  if (i < 0) return;
  const name = d.rows[i].followed ?? d.rows[i].field.name;
  const model = toModel(d);
  model.fields[i] = { ...model.fields[i], name }; // as the groups know it
  follow(d, () => edits?.dropField(model, name));
  d.rows.splice(i, 1);
}

/** moveField moves a field by delta places (-1 up, +1 down); false when it cannot move. */
export function moveField(d: Draft, key: string, delta: number): boolean {
  const i = d.rows.findIndex((r) => r.key === key);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= d.rows.length) return false;
  const [row] = d.rows.splice(i, 1);
  d.rows.splice(j, 0, row);
  return true;
}

/** renameField renames a field, keeping its id; the module renames it in unique_together and indexes. */
export function renameField(d: Draft, key: string, name: string, edits: Edits | null): void {
  const i = d.rows.findIndex((r) => r.key === key);
  if (i < 0) return;
  const row = d.rows[i];
  const from = row.followed ?? row.field.name;
  if (from !== name) {
    const model = toModel(d);
    model.fields[i] = { ...model.fields[i], name: from }; // as the groups know it
    row.followed = follow(d, () => edits?.renameField(model, from, name)) ? undefined : from;
  } else {
    row.followed = undefined;
  }
  row.field.name = name;
}

/**
 * follow takes unique_together and indexes from the module's answer to an edit. An edit
 * it refuses leaves them as they are: a name that two fields have for a moment while
 * one is typed tells no field from the other, and validation reports the name.
 */
function follow(d: Draft, edit: () => EditResult | undefined): boolean {
  let out: EditResult | undefined;
  try {
    out = edit();
  } catch {
    return false; // the module failed: the draft stays as it is, for validation to judge
  }
  if (!out?.model) return false;
  d.uniqueTogether = out.model.unique_together ?? [];
  d.indexes = out.model.indexes ?? [];
  return true;
}

/**
 * retypeField changes a field's type, keeping what the new type can take: options of the
 * same name and kind, choices, related_model, unique and index. The default is kept for
 * validation to judge.
 */
export function retypeField(d: Draft, key: string, type: string, types: FieldType[]): void {
  const row = d.rows.find((r) => r.key === key);
  if (!row) return;
  const f = row.field;
  const from = types.find((t) => t.name === f.type);
  const to = types.find((t) => t.name === type);
  f.type = type;
  if (!to) return;
  const kept: Record<string, unknown> = {};
  for (const spec of to.options) {
    const old = from?.options.find((o) => o.name === spec.name);
    const v = f.options?.[spec.name];
    if (old && old.kind === spec.kind && v !== undefined) kept[spec.name] = v;
  }
  f.options = kept;
  if (!to.relation) delete f.related_model;
  if (!to.choices) delete f.choices;
  if (!to.unique) {
    delete f.unique;
    delete f.index;
  }
}

/** setOption sets one option of a field; undefined removes it. */
export function setOption(d: Draft, key: string, name: string, value: unknown): void {
  const row = d.rows.find((r) => r.key === key);
  if (!row) return;
  const opts = { ...(row.field.options ?? {}) };
  if (value === undefined) delete opts[name];
  else opts[name] = value;
  row.field.options = opts;
}

/** toggleTogether adds or removes a field name in unique_together group g. */
export function toggleTogether(d: Draft, g: number, name: string, on: boolean): void {
  const group = d.uniqueTogether[g];
  if (!group) return;
  const has = group.includes(name);
  if (on && !has) group.push(name);
  if (!on && has) group.splice(group.indexOf(name), 1);
}

/** The system columns every table has; an index may use them (lists sort by them). */
export const systemColumns = ["id", "created_at", "updated_at"];

/** indexColumn reads one column of an index: "-timestamp" is timestamp, descending. */
export function indexColumn(col: string): { name: string; desc: boolean } {
  return col.startsWith("-") ? { name: col.slice(1), desc: true } : { name: col, desc: false };
}

/** writeColumn writes one column of an index as the definition does. */
export function writeColumn(name: string, desc: boolean): string {
  return desc ? `-${name}` : name;
}

/** indexableColumns lists what an index may name: the named fields of a type that can be indexed, then the system columns. */
export function indexableColumns(d: Draft, types: FieldType[]): string[] {
  const fields = d.rows
    .filter((r) => r.field.name && types.find((t) => t.name === r.field.type)?.unique !== false)
    .map((r) => r.field.name);
  return [...new Set([...fields, ...systemColumns])];
}

/** addIndex appends an index of one ascending column and returns its position. */
export function addIndex(d: Draft, column: string): number {
  d.indexes.push([column]);
  return d.indexes.length - 1;
}

/** removeIndex drops index i. */
export function removeIndex(d: Draft, i: number): void {
  if (i >= 0 && i < d.indexes.length) d.indexes.splice(i, 1);
}

/** addIndexColumn appends an ascending column to index i. */
export function addIndexColumn(d: Draft, i: number, column: string): void {
  d.indexes[i]?.push(column);
}

/** setIndexColumn makes column j of index i another column, keeping its direction. */
export function setIndexColumn(d: Draft, i: number, j: number, name: string): void {
  const ix = d.indexes[i];
  if (!ix || j < 0 || j >= ix.length) return;
  ix[j] = writeColumn(name, indexColumn(ix[j]).desc);
}

/** setIndexDirection makes column j of index i descending or ascending. */
export function setIndexDirection(d: Draft, i: number, j: number, desc: boolean): void {
  const ix = d.indexes[i];
  if (!ix || j < 0 || j >= ix.length) return;
  ix[j] = writeColumn(indexColumn(ix[j]).name, desc);
}

/** moveIndexColumn moves column j of index i by delta places; false when it cannot move. */
export function moveIndexColumn(d: Draft, i: number, j: number, delta: number): boolean {
  const ix = d.indexes[i];
  const k = j + delta;
  if (!ix || j < 0 || j >= ix.length || k < 0 || k >= ix.length) return false;
  const [col] = ix.splice(j, 1);
  ix.splice(k, 0, col);
  return true;
}

/** removeIndexColumn drops column j of index i; an index keeps existing when it is left empty (validation says so). */
export function removeIndexColumn(d: Draft, i: number, j: number): void {
  const ix = d.indexes[i];
  if (ix && j >= 0 && j < ix.length) ix.splice(j, 1);
}

/** modelNames lists the names a relation of this draft may point at: the tenant's and its own. */
export function relationTargets(d: Draft, tenantModels: string[]): string[] {
  const names = new Set(tenantModels);
  if (d.name.trim()) names.add(d.name.trim());
  return [...names].sort();
}
