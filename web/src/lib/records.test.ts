import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  back, byField, cell, columnsOf, current, describeFilter, firstPage, forward, fromInput, inputFor, listQuery,
  lookupsFor, nextSort, pageNumber, readForm, selectOptions, sortParam, textsOf, unreadable,
} from "./records";
import type { Field, FieldType, Model } from "./types";
import { useFieldTypes } from "./fieldtypes.svelte";

// The field types as the wasm bridge answers fieldTypes() (its golden answer).
const golden = fileURLToPath(new URL("../../../wasm/testdata/field_types.json", import.meta.url));
useFieldTypes((JSON.parse(readFileSync(golden, "utf8")) as { want: FieldType[] }).want);

const event: Model = {
  name: "event",
  admin: true,
  fields: [
    { name: "value", type: "integer", order: 4, options: { min: 0 } },
    { name: "timestamp", type: "datetime", order: 1, required: true, options: { auto_now_add: true } },
    { name: "country", type: "text", order: 2, required: true, choices: ["PL", "DE", "US"], default: "PL" },
    { name: "source", type: "text", order: 3 },
  ],
};
const field = (name: string) => event.fields.find((f) => f.name === name) as Field;

describe("columns", () => {
  it("lists id, the fields in order, then the timestamps", () => {
    expect(columnsOf(event).map((c) => c.name)).toEqual([
      "id", "timestamp", "country", "source", "value", "created_at", "updated_at",
    ]);
  });
});

describe("lookups", () => {
  it("follows the server's query layer", () => {
    expect(lookupsFor("text")).toContain("icontains");
    expect(lookupsFor("integer")).toContain("gte");
    expect(lookupsFor("integer")).not.toContain("contains");
    expect(lookupsFor("boolean")).toEqual(["", "ne", "in", "isnull"]);
    expect(lookupsFor("json")).toEqual(["isnull"]);
    expect(lookupsFor("relation")).toContain("lt");
  });
  it("says a filter in words", () => {
    expect(describeFilter({ field: "value", lookup: "gte", value: "3" })).toBe("value is at least 3");
    expect(describeFilter({ field: "source", lookup: "isnull", value: "true" })).toBe("source is empty");
    expect(describeFilter({ field: "country", lookup: "in", value: "PL,DE" })).toBe("country is one of PL,DE");
  });
});

describe("sorting and the query", () => {
  it("cycles ascending, descending, none", () => {
    let s = nextSort(null, "value");
    expect(s).toEqual({ field: "value", desc: false });
    s = nextSort(s, "value");
    expect(s).toEqual({ field: "value", desc: true });
    expect(nextSort(s, "value")).toBeNull();
    expect(nextSort(s, "country")).toEqual({ field: "country", desc: false });
  });
  it("breaks ties by id", () => {
    expect(sortParam({ field: "value", desc: true })).toBe("-value,-id");
    expect(sortParam({ field: "id", desc: false })).toBe("id");
    expect(sortParam(null)).toBeUndefined();
  });
  it("renders filters, sort, limit and cursor", () => {
    expect(
      listQuery([{ field: "value", lookup: "gte", value: "3" }, { field: "country", lookup: "", value: "PL" }], { field: "value", desc: false }, 20, "abc"),
    ).toEqual({ value__gte: "3", country: "PL", sort: "value,id", limit: "20", cursor: "abc" });
    expect(listQuery([], null, 50)).toEqual({ limit: "50" });
  });
});

describe("pages", () => {
  it("walks forward and back with a stack of cursors", () => {
    let p = firstPage();
    expect(current(p)).toBeUndefined();
    expect(forward(p)).toBe(p); // no next page yet
    p = { ...p, next: "c1" };
    p = forward(p);
    expect(current(p)).toBe("c1");
    expect(pageNumber(p)).toBe(2);
    p = forward({ ...p, next: "c2" });
    expect(current(p)).toBe("c2");
    p = back(p);
    expect(current(p)).toBe("c1");
    p = back(back(p));
    expect(current(p)).toBeUndefined();
    expect(pageNumber(p)).toBe(1);
  });
});

describe("the record form", () => {
  it("describes inputs per type, from data", () => {
    expect(inputFor(field("country")).control).toBe("select");
    expect(inputFor(field("value")).inputmode).toBe("numeric");
    expect(inputFor({ name: "on", type: "boolean" }).control).toBe("select");
    expect(inputFor({ name: "doc", type: "json" }).control).toBe("textarea");
    expect(inputFor({ name: "x", type: "new_type" }).control).toBe("input");
    expect(selectOptions(field("country")).map((o) => o[0])).toEqual(["", "PL", "DE", "US"]);
    expect(selectOptions({ name: "on", type: "boolean" }).map((o) => o[0])).toEqual(["", "true", "false"]);
  });
  it("converts what is typed, keeping what does not convert for validation to judge", () => {
    expect(fromInput(field("value"), "12")).toBe(12);
    expect(fromInput(field("value"), "-1")).toBe(-1);
    expect(fromInput(field("value"), "twelve")).toBe("twelve");
    expect(fromInput(field("value"), " ")).toBeUndefined();
    expect(fromInput(field("source"), " x ")).toBe(" x ");
    expect(fromInput(field("source"), "")).toBeUndefined();
    expect(fromInput({ name: "on", type: "boolean" }, "false")).toBe(false);
    expect(fromInput({ name: "doc", type: "json" }, '{"a":1}')).toEqual({ a: 1 });
    expect(fromInput({ name: "doc", type: "json" }, "{")).toBe(unreadable);
    expect(fromInput({ name: "n", type: "integer", choices: [1, 2] }, "2")).toBe(2);
  });
  it("builds a create body from the typed fields", () => {
    const texts: Record<string, string> = { ...textsOf(event.fields, null), value: "3" };
    expect(texts.country).toBe("PL"); // the default
    expect(readForm(event.fields, texts, null)).toEqual({ body: { country: "PL", value: 3 }, problems: [] });
  });
  it("builds a patch body from the changed fields; a cleared field is null", () => {
    const rec = { id: 1, timestamp: "2026-01-01T00:00:00Z", country: "DE", source: "web", value: 3 };
    const initial = textsOf(event.fields, rec);
    expect(initial.value).toBe("3");
    const texts = { ...initial, source: "", value: "4" };
    expect(readForm(event.fields, texts, initial).body).toEqual({ source: null, value: 4 });
    const bad = readForm([{ name: "doc", type: "json" }], { doc: "{" }, { doc: "" });
    expect(bad.problems[0]).toMatchObject({ path: "doc", code: "invalid_json" });
  });
  it("places problems by field", () => {
    const m = byField(
      [
        { path: "value", code: "min", message: "must be at least 0" },
        { path: "[0].country", code: "choice", message: "x" },
        { path: "", code: "unique", message: "y" },
        { path: "nope", code: "unknown_field", message: "z" },
      ],
      ["value", "country"],
    );
    expect(m.get("value")?.[0].code).toBe("min");
    expect(m.get("country")?.[0].code).toBe("choice");
    expect(m.get("")?.map((p) => p.code)).toEqual(["unique", "unknown_field"]);
  });
  it("renders cells", () => {
    expect(cell(null, "text")).toBe("—");
    expect(cell(true, "boolean")).toBe("yes");
    expect(cell("2026-01-02T03:04:05.123456Z", "datetime")).toBe("2026-01-02 03:04:05 UTC");
    expect(cell({ a: 1 }, "json")).toBe('{"a":1}');
    expect(cell(12, "integer")).toBe("12");
  });
});
