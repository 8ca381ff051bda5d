import { describe, expect, it } from "vitest";
import {
  addField, addIndex, addIndexColumn, fromModel, indexableColumns, indexColumn, moveField, moveIndexColumn, relationTargets,
  removeField, removeIndex, removeIndexColumn, renameField, retypeField, same, setIndexColumn, setIndexDirection, setOption,
  toModel, toggleTogether, writeColumn, type Edits,
} from "./editor";
import type { EditResult, FieldType, Model } from "./types";

// What the editor does not read of a type.
const facts: Pick<FieldType, "lookups" | "sortable" | "wire" | "json" | "input"> = {
  lookups: [], sortable: true, wire: "text", json: {}, input: { control: "input", html: "text", parse: "text" },
};

const types: FieldType[] = [
  { ...facts, name: "text", label: "Text", help: "", choices: true, unique: true, options: [
    { name: "max_length", kind: "integer", label: "Maximum length" },
    { name: "pattern", kind: "regexp", label: "Pattern" },
  ] },
  { ...facts, name: "integer", label: "Integer", help: "", choices: true, unique: true, options: [
    { name: "min", kind: "integer", label: "Min" },
    { name: "max_length", kind: "number", label: "not really" },
  ] },
  { ...facts, name: "json", label: "JSON", help: "", choices: false, unique: false, options: [] },
  { ...facts, name: "relation", label: "Relation", help: "", relation: true, choices: false, unique: true, options: [
    { name: "on_delete", kind: "enum", label: "On delete", enum: ["cascade", "restrict", "set_null"] },
  ] },
];

const event: Model = {
  name: "event",
  unique_together: [["country", "source"]],
  indexes: [["country", "-source", "id"], ["-created_at"]],
  fields: [
    { id: "f2", name: "source", type: "text", order: 2, options: { max_length: 10 } },
    { id: "f1", name: "country", type: "text", order: 1, required: true, choices: ["PL", "DE"], options: { max_length: 3 } },
    { id: "f3", name: "value", type: "integer", order: 3 },
  ],
};

describe("fromModel / toModel", () => {
  it("orders fields by order and round-trips", () => {
    const d = fromModel(event);
    expect(d.rows.map((r) => r.field.name)).toEqual(["country", "source", "value"]);
    const m = toModel(d);
    expect(m.fields.map((f) => [f.id, f.order])).toEqual([["f1", 1], ["f2", 2], ["f3", 3]]);
    expect(m.unique_together).toEqual([["country", "source"]]);
    expect(m.indexes).toEqual([["country", "-source", "id"], ["-created_at"]]);
    expect(same(d, fromModel(event))).toBe(true);
  });

  it("leaves indexes out when there are none", () => {
    const d = fromModel({ name: "m", fields: [] });
    expect(d.indexes).toEqual([]);
    expect("indexes" in toModel(d)).toBe(false);
  });

  it("drops empty attributes", () => {
    const d = fromModel(null);
    addField(d);
    const f = d.rows[0].field;
    Object.assign(f, { label: " ", help: "", required: false, choices: [], default: "", options: { max_length: undefined } });
    expect(toModel(d)).toEqual({ name: "", fields: [{ name: "field_1", type: "text", order: 1 }] });
  });

  it("gives every row its own key", () => {
    const d = fromModel(event);
    expect(new Set(d.rows.map((r) => r.key)).size).toBe(3);
  });
});

describe("editing", () => {
  it("adds fields with free names", () => {
    const d = fromModel(null);
    addField(d);
    renameField(d, d.rows[0].key, "field_2", null);
    addField(d, "integer");
    expect(d.rows.map((r) => [r.field.name, r.field.type])).toEqual([["field_2", "text"], ["field_3", "integer"]]);
  });

  it("reorders within bounds", () => {
    const d = fromModel(event);
    expect(moveField(d, d.rows[0].key, -1)).toBe(false);
    expect(moveField(d, d.rows[0].key, 1)).toBe(true);
    expect(d.rows.map((r) => r.field.id)).toEqual(["f2", "f1", "f3"]);
    expect(moveField(d, d.rows[2].key, 1)).toBe(false);
  });

  it("retypes keeping what the new type takes", () => {
    const d = fromModel(event);
    const key = d.rows[0].key;
    setOption(d, key, "pattern", "^[A-Z]+$");
    d.rows[0].field.unique = true;
    retypeField(d, key, "integer", types);
    expect(d.rows[0].field).toMatchObject({ id: "f1", type: "integer", options: {}, choices: ["PL", "DE"], unique: true });
    retypeField(d, key, "json", types);
    expect(d.rows[0].field.choices).toBeUndefined();
    expect(d.rows[0].field.unique).toBeUndefined();
  });

  it("drops related_model when leaving relation", () => {
    const d = fromModel(null);
    const key = addField(d, "relation");
    d.rows[0].field.related_model = "user";
    setOption(d, key, "on_delete", "cascade");
    retypeField(d, key, "text", types);
    expect(d.rows[0].field.related_model).toBeUndefined();
    expect(d.rows[0].field.options).toEqual({});
  });

  it("sets and clears options", () => {
    const d = fromModel(event);
    const key = d.rows[2].key;
    setOption(d, key, "min", 0);
    expect(toModel(d).fields[2].options).toEqual({ min: 0 });
    setOption(d, key, "min", undefined);
    expect(toModel(d).fields[2].options).toBeUndefined();
  });

  it("toggles unique_together members", () => {
    const d = fromModel(event);
    toggleTogether(d, 0, "value", true);
    toggleTogether(d, 0, "country", false);
    toggleTogether(d, 0, "value", true);
    expect(d.uniqueTogether).toEqual([["source", "value"]]);
  });

  it("lists relation targets including the model itself", () => {
    const d = fromModel(event);
    expect(relationTargets(d, ["user", "event"])).toEqual(["event", "user"]);
  });
});

