// roles.ts is the Roles screen's logic: a custom role as the API writes it (models and
// fields by name, shared/access.Role) turned into a grid the designer edits (per model,
// per action: allowed or not, filter rows, a field checklist, preset rows) and back, the
// values typed in the grid read by the field's type, and the problems of a role (from
// forma.validateRole or the API) placed in the grid's cells by their paths.

import { fieldType } from "./fieldtypes.svelte";
import { fieldsOf, systemColumns } from "./records";
import type { Model, Problem } from "./types";

/** The actions a rule may allow, in the order the grid shows them (shared/access.Actions). */
export const actions = ["list", "get", "create", "update", "delete"] as const;
export type Action = (typeof actions)[number];

/** The roles every tenant has; a custom role cannot take their names (shared/access.BuiltIn). */
export const builtInRoles = ["admin", "write", "read"] as const;

/** The prefix of a value read from the caller: "$auth.sub" (shared/access.VariablePrefix). */
export const variablePrefix = "$auth.";

/** One rule in the API's form: "fields" is "*" or a list of names. */
export interface Rule {
  filter?: Record<string, unknown>;
  fields?: "*" | string[];
  presets?: Record<string, unknown>;
}

/** A custom role as the API reads and writes it. */
export interface Role {
  name?: string;
  description?: string;
  permissions: Record<string, Partial<Record<Action, Rule>>>;
}

/** One term of a filter being edited: field__lookup = value (the value as typed). */
export interface FilterRow {
  key: string;
  field: string;
  lookup: string;
  value: string;
}

/** One preset being edited: field = value (as typed). */
export interface PresetRow {
  key: string;
  field: string;
  value: string;
}

/** One cell of the grid: what a role may do in one action on one model. */
export interface RuleDraft {
  allowed: boolean;
  filter: FilterRow[];
  /** Every field, now and later ("*"); else fields. */
  all: boolean;
  fields: string[];
  presets: PresetRow[];
}

/** One model's row of the grid. */
export interface ModelRules {
  model: string;
  rules: Record<Action, RuleDraft>;
}

/** A role being edited. */
export interface RoleDraft {
  name: string;
  description: string;
  models: ModelRules[];
}

/** Which parts of a rule an action takes (shared/access: fields on all but delete, presets on create). */
export const takesFields = (a: Action): boolean => a !== "delete";
export const takesPresets = (a: Action): boolean => a === "create";
/** Whether an action reads fields (list, get) or writes them (create, update). */
export const reads = (a: Action): boolean => a === "list" || a === "get";

let seq = 0;
const newKey = (): string => `k${++seq}`;

/** emptyRule is a cell as it starts: not allowed; once allowed, every field. */
export function emptyRule(): RuleDraft {
  return { allowed: false, filter: [], all: true, fields: [], presets: [] };
}

function emptyRules(): Record<Action, RuleDraft> {
  return Object.fromEntries(actions.map((a) => [a, emptyRule()])) as Record<Action, RuleDraft>;
}

/** A column a rule can name: a field of the model or a system column, with its type. */
export interface RuleField {
  name: string;
  type: string;
  system: boolean;
}

/** ruleFields lists what a rule of action on m can name: system columns are read, never written. */
export function ruleFields(m: Model | undefined, action: Action): RuleField[] {
  const fields = m ? fieldsOf(m).map((f) => ({ name: f.name, type: f.type, system: false })) : [];
  if (!reads(action) && action !== "delete") return fields;
  const sys = systemColumns.map((c) => ({ name: c.name, type: c.type, system: true }));
  return [sys[0], ...fields, ...sys.slice(1)];
}

/** typeOf is the type of the column name of m ("" when m lacks it). */
export function typeOf(m: Model | undefined, name: string): string {
  return systemColumns.find((c) => c.name === name)?.type ?? m?.fields.find((f) => f.name === name)?.type ?? "";
}

/** filterKey is a filter row's key in the role: "owner", "status__in". */
export function filterKey(r: Pick<FilterRow, "field" | "lookup">): string {
  return r.lookup ? `${r.field}__${r.lookup}` : r.field;
}

/** splitKey reads a filter key into its field and lookup; lookups are those the field's type takes. */
export function splitKey(key: string, type: (field: string) => string): { field: string; lookup: string } {
  const i = key.lastIndexOf("__");
  if (i > 0) {
    const field = key.slice(0, i);
    const lookup = key.slice(i + 2);
    const known = fieldType(type(field))?.lookups;
    if (!known || known.includes(lookup)) return { field, lookup };
  }
  return { field: key, lookup: "" };
}

