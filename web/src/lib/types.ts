// The definition language as JSON, mirroring shared/schema, shared/fieldtype,
// shared/problem and shared/plan. The Go types are the truth; these only name the fields.

/** One field of a model: a column of its table (shared/schema.Field). */
export interface Field {
  id?: string;
  name: string;
  label?: string;
  type: string;
  related_model?: string;
  description?: string;
  order?: number;
  unique?: boolean;
  index?: boolean;
  help?: string;
  choices?: unknown[];
  default?: unknown;
  required?: boolean;
  options?: Record<string, unknown>;
}

/** One runtime-defined model (shared/schema.Model). */
export interface Model {
  name: string;
  label?: string;
  description?: string;
  admin?: boolean;
  unique_together?: string[][];
  /** Each index's columns in order: a field or system column name, "-" in front for descending. */
  indexes?: string[][];
  fields: Field[];
}

/** The kinds of value an option takes (shared/fieldtype.Kind). */
export type OptionKind = "integer" | "number" | "boolean" | "string" | "enum" | "regexp";

/** One option of a field type, described as data (shared/fieldtype.OptionSpec). */
export interface OptionSpec {
  name: string;
  kind: OptionKind;
  label: string;
  help?: string;
  default?: unknown;
  min?: number;
  max?: number;
  enum?: string[];
  /** The JSON Schema keyword the option sets on a value's schema, e.g. "maxLength". */
  schema?: string;
}

/** How a value of a type is typed in the record form (shared/fieldtype.Input). */
export interface InputSpec {
  /** "input", "select" (booleans) or "textarea" (json); a field with choices gets a select. */
  control: "input" | "select" | "textarea";
  /** The input's type attribute. */
  html: string;
  inputmode?: "numeric" | "decimal" | "email" | "url";
  placeholder?: string;
  /** "text": the text itself; "json": JSON when it parses (numbers, booleans); "bool"; "json-strict": must parse. */
  parse: "text" | "json" | "bool" | "json-strict";
}

/** How a type's values are written in JSON, as JSON Schema says it (shared/fieldtype.JSONSchema). */
export interface JSONShape {
  type?: string;
  format?: string;
  pattern?: string;
  input_pattern?: string;
  minimum?: number;
  note?: string;
  input_note?: string;
}

/** What the designer knows about a field type (shared/fieldtype.Description). */
export interface FieldType {
  name: string;
  label: string;
  help: string;
  options: OptionSpec[];
  relation?: boolean;
  choices: boolean;
  unique: boolean;
  /** The list filters' lookup suffixes the type takes ("" is equality). */
  lookups: string[];
  sortable: boolean;
  /** The aggregations' measures over a field of the type ("count" takes no field and is never listed). */
  measures?: string[];
  /** The time buckets (hour, day, week, month, year) a group of the type may take. */
  buckets?: string[];
  /** How values travel between Postgres and JSON (shared/fieldtype.Wire). */
  wire: string;
  json: JSONShape;
  input: InputSpec;
}

/** One thing wrong with an input (shared/problem.Problem). */
export interface Problem {
  path: string;
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

/** One operation of a plan (shared/plan.Op). */
export interface Op {
  kind: string;
  model: string;
  field?: string;
  field_id?: string;
  to?: string;
  fields?: string[];
  column?: string;
  cast?: string;
  data_loss: boolean;
  may_fail: boolean;
  description: string;
  name?: string;
  not_null?: boolean;
  default?: unknown;
  choices?: unknown[];
  ref_model?: string;
  on_delete?: string;
  columns?: { name: string; type: string; not_null?: boolean; default?: unknown }[];
}

/** What validateRecord answers. */
export interface RecordResult {
  record: Record<string, unknown> | null;
  problems: Problem[];
}

/** What the field edits (addField, patchField, dropField, renameField) answer: the model after the edit, or null and why not. */
export interface EditResult {
  model: Model | null;
  problems: Problem[];
}

/** What validateAggregate answers: the parsed aggregation (null when it has problems), its answer's columns ([name, type]), the problems. */
export interface AggregateResult {
  query: Record<string, unknown> | null;
  columns: [string, string][];
  problems: Problem[];
}
