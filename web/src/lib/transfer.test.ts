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
  it("groups problems by row, in order, with their lines", () => {
    const { rows, file } = refusedRows([
      { path: "[3].value", code: "min", message: "must be at least 0" },
      { path: "[0].country", code: "choice", message: "must be one of PL, DE, US" },
      { path: "[3].country", code: "max_length", message: "must be at most 3 characters" },
      { path: "", code: "too_many", message: "too many records" },
    ], "csv");
    expect(file.map((p) => p.code)).toEqual(["too_many"]);
    expect(rows.map((r) => [r.index, r.line, r.problems.map((p) => p.path)])).toEqual([
      [0, 2, ["country"]],
      [3, 5, ["value", "country"]],
    ]);
  });
  it("takes the line the server names (a quoted CSV value may span lines)", () => {
    const { rows } = refusedRows([{ path: "[1].value", code: "type", message: "must be an integer", params: { line: 7 } }], "csv");
    expect(rows[0].line).toBe(7);
  });
  it("counts NDJSON lines from 1", () => {
    expect(refusedRows([{ path: "[2]", code: "invalid_json", message: "is not JSON" }], "ndjson").rows[0]).toMatchObject({ index: 2, line: 3 });
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
