import { describe, expect, it } from "vitest";
import { useFieldTypes } from "./fieldtypes.svelte";
import {
  aggregateQuery, bucketLabel, bucketsOf, chartData, groupsOf, maxSeries, measureKey, measureParam, measuresOf, num, type InsightSpec,
} from "./insights";
import { columnsOf } from "./records";
import type { FieldType, Model } from "./types";

// The facts the wasm module's fieldTypes() states (shared/fieldtype), as much as these tests read.
const ft = (name: string, sortable: boolean, measures: string[], buckets: string[] = []) =>
  ({ name, sortable, measures, buckets }) as unknown as FieldType;
useFieldTypes([
  ft("integer", true, ["count_distinct", "sum", "avg", "min", "max"]),
  ft("text", true, ["count_distinct", "min", "max"]),
  ft("datetime", true, ["count_distinct", "min", "max"], ["hour", "day", "week", "month", "year"]),
  ft("date", true, ["count_distinct", "min", "max"], ["day", "week", "month", "year"]),
  ft("json", false, []),
]);

const event: Model = {
  name: "event",
  fields: [
    { name: "timestamp", type: "datetime" },
    { name: "country", type: "text" },
    { name: "value", type: "integer" },
    { name: "payload", type: "json" },
  ],
};
const columns = columnsOf(event);

describe("what the columns offer", () => {
  it("measures: count, then each field's functions as its type allows", () => {
    const ms = measuresOf(columns).map(measureParam);
    expect(ms[0]).toBe("count");
    expect(ms).toContain("sum:value");
    expect(ms).toContain("max:timestamp");
    expect(ms).not.toContain("sum:country");
    expect(ms.some((m) => m.endsWith(":payload"))).toBe(false);
  });
  it("groups: the fields that sort, not id", () => {
    expect(groupsOf(columns).map((c) => c.name)).toEqual(["timestamp", "country", "value", "created_at", "updated_at"]);
  });
  it("buckets: the date and datetime columns with their units", () => {
    expect(bucketsOf(columns).map((b) => [b.column.name, b.units.length])).toEqual([["timestamp", 5], ["created_at", 5], ["updated_at", 5]]);
  });
});

describe("aggregateQuery", () => {
  it("a group: sorted by the measure, largest first", () => {
    const s: InsightSpec = { measure: { fn: "sum", field: "value" }, group: "country", tz: "Europe/Warsaw" };
    expect(aggregateQuery(s, [{ field: "value", lookup: "gte", value: "0" }])).toEqual({
      value__gte: "0", group_by: "country", measures: "sum:value", sort: "-sum_value", limit: "500",
    });
  });
  it("a time bucket and a group: the bucket first, the zone, along time", () => {
    const s: InsightSpec = { measure: { fn: "count" }, group: "country", bucket: { field: "timestamp", unit: "day" }, tz: "Europe/Warsaw" };
    expect(aggregateQuery(s, [])).toEqual({
      group_by: "timestamp__day,country", measures: "count", tz: "Europe/Warsaw", sort: "timestamp__day,country", limit: "500",
    });
  });
  it("a time bucket alone: empty buckets filled", () => {
    const s: InsightSpec = { measure: { fn: "count" }, bucket: { field: "timestamp", unit: "week" }, tz: "UTC" };
    expect(aggregateQuery(s, [])).toEqual({ group_by: "timestamp__week", measures: "count", tz: "UTC", fill: "true", sort: "timestamp__week", limit: "500" });
  });
  it("neither: one row of the measure", () => {
    expect(aggregateQuery({ measure: { fn: "count_distinct", field: "country" }, tz: "UTC" }, [])).toEqual({ measures: "count_distinct:country" });
    expect(measureKey({ fn: "count_distinct", field: "country" })).toBe("count_distinct_country");
  });
});

describe("chartData", () => {
  it("a group: its values along x, one series", () => {
    const rows = [{ country: "PL", count: 12 }, { country: "DE", count: 5 }, { country: null, count: 1 }];
    expect(chartData(rows, { measure: { fn: "count" }, group: "country", tz: "UTC" })).toEqual({
      x: ["PL", "DE", "(empty)"], series: [{ label: "count", values: [12, 5, 1] }],
    });
  });
  it("a bucket and a group: buckets along x, a series per group, gaps as null, the largest groups first", () => {
    const rows = [
      { timestamp__day: "2025-03-01", country: "PL", sum_value: "10.5" },
      { timestamp__day: "2025-03-01", country: "DE", sum_value: 30 },
      { timestamp__day: "2025-03-02", country: "PL", sum_value: 2 },
    ];
    const s: InsightSpec = { measure: { fn: "sum", field: "value" }, group: "country", bucket: { field: "timestamp", unit: "day" }, tz: "UTC" };
    expect(chartData(rows, s)).toEqual({
      x: ["2025-03-01", "2025-03-02"],
      series: [{ label: "DE", values: [30, null] }, { label: "PL", values: [10.5, 2] }],
    });
  });
  it(`draws at most ${maxSeries} groups`, () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ t__day: "2025-01-01", g: `g${i}`, count: i }));
    const d = chartData(rows, { measure: { fn: "count" }, group: "g", bucket: { field: "t", unit: "day" }, tz: "UTC" });
    expect(d.series.map((s) => s.label)).toEqual(["g11", "g10", "g9", "g8", "g7", "g6", "g5", "g4"]);
  });
  it("neither: one bar", () => {
    expect(chartData([{ avg_value: 2.5 }], { measure: { fn: "avg", field: "value" }, tz: "UTC" })).toEqual({
      x: ["all records"], series: [{ label: "avg value", values: [2.5] }],
    });
  });
});

describe("labels and numbers", () => {
  it("shortens a bucket's start to its unit", () => {
    expect(bucketLabel("2025-03-01T10:00:00+01:00", "hour")).toBe("2025-03-01 10:00");
    expect(bucketLabel("2025-03-01T00:00:00+01:00", "day")).toBe("2025-03-01");
    expect(bucketLabel("2025-03-01", "month")).toBe("2025-03");
    expect(bucketLabel("2025-01-01", "year")).toBe("2025");
    expect(bucketLabel("soon", "day")).toBe("soon");
  });
  it("reads measures as numbers", () => {
    expect([num(3), num("310.50"), num(null), num("x"), num("")]).toEqual([3, 310.5, null, null, null]);
  });
});