/** scalar reads one value as typed for a field of type: a variable stays text; numbers and booleans by the type. */
export function scalar(text: string, type: string): unknown {
  const t = text.trim();
  if (t.startsWith("$")) return t;
  switch (fieldType(type)?.input.parse) {
    case "bool":
      return t === "true" ? true : t === "false" ? false : text;
    case "json":
    case "json-strict":
      try {
        const v: unknown = JSON.parse(t);
        return typeof v === "number" || typeof v === "boolean" || v === null ? v : text;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/**
 * valueOf reads a filter row's value: yes/no for isnull, a list for in ("a, b" or a JSON
 * array), else one value by the field's type. A value that does not read as the type is
 * sent as text, so that the validation says what is wrong with the server's own message.
 */
export function valueOf(text: string, type: string, lookup: string): unknown {
  if (lookup === "isnull") return text.trim() === "false" ? false : text.trim() === "true" || text.trim() === "" ? true : text;
  if (lookup === "in") {
    const t = text.trim();
    if (t.startsWith("$")) return t; // a claim that holds a list
    if (t.startsWith("[")) {
      try {
        const v: unknown = JSON.parse(t);
        if (Array.isArray(v)) return v;
      } catch {
        // not JSON: read as a comma-separated list
      }
    }
    return t === "" ? [] : t.split(",").map((s) => scalar(s.trim(), type));
  }
  return scalar(text, type);
}

/** textOf renders a value of the role in its input (the reverse of valueOf). */
export function textOf(v: unknown): string {
  if (v === undefined || v === null) return v === null ? "null" : "";
  if (typeof v === "string") return v;
  if (Array.isArray(v)) {
    const plain = v.every((x) => (typeof x === "string" && !x.includes(",") && x.trim() === x && x !== "") || typeof x === "number" || typeof x === "boolean");
    return plain ? v.map((x) => String(x)).join(", ") : JSON.stringify(v);
  }
  return JSON.stringify(v);
}

/**
 * fromRole makes the grid of role over the tenant's models: a row per model in the
 * tenant's order, then any model the role names that the tenant lacks (so its problem
 * shows where it is).
 */
export function fromRole(name: string, role: Role | null, models: Model[]): RoleDraft {
  const perms = role?.permissions ?? {};
  const names = [...models.map((m) => m.name), ...Object.keys(perms).filter((n) => !models.some((m) => m.name === n))];
  return {
    name,
    description: role?.description ?? "",
    models: names.map((n) => {
      const m = models.find((x) => x.name === n);
      const rules = emptyRules();
      for (const a of actions) {
        const r = perms[n]?.[a];
        if (!r) continue;
        const type = (f: string) => typeOf(m, f);
        rules[a] = {
          allowed: true,
          filter: Object.entries(r.filter ?? {}).map(([k, v]) => {
            const { field, lookup } = splitKey(k, type);
            return { key: newKey(), field, lookup, value: textOf(v) };
          }),
          all: r.fields === "*" || (r.fields === undefined && takesFields(a)),
          fields: Array.isArray(r.fields) ? [...r.fields] : [],
          presets: Object.entries(r.presets ?? {}).map(([field, v]) => ({ key: newKey(), field, value: textOf(v) })),
        };
      }
      return { model: n, rules };
    }),
  };
}

/**
 * toRole turns the grid into the role the API takes: only models with an allowed action,
 * only the parts each action takes, fields in the model's order. A filter row without a
 * field is still being written and is left out.
 */
export function toRole(d: RoleDraft, models: Model[]): Role {
  const permissions: Role["permissions"] = {};
  for (const mr of d.models) {
    const m = models.find((x) => x.name === mr.model);
    const type = (f: string) => typeOf(m, f);
    const out: Partial<Record<Action, Rule>> = {};
    for (const a of actions) {
      const r = mr.rules[a];
      if (!r.allowed) continue;
      const rule: Rule = {};
      const filter: Record<string, unknown> = {};
      for (const row of r.filter) if (row.field) filter[filterKey(row)] = valueOf(row.value, type(row.field), row.lookup);
      if (Object.keys(filter).length) rule.filter = filter;
      if (takesFields(a)) {
        if (r.all) rule.fields = "*";
        else {
          const order = ruleFields(m, a).map((f) => f.name);
          const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
          rule.fields = [...r.fields].sort((x, y) => rank(x) - rank(y));
        }
      }
      if (takesPresets(a)) {
        const presets: Record<string, unknown> = {};
        for (const p of r.presets) if (p.field) presets[p.field] = scalar(p.value, type(p.field));
        if (Object.keys(presets).length) rule.presets = presets;
      }
      out[a] = rule;
    }
    if (Object.keys(out).length) permissions[mr.model] = out;
  }
  const role: Role = { permissions };
  if (d.description.trim()) role.description = d.description.trim();
  return role;
}

/** duplicates reports the grid's rows that the role cannot hold twice: the same filter term or preset. */
export function duplicates(d: RoleDraft): Problem[] {
  const out: Problem[] = [];
  for (const mr of d.models) {
    for (const a of actions) {
      const r = mr.rules[a];
      if (!r.allowed) continue;
      const seen = new Set<string>();
      for (const row of r.filter) {
        const k = filterKey(row);
        if (row.field && seen.has(k)) out.push({ path: `permissions.${mr.model}.${a}.filter.${k}`, code: "duplicate", message: `${k} is already in this filter` });
        seen.add(k);
      }
      const preset = new Set<string>();
      for (const p of r.presets) {
        if (p.field && preset.has(p.field)) out.push({ path: `permissions.${mr.model}.${a}.presets.${p.field}`, code: "duplicate", message: `${p.field} already has a preset` });
        preset.add(p.field);
      }
    }
  }
  return out;
}

// --- problems in cells ----------------------------------------------------------------

/** The slot of a model's row ("model:post"), of a cell ("rule:post:list") or of a part of a cell. */
export const modelSlot = (model: string): string => `model:${model}`;
export function ruleSlot(model: string, action: string, part = "", key = ""): string {
  return ["rule", model, action, part, key].filter(Boolean).join(":");
}

/**
 * slotOf returns where a problem at path is shown in the grid d. Paths are those of the
 * role as sent ("permissions.post.list.filter.owner__in", "…fields[2]",
 * "…create.presets.owner"), also under "roles.<name>." as a schema change names them.
 * A filter term or preset goes to its row (the last with that key: it is the one sent),
 * anything else to its cell, its model, or the role ("" ).
 */
export function slotOf(path: string, d: RoleDraft): string {
  const p = path.replace(/^roles\.[^.]+\./, "");
  if (p === "description" || p === "name") return p;
  const m = /^permissions\.([^.[\]]+)(?:\.([^.[\]]+)(?:\.(filter|fields|presets)(?:\.([^.[\]]+)|\[\d+\])?)?)?/.exec(p);
  if (!m) return "";
  const [, model, action, part, key] = m;
  const mr = d.models.find((x) => x.model === model);
  if (!mr) return "";
  if (!action || !(actions as readonly string[]).includes(action)) return modelSlot(model);
  if (!part) return ruleSlot(model, action);
  if (part === "fields" || !key) return ruleSlot(model, action, part);
  const rule = mr.rules[action as Action];
  const rows = part === "filter" ? rule.filter.filter((r) => filterKey(r) === key) : rule.presets.filter((r) => r.field === key);
  const row = rows[rows.length - 1];
  return row ? ruleSlot(model, action, part, row.key) : ruleSlot(model, action, part);
}

/** placeRole sorts problems into the grid's slots. */
export function placeRole(problems: Problem[], d: RoleDraft): Map<string, Problem[]> {
  const slots = new Map<string, Problem[]>();
  for (const p of problems) {
    const s = slotOf(p.path, d);
    slots.set(s, [...(slots.get(s) ?? []), p]);
  }
  return slots;
}

/** countIn counts the problems of slots at prefix or under it ("model:post" counts its cells too). */
export function countIn(slots: Map<string, Problem[]>, model: string): number {
  let n = 0;
  for (const [s, list] of slots) if (s === modelSlot(model) || s.startsWith(`rule:${model}:`)) n += list.length;
  return n;
}

/** addFilterRow appends a filter term on the first column an action can name. */
export function addFilterRow(r: RuleDraft, m: Model | undefined, action: Action): string {
  const first = ruleFields(m, action).find((f) => !f.system) ?? ruleFields(m, action)[0];
  const key = newKey();
  r.filter.push({ key, field: first?.name ?? "", lookup: "", value: "" });
  return key;
}

/** addPresetRow appends a preset on the first field without one. */
export function addPresetRow(r: RuleDraft, m: Model | undefined): string {
  const free = ruleFields(m, "create").find((f) => !r.presets.some((p) => p.field === f.name));
  const key = newKey();
  r.presets.push({ key, field: free?.name ?? "", value: "" });
  return key;
}

/** summary says a cell in a few words, for a screen reader and a folded cell: "2 filters, 3 fields". */
export function summary(r: RuleDraft, action: Action): string {
  if (!r.allowed) return "not allowed";
  const parts: string[] = [];
  parts.push(r.filter.length ? `${r.filter.length} filter term${r.filter.length === 1 ? "" : "s"}` : "every row");
  if (takesFields(action)) parts.push(r.all ? "all fields" : `${r.fields.length} field${r.fields.length === 1 ? "" : "s"}`);
  if (takesPresets(action) && r.presets.length) parts.push(`${r.presets.length} preset${r.presets.length === 1 ? "" : "s"}`);
  return parts.join(", ");
}

/** readable lists the columns a role's list rule on model lets it read (all of columns for "*"), for "view as". */
export function readable(role: Role | null, model: string, columns: string[]): string[] {
  const fields = role?.permissions?.[model]?.list?.fields;
  if (fields === "*" || fields === undefined) return columns;
  return columns.filter((c) => fields.includes(c));
}
