// transfer.ts is the data browser's export and import: the query of an export (the
// grid's filters and sort, every page), which format a picked file is in, and the
// refused rows of an import, grouped from the problems the server answers.

import { filterParam, sortParam, type Filter, type Sort } from "./records";
import type { Problem } from "./types";

/** The formats the server exports and imports. */
export type Format = "csv" | "ndjson";

/** The media type a file of each format is sent as. */
export const contentTypes: Record<Format, string> = {
  csv: "text/csv",
  ndjson: "application/x-ndjson",
};

/** exportQuery is the query of GET /data/{model}/export: the grid's filters and sort, no page. */
export function exportQuery(filters: Filter[], sort: Sort, format: Format): Record<string, string> {
  const q: Record<string, string> = { format };
  for (const f of filters) q[filterParam(f)] = f.value;
  const s = sortParam(sort);
  if (s) q.sort = s;
  return q;
}

/** filenameOf reads the file name of a Content-Disposition header, else fallback. */
export function filenameOf(disposition: string | null, fallback: string): string {
  const m = /filename="?([^";]+)"?/i.exec(disposition ?? "");
  return m ? m[1] : fallback;
}

/**
 * formatOf tells a picked file's format: by its extension (.csv; .ndjson or .jsonl),
 * else by its first characters (a line that starts with "{" is NDJSON, anything else is
 * taken as CSV's header). null when the file is empty.
 */
export function formatOf(name: string, head: string): Format | null {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === "csv") return "csv";
  if (ext === "ndjson" || ext === "jsonl") return "ndjson";
  const first = head.replace(/^\uFEFF/, "").trimStart();
  if (!first) return null;
  return first.startsWith("{") ? "ndjson" : "csv";
}

/** One refused row of an import and its problems (paths without the row's "[n]."). */
export interface RefusedRow {
  /** The row's number in the server's paths: an NDJSON file's line, a CSV file's data row (1 for the first). */
  n: number;
  /** Where to find it in the file: its line (NDJSON), its row counting the header as 1 (CSV, as a spreadsheet numbers it). */
  at: number;
  problems: Problem[];
}

/** What the place of a refused row is called in each format. */
export const placeName: Record<Format, string> = { csv: "Row", ndjson: "Line" };

/**
 * refusedRows groups an import's problems by row: a path "[3].value" is row 3's value
 * (the server numbers an NDJSON file's lines and a CSV file's data rows from 1).
 * Problems of no row (the CSV header's, "header.nope") come back apart, in file.
 */
export function refusedRows(problems: Problem[], format: Format): { rows: RefusedRow[]; file: Problem[] } {
  const byRow = new Map<number, RefusedRow>();
  const file: Problem[] = [];
  for (const p of problems) {
    const m = /^\[(\d+)\]\.?(.*)$/.exec(p.path);
    if (!m) {
      file.push(p);
      continue;
    }
    const n = Number(m[1]);
    const row = byRow.get(n) ?? { n, at: format === "csv" ? n + 1 : n, problems: [] };
    row.problems.push({ ...p, path: m[2] });
    byRow.set(n, row);
  }
  return { rows: [...byRow.values()].sort((a, b) => a.n - b.n), file };
}

/** describeProblem says a problem of a row in words: "value: must be at least 0". */
export function describeProblem(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** percent is an upload's progress as a whole percentage (0 when the total is unknown). */
export function percent(loaded: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
}