describe("indexes", () => {
  it("reads and writes columns with their direction", () => {
    expect(indexColumn("-timestamp")).toEqual({ name: "timestamp", desc: true });
    expect(indexColumn("country")).toEqual({ name: "country", desc: false });
    expect(writeColumn("timestamp", true)).toBe("-timestamp");
    expect(writeColumn("country", false)).toBe("country");
  });

  it("offers the fields that can be indexed, then the system columns", () => {
    const d = fromModel(event);
    addField(d, "json");
    addField(d, "relation");
    d.rows.push({ key: "x", field: { name: "", type: "text" } });
    expect(indexableColumns(d, types)).toEqual(["country", "source", "value", "field_5", "id", "created_at", "updated_at"]);
  });

  it("adds, edits, moves and removes columns", () => {
    const d = fromModel(null);
    const i = addIndex(d, "country");
    expect(i).toBe(0);
    addIndexColumn(d, i, "timestamp");
    addIndexColumn(d, i, "id");
    setIndexDirection(d, i, 1, true);
    expect(toModel(d).indexes).toEqual([["country", "-timestamp", "id"]]);
    setIndexColumn(d, i, 1, "created_at"); // keeps the direction
    expect(d.indexes[0]).toEqual(["country", "-created_at", "id"]);
    setIndexDirection(d, i, 1, false);
    expect(d.indexes[0][1]).toBe("created_at");
    expect(moveIndexColumn(d, i, 0, -1)).toBe(false);
    expect(moveIndexColumn(d, i, 2, 1)).toBe(false);
    expect(moveIndexColumn(d, i, 2, -1)).toBe(true);
    expect(d.indexes[0]).toEqual(["country", "id", "created_at"]);
    removeIndexColumn(d, i, 0);
    removeIndexColumn(d, i, 5); // out of range: nothing
    expect(d.indexes[0]).toEqual(["id", "created_at"]);
    removeIndexColumn(d, i, 0);
    removeIndexColumn(d, i, 0);
    expect(d.indexes).toEqual([[]]); // left for validation to say it is empty
    addIndex(d, "-created_at");
    removeIndex(d, 0);
    expect(d.indexes).toEqual([["-created_at"]]);
    setIndexColumn(d, 3, 0, "x"); // no such index: nothing
    expect(d.indexes).toEqual([["-created_at"]]);
  });
});

// The rules themselves are shared/schema's, tested in Go, in the golden cases and with the
// real module in wasm.test.ts; here, what the editor does with the module's answers.
describe("field edits through the module", () => {
  const answer = (m: Model): EditResult => ({ model: { ...m, unique_together: [["x", "y"]], indexes: [["-y"]] }, problems: [] });
  const refused: EditResult = { model: null, problems: [{ path: "name", code: "duplicate", message: "" }] };
  const recorder = (reply: (m: Model) => EditResult) => {
    const calls: unknown[][] = [];
    const edits: Edits = {
      renameField: (m, name, to) => (calls.push(["rename", m.fields.map((f) => f.name), name, to]), reply(m)),
      dropField: (m, name) => (calls.push(["drop", m.fields.map((f) => f.name), name]), reply(m)),
    };
    return { calls, edits };
  };

  it("renames the row, keeping the id, and takes the groups and indexes the module answers", () => {
    const { calls, edits } = recorder(answer);
    const d = fromModel(event);
    renameField(d, d.rows[0].key, "nation", edits);
    expect(calls).toEqual([["rename", ["country", "source", "value"], "country", "nation"]]);
    expect(d.rows[0].field).toMatchObject({ id: "f1", name: "nation" });
    expect(d.uniqueTogether).toEqual([["x", "y"]]);
    expect(d.indexes).toEqual([["-y"]]);
    renameField(d, d.rows[0].key, "nation", edits);
    expect(calls).toHaveLength(1); // the same name: nothing to ask
  });

  it("removes the row and takes the groups and indexes the module answers", () => {
    const { calls, edits } = recorder(answer);
    const d = fromModel(event);
    removeField(d, d.rows[1].key, edits);
    expect(calls).toEqual([["drop", ["country", "source", "value"], "source"]]);
    expect(d.rows.map((r) => r.field.name)).toEqual(["country", "value"]);
    expect(d.uniqueTogether).toEqual([["x", "y"]]);
    expect(d.indexes).toEqual([["-y"]]);
  });

  it("changes only the row when the module refuses, fails or is not loaded", () => {
    const failing: Edits = {
      renameField: () => { throw new Error("forma.renameField: internal error"); },
      dropField: () => { throw new Error("forma.dropField: internal error"); },
    };
    for (const edits of [recorder(() => refused).edits, failing, null]) {
      const d = fromModel(event);
      renameField(d, d.rows[0].key, "source", edits);
      removeField(d, d.rows[2].key, edits);
      expect(d.rows.map((r) => r.field.name)).toEqual(["source", "source"]);
      expect(d.uniqueTogether).toEqual(event.unique_together);
      expect(d.indexes).toEqual(event.indexes);
    }
  });
});

describe("relation targets", () => {
  it("lists relation targets including the model itself", () => {
    const d = fromModel(event);
    expect(relationTargets(d, ["user", "event"])).toEqual(["event", "user"]);
  });
});
