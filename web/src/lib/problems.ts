// problems.ts places each problem next to the input it belongs to. A problem's path
// points into the model as it was sent ("fields[2].options.max_length"); fields are
// turned into editor row keys at once, so a problem stays with its field even when the
// designer reorders fields before reading it.

import type { Problem } from "./types";

/** Slots maps a slot name to the problems shown there. */
export type Slots = Map<string, Problem[]>;

// Field attributes that have an input of their own in the editor.
const fieldInputs = new Set([
  "name", "type", "label", "related_model", "required", "unique", "index",
  "help", "description", "default", "choices",
]);

// Model attributes that have an input of their own in the editor.
const modelInputs = new Set(["name", "label", "description", "admin"]);

/** fieldSlot names the slot of attribute attr of the field with row key ("" for the row itself). */
export function fieldSlot(key: string, attr = ""): string {
  return attr ? `field:${key}:${attr}` : `field:${key}`;
}

/**
 * slotFor returns where a problem at path is shown. keys are the row keys of the fields
 * in the order they were sent; hasOption tells whether a field's option has an input.
 * Anything without an input of its own goes to its field's row, or to the model ("").
 */
export function slotFor(path: string, keys: string[], hasOption: (key: string, option: string) => boolean): string {
  const m = /^fields\[(\d+)\](?:\.([a-z_]+)(?:\.([a-z_0-9]+)|\[\d+\])?)?/.exec(path);
  if (m) {
    const key = keys[Number(m[1])];
    if (key === undefined) return "";
    const [, , attr = "", option] = m;
    if (attr === "options" && option) return hasOption(key, option) ? fieldSlot(key, `options.${option}`) : fieldSlot(key, "options");
    if (attr === "options") return fieldSlot(key, "options");
    return fieldInputs.has(attr) ? fieldSlot(key, attr) : fieldSlot(key);
  }
  const g = /^unique_together(?:\[(\d+)\])?/.exec(path);
  if (g) return g[1] === undefined ? "unique_together" : `unique_together[${g[1]}]`;
  // An index's columns each have an input: "indexes[0][1]" is shown by its column.
  const ix = /^indexes(?:\[(\d+)\](?:\[(\d+)\])?)?/.exec(path);
  if (ix) return ix[1] === undefined ? "indexes" : ix[2] === undefined ? `indexes[${ix[1]}]` : `indexes[${ix[1]}][${ix[2]}]`;
  return modelInputs.has(path) ? path : "";
}

/** place sorts problems into slots. */
export function place(problems: Problem[], keys: string[], hasOption: (key: string, option: string) => boolean): Slots {
  const slots: Slots = new Map();
  for (const p of problems) {
    const s = slotFor(p.path, keys, hasOption);
    const list = slots.get(s);
    if (list) list.push(p);
    else slots.set(s, [p]);
  }
  return slots;
}

/** under counts the problems in slots whose name starts with prefix. */
export function countUnder(slots: Slots, prefix: string): number {
  let n = 0;
  for (const [s, list] of slots) if (s === prefix || s.startsWith(prefix + ":")) n += list.length;
  return n;
}

/** describe renders a problem for a list far from its input: "fields[1].name: is required". */
export function describe(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}
