// inputs.ts turns what a person types into the JSON values of a definition and back.
// Option inputs follow the option's kind from the type registry; choices and defaults
// follow the field type. A value that does not convert is kept as typed, so that the
// wasm validation reports it with the server's own code and message.

import type { OptionSpec } from "./types";

/** optionFromInput converts an option input's text (or checkbox state) to its value; undefined: unset. */
export function optionFromInput(spec: OptionSpec, raw: string | boolean): unknown {
  if (spec.kind === "boolean") return raw === true || raw === "true" ? true : undefined;
  const s = String(raw);
  if (s.trim() === "") return undefined;
  if (spec.kind === "integer" || spec.kind === "number") {
    const n = Number(s.trim());
    return Number.isFinite(n) ? n : s;
  }
  return s;
}

/** optionToInput renders an option's value for its input. */
export function optionToInput(spec: OptionSpec, v: unknown): string | boolean {
  if (spec.kind === "boolean") return v === true;
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** optionPlaceholder says what an unset option means. */
export function optionPlaceholder(spec: OptionSpec): string {
  if (spec.default !== undefined && spec.default !== null && spec.default !== "") return `default: ${String(spec.default)}`;
  return "not set";
}

// Field types whose values are JSON strings; everything else reads numbers and booleans.
const stringTypes = new Set(["text", "email", "url", "uuid", "date", "datetime", "time", "decimal"]);

/**
 * valueFromInput converts a choice or default typed for a field of type. For string
 * types it is the text itself; for json it is parsed JSON; for the rest (numbers,
 * booleans, relations) it is parsed as JSON when it is a number, boolean or null.
 */
export function valueFromInput(raw: string, type: string): unknown {
  if (stringTypes.has(type)) return raw;
  const s = raw.trim();
  if (s === "") return undefined;
  try {
    const v: unknown = JSON.parse(s);
    if (type === "json" || v === null || typeof v === "number" || typeof v === "boolean") return v;
  } catch {
    // not JSON: keep the text, validation says what is wrong with it
  }
  return raw;
}

/** valueToInput renders a choice or default for a text input. */
export function valueToInput(v: unknown): string {
  if (v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}
