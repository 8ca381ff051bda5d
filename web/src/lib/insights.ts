// insights.ts is the logic of the Insights view: which measures, groups and time buckets
// a model's columns offer (from the field types' descriptions in the wasm module, as the
// server decides them), the query of GET /data/{model}/aggregate, and its answer shaped
// for a chart (an x axis of labels, one series per line or bar set) and a table.

import { fieldType } from "./fieldtypes.svelte";
import { filterParam, type Column, type Filter } from "./records";

/** The aggregate functions; "count" counts rows and takes no field. */
export type MeasureFn = "count" | "count_distinct" | "sum" | "avg" | "min" | "max";

/** One measure: count, or a function over a field. */
export interface Measure {
  fn: MeasureFn;
  field?: string;
}

/** A time bucket of a date or datetime field. */
export interface Bucket {
  field: string;
  unit: string;
}

/** What the Insights view asks: one measure, by a group and/or a time bucket. */
export interface InsightSpec {
  measure: Measure;
  group?: string;
  bucket?: Bucket;
  /** The IANA time zone buckets are cut in (Europe/Warsaw). */
  tz: string;
}

/** The most rows one chart asks for. */
export const maxRows = 500;

/** What each function is called in the measure's menu. */
export const measureLabels: Record<MeasureFn, string> = {
  count: "count of records",
  count_distinct: "distinct values of",
  sum: "sum of",
  avg: "average of",
  min: "minimum of",
  max: "maximum of",
};

/** measureParam renders a measure for ?measures=: "count", "sum:value". */
export function measureParam(m: Measure): string {
  return m.fn === "count" ? "count" : `${m.fn}:${m.field}`;
}

/** measureKey is the member a measure answers as: "count", "sum_value". */
export function measureKey(m: Measure): string {
  return m.fn === "count" ? "count" : `${m.fn}_${m.field}`;
}

/** describeMeasure says a measure in words: "sum of value". */
export function describeMeasure(m: Measure): string {
  return m.fn === "count" ? "count" : `${m.fn.replace("_", " ")} ${m.field}`;
}

/** bucketKey is the member a time bucket answers as: "timestamp__day". */
export function bucketKey(b: Bucket): string {
  return `${b.field}__${b.unit}`;
}

/** measuresOf lists every measure the columns offer: count, then each field's functions as its type allows. */
export function measuresOf(columns: Column[]): Measure[] {
  const out: Measure[] = [{ fn: "count" }];
  for (const c of columns) {
    for (const fn of fieldType(c.type)?.measures ?? []) out.push({ fn: fn as MeasureFn, field: c.name });
  }
  return out;
}

/** groupsOf lists the columns records may be grouped by (a type groups when it sorts; not id). */
export function groupsOf(columns: Column[]): Column[] {
  return columns.filter((c) => c.name !== "id" && (fieldType(c.type)?.sortable ?? false));
}

/** bucketsOf lists the columns that take time buckets, each with its units. */
export function bucketsOf(columns: Column[]): { column: Column; units: string[] }[] {
  return columns.map((column) => ({ column, units: fieldType(column.type)?.buckets ?? [] })).filter((b) => b.units.length > 0);
}

/** groupKeys are the spec's ?group_by= members, the time bucket first. */
export function groupKeys(s: InsightSpec): string[] {
  const keys: string[] = [];
  if (s.bucket) keys.push(bucketKey(s.bucket));
  if (s.group) keys.push(s.group);
  return keys;
}

/**
 * aggregateQuery is the query of GET /data/{model}/aggregate: the grid's filters, the
 * groups, the measure; with a time bucket its zone, sorted along time, and empty buckets
 * filled when the bucket is the only group (the server fills no other); with only a
 * group, sorted by the measure, largest first.
 */
export function aggregateQuery(s: InsightSpec, filters: Filter[]): Record<string, string> {
  const q: Record<string, string> = {};
  for (const f of filters) q[filterParam(f)] = f.value;
  const keys = groupKeys(s);
  if (keys.length) q.group_by = keys.join(",");
  q.measures = measureParam(s.measure);
  if (s.bucket) {
    q.tz = s.tz;
    if (!s.group) q.fill = "true";
    q.sort = keys.join(",");
  } else if (s.group) {
    q.sort = `-${measureKey(s.measure)}`;
  }
  if (keys.length) q.limit = String(maxRows);
  return q;
}

/** One series of a chart: a label and a value per x (null where there is none). */
export interface Series {
  label: string;
  values: (number | null)[];
}

/** A chart's data: labels along x and the series over them. */
export interface ChartData {
  x: string[];
  series: Series[];
}

/** The most series a chart draws (the groups with the largest totals); the table shows every row. */
export const maxSeries = 8;

/**
 * chartData shapes an aggregate's rows for a chart. With a time bucket, x is the
 * buckets in order and, with a group too, there is one series per group value (the
 * largest maxSeries); with only a group, x is the group's values; with neither, one bar.
 */
export function chartData(rows: Record<string, unknown>[], s: InsightSpec): ChartData {
  const key = measureKey(s.measure);
  const label = describeMeasure(s.measure);
  if (!s.bucket && !s.group) return { x: ["all records"], series: [{ label, values: [num(rows[0]?.[key])] }] };
  const xKey = s.bucket ? bucketKey(s.bucket) : (s.group as string);
  const x = unique(rows.map((r) => text(r[xKey])));
  const at = new Map(x.map((v, i) => [v, i]));
  if (!s.bucket || !s.group) {
    const values = x.map(() => null as number | null);
    for (const r of rows) values[at.get(text(r[xKey])) as number] = num(r[key]);
    return { x, series: [{ label, values }] };
  }
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(text(r[s.group]), (totals.get(text(r[s.group])) ?? 0) + (num(r[key]) ?? 0));
  const groups = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, maxSeries).map(([g]) => g);
  const series = groups.map((g) => ({ label: g, values: x.map(() => null as number | null) }));
  const gi = new Map(groups.map((g, i) => [g, i]));
  for (const r of rows) {
    const i = gi.get(text(r[s.group]));
    if (i !== undefined) series[i].values[at.get(text(r[xKey])) as number] = num(r[key]);
  }
  return { x, series };
}

/** bucketLabel shortens a bucket's start for an axis: "2025-03-01T10:00:00+01:00" → "2025-03-01 10:00" for hours. */
export function bucketLabel(v: string, unit: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(v);
  if (!m) return v;
  switch (unit) {
    case "hour":
      return `${m[1]}-${m[2]}-${m[3]} ${m[4] ?? "00"}:${m[5] ?? "00"}`;
    case "month":
      return `${m[1]}-${m[2]}`;
    case "year":
      return m[1];
    default:
      return `${m[1]}-${m[2]}-${m[3]}`;
  }
}

/** text renders a group's value as a label ("(empty)" for null). */
export function text(v: unknown): string {
  if (v === null || v === undefined) return "(empty)";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** num reads a measure (a decimal's sum answers as a string) as a number, null when there is none. */
export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The browser's time zone, the default of the bucket's. */
export function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}
