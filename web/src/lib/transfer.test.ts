import { describe, expect, it } from "vitest";
import { describeProblem, exportQuery, filenameOf, formatOf, percent, refusedRows } from "./transfer";

describe("exportQuery", () => {
  it("keeps the grid's filters and sort, without a page", () => {
    const q = exportQuery([{ field: "value", lookup: "gte", value: "20" }, { field: "country", lookup: "", value: "PL" }], { field: "value", desc: true }, "csv");
    expect(q).toEqual({ format: "csv", value__gte: "20", country: "PL", sort: "-value,-id" });
  });
  it("sends no sort when the grid has none", () => {
    expect(exportQuery([], null, "ndjson")).toEqual({ format: "ndjson" });
  });
});

describe("filenameOf", () => {
  it("reads Content-Disposition, else the fallback", () => {
    expect(filenameOf('attachment; filename="event.csv"', "x.csv")).toBe("event.csv");
    expect(filenameOf(null, "event.ndjson")).toBe("event.ndjson");
  });
});

describe("formatOf", () => {
  it("goes by the extension first", () => {
    expect(formatOf("events.CSV", '{"a":1}')).toBe("csv");
    expect(formatOf("events.ndjson", "a,b")).toBe("ndjson");
    expect(formatOf("events.jsonl", "")).toBe("ndjson");
  });
  it("else by the first characters", () => {
    expect(formatOf("events.txt", '\uFEFF\n  {"country":"PL"}\n')).toBe("ndjson");
    expect(formatOf("events", "country,value\nPL,1\n")).toBe("csv");
    expect(formatOf("empty.txt", "  \n")).toBeNull();
  });
});

describe("refusedRows", () => {
  it("groups problems by row, in order; a CSV row counts the header as row 1", () => {
    const { rows, file } = refusedRows([
      { path: "[3].value", code: "min", message: "must be at least 0" },
      { path: "[1].country", code: "choice", message: "must be one of PL, DE, US" },
      { path: "[3].country", code: "max_length", message: "must be at most 3 characters" },
      { path: "header.nope", code: "unknown_field", message: "is not a field of the model" },
    ], "csv");
    expect(file.map((p) => p.path)).toEqual(["header.nope"]);
    expect(rows.map((r) => [r.n, r.at, r.problems.map((p) => p.path)])).toEqual([
      [1, 2, ["country"]],
      [3, 4, ["value", "country"]],
    ]);
  });
  it("an NDJSON row is its line; a row that is not a record has no field", () => {
    expect(refusedRows([{ path: "[4]", code: "invalid_format", message: "is not JSON" }], "ndjson").rows).toEqual([
      { n: 4, at: 4, problems: [{ path: "", code: "invalid_format", message: "is not JSON" }] },
    ]);
  });
});

describe("words", () => {
  it("says a problem with its path", () => {
    expect(describeProblem({ path: "value", code: "min", message: "must be at least 0" })).toBe("value: must be at least 0");
    expect(describeProblem({ path: "", code: "x", message: "is broken" })).toBe("is broken");
  });
  it("rounds progress, 0 when the total is unknown", () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 0)).toBe(0);
    expect(percent(9, 8)).toBe(100);
  });
});
