// These tests run the real forma.wasm (built by `make wasm` or scripts/web.sh) under
// Node, so the UI logic is checked against the paths and codes the Go code produces.
// They are skipped when the module was not built.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { addField, addIndex, addIndexColumn, fromModel, removeField, renameField, setIndexDirection, setOption, toModel } from "./editor";
import { wrap, type Forma, type RawForma } from "./forma";
import { lines } from "./plain";
import { fieldSlot, place } from "./problems";
import { useFieldTypes } from "./fieldtypes.svelte";
import { aggregateQuery, bucketsOf, groupsOf, measuresOf, type InsightSpec } from "./insights";
import { columnsOf, inputFor, lookupLabels, lookupsFor, sortable } from "./records";
import { fromRole, placeRole, ruleSlot, toRole } from "./roles";

const wasmPath = fileURLToPath(new URL("../../../wasm/forma.wasm", import.meta.url));
const execPath = fileURLToPath(new URL("../../../wasm/wasm_exec.js", import.meta.url));
const built = existsSync(wasmPath) && existsSync(execPath);

describe.skipIf(!built)("with forma.wasm", () => {
  let forma: Forma;
  beforeAll(async () => {
    await import(/* @vite-ignore */ execPath);
    const Go = (globalThis as unknown as { Go: new () => { importObject: WebAssembly.Imports; run(i: WebAssembly.Instance): Promise<void> } }).Go;
    const go = new Go();
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), go.importObject);
    void go.run(instance);
    forma = wrap((globalThis as unknown as { forma: RawForma }).forma);
  });

  it("describes every type with options as data", () => {
    const types = forma.fieldTypes();
    const text = types.find((t) => t.name === "text");
    expect(text?.options.map((o) => o.name)).toContain("max_length");
    expect(types.find((t) => t.name === "relation")?.relation).toBe(true);
  });

  it("gives the data browser every type's lookups, sorting and input", () => {
    const types = forma.fieldTypes();
    useFieldTypes(types);
    expect(types.length).toBeGreaterThan(0);
    for (const t of types) {
      expect(lookupsFor(t.name), t.name).toEqual(t.lookups);
      for (const lk of t.lookups) expect(lookupLabels, `${t.name} ${lk}`).toHaveProperty([lk]);
      expect(typeof t.sortable, t.name).toBe("boolean");
      expect(sortable(t.name), t.name).toBe(t.sortable);
      expect(["input", "select", "textarea"], t.name).toContain(t.input.control);
      expect(["text", "json", "bool", "json-strict"], t.name).toContain(t.input.parse);
      expect(inputFor({ name: "f", type: t.name }), t.name).toEqual(t.input);
    }
  });

  it("offers in Insights only what the module's validateAggregate takes", () => {
    useFieldTypes(forma.fieldTypes());
    const model = {
      name: "sale",
      fields: [
        { name: "at", type: "datetime" }, { name: "day", type: "date" }, { name: "country", type: "text" },
        { name: "value", type: "integer" }, { name: "price", type: "decimal" }, { name: "paid", type: "boolean" }, { name: "doc", type: "json" },
      ],
    };
    const columns = columnsOf(model);
    const check = (s: InsightSpec) => forma.validateAggregate(model, new URLSearchParams(aggregateQuery(s, [])).toString()).problems;
    const measures = measuresOf(columns);
    expect(measures.length).toBeGreaterThan(10);
    for (const measure of measures) expect(check({ measure, tz: "UTC" }), JSON.stringify(measure)).toEqual([]);
    for (const c of groupsOf(columns)) expect(check({ measure: { fn: "count" }, group: c.name, tz: "UTC" }), c.name).toEqual([]);
    for (const { column, units } of bucketsOf(columns)) {
      for (const unit of units) {
        const bucket = { field: column.name, unit };
        expect(check({ measure: { fn: "count" }, bucket, tz: "Europe/Warsaw" }), `${column.name} ${unit}`).toEqual([]);
        expect(check({ measure: { fn: "count" }, group: "country", bucket, tz: "Europe/Warsaw" }), `${column.name} ${unit} by country`).toEqual([]);
      }
    }
    expect(bucketsOf(columns).map((b) => b.column.name)).toEqual(["at", "day", "created_at", "updated_at"]);
    expect(check({ measure: { fn: "sum", field: "country" }, tz: "UTC" }).map((p) => p.path)).toEqual(["measures"]);
    expect(check({ measure: { fn: "count" }, bucket: { field: "at", unit: "day" }, tz: "Mars/Olympus" }).map((p) => p.path)).toEqual(["tz"]);
  });

  it("places the module's problems next to their inputs", () => {
    const d = fromModel(null);
    d.name = "Bad Name";
    const k1 = addField(d, "text");
    setOption(d, k1, "max_length", 0);
    const k2 = addField(d, "text");
    renameField(d, k2, "created_at", forma);
    const problems = forma.validateModel(toModel(d), []);
    const slots = place(problems, d.rows.map((r) => r.key), (_, o) => o === "max_length");
    expect(slots.get("name")?.[0].code).toBe("invalid_name");
    expect(slots.get(fieldSlot(k1, "options.max_length"))?.[0].code).toBe("min");
    expect(slots.get(fieldSlot(k2, "name"))?.[0].code).toBe("system_column");
  });

  it("places index problems by the index and the column", () => {
    const d = fromModel(null);
    d.name = "event";
    addField(d, "text"); // field_1
    addField(d, "json"); // field_2
    const i = addIndex(d, "field_1");
    addIndexColumn(d, i, "field_2");
    addIndexColumn(d, i, "nope");
    addIndex(d, "field_1");
    setIndexDirection(d, 0, 0, true);
    d.indexes.push([]);
    const problems = forma.validateModel(toModel(d), []);
    expect(problems.map((p) => `${p.path} ${p.code}`)).toEqual([
      "indexes[0][1] not_allowed",
      "indexes[0][2] unknown_field",
      "indexes[2] empty",
    ]);
    const slots = place(problems, d.rows.map((r) => r.key), () => false);
    expect(slots.get("indexes[0][1]")?.[0].code).toBe("not_allowed");
    expect(slots.get("indexes[2]")?.[0].code).toBe("empty");
  });

  const saved3 = {
    name: "event",
    unique_together: [["country", "source", "timestamp"], []],
    indexes: [["country", "-source", "id"], ["timestamp"]],
    fields: [
      { id: "a1", name: "country", type: "text" },
      { id: "a2", name: "source", type: "text" },
      { id: "a3", name: "timestamp", type: "datetime" },
    ],
  };

  it("plans a renamed field's index as a renamed index, and drops a removed field's", () => {
    const saved = {
      name: "event",
      indexes: [["country", "-timestamp", "id"], ["source"]],
      fields: [
        { id: "a1", name: "country", type: "text" },
        { id: "a2", name: "source", type: "text" },
        { id: "a3", name: "timestamp", type: "datetime" },
      ],
    };
    const d = fromModel(saved);
    renameField(d, d.rows[0].key, "nation", forma);
    removeField(d, d.rows[1].key, forma);
    const m = toModel(d);
    expect(m.indexes).toEqual([["nation", "-timestamp", "id"]]);
    const ops = forma.plan(saved, m);
    expect(ops.map((o) => o.kind)).toEqual(["drop_model_index", "drop_column", "rename_column", "rename_index"]);
    expect(lines(ops)[0].text).toBe('Drop the index on field "source".');
    expect(forma.validateModel(m, [])).toEqual([]);
  });

  it("follows a rename in unique_together and indexes, keeping the direction", () => {
    const d = fromModel(saved3);
    renameField(d, d.rows[1].key, "origin", forma);
    expect(d.rows[1].field).toMatchObject({ id: "a2", name: "origin" });
    expect(d.uniqueTogether).toEqual([["country", "origin", "timestamp"], []]);
    expect(d.indexes).toEqual([["country", "-origin", "id"], ["timestamp"]]);
  });

  it("drops a removed field's groups and indexes whole, a group of three too", () => {
    const d = fromModel(saved3);
    removeField(d, d.rows[1].key, forma); // source
    expect(d.rows.map((r) => r.field.name)).toEqual(["country", "timestamp"]);
    expect(d.uniqueTogether).toEqual([[]]); // the group being built stays
    expect(d.indexes).toEqual([["timestamp"]]);
  });

  it("does not move another field's groups when a name is typed through that field's", () => {
    const d = fromModel(saved3);
    const key = addField(d, "text");
    for (const name of ["c", "country", "country2"]) renameField(d, key, name, forma);
    expect(d.rows.map((r) => r.field.name)).toEqual(["country", "source", "timestamp", "country2"]);
    expect(d.uniqueTogether).toEqual(saved3.unique_together);
    expect(d.indexes).toEqual(saved3.indexes);
  });

  it("keeps a field's groups when its name is typed through another field's", () => {
    const d = fromModel(saved3);
    const key = d.rows[1].key; // source, in a group and an index
    for (const name of ["countr", "country", "country2"]) renameField(d, key, name, forma);
    expect(d.rows[1].field.name).toBe("country2");
    expect(d.uniqueTogether).toEqual([["country", "country2", "timestamp"], []]);
    expect(d.indexes).toEqual([["country", "-country2", "id"], ["timestamp"]]);
  });

  it("drops a field's groups when it is removed while its name is taken", () => {
    const d = fromModel(saved3);
    renameField(d, d.rows[1].key, "country", forma); // refused: the groups still say source
    removeField(d, d.rows[1].key, forma);
    expect(d.uniqueTogether).toEqual([[]]);
    expect(d.indexes).toEqual([["timestamp"]]);
  });

  it("plans a rename as a rename because the id is kept", () => {
    const saved = { name: "event", fields: [{ id: "a1", name: "country", type: "text" }, { id: "a2", name: "source", type: "text" }] };
    const d = fromModel(saved);
    renameField(d, d.rows[0].key, "nation", forma);
    removeField(d, d.rows[1].key, forma);
    const said = lines(forma.plan(saved, toModel(d)));
    expect(said.map((l) => l.text)).toContain('Rename field "country" to "nation".');
    expect(said.some((l) => l.dataLoss)).toBe(true);
  });

  // validateRole arrives with the roles; a module built before it skips these.
  const blog = [{ name: "post", fields: [{ id: "f1", name: "title", type: "text" }, { id: "f2", name: "views", type: "integer" }] }];

  it("finds a role made in the grid valid, as the server would", (ctx) => {
    if (!forma.has("validateRole")) ctx.skip();
    const d = fromRole("viewer", null, blog);
    const list = d.models[0].rules.list;
    list.allowed = true;
    list.filter.push({ key: "a", field: "views", lookup: "gte", value: "3" }, { key: "b", field: "title", lookup: "", value: "$auth.sub" });
    expect(forma.validateRole(toRole(d, blog), blog)).toEqual([]);
  });

  it("places the module's role problems in the grid's cells", (ctx) => {
    if (!forma.has("validateRole")) ctx.skip();
    const d = fromRole("viewer", { permissions: { post: { list: { fields: ["title"] } }, gone: { get: { fields: "*" } } } }, blog);
    const r = d.models[0].rules;
    r.list.filter.push({ key: "v", field: "views", lookup: "gte", value: "many" });
    r.list.fields.push("nope");
    r.create.allowed = true;
    r.create.presets.push({ key: "p", field: "views", value: "$nope" });
    const problems = forma.validateRole(toRole(d, blog), blog);
    const slots = placeRole(problems, d);
    const at = (slot: string) => slots.get(slot)?.map((p) => p.code) ?? [];
    expect(at(ruleSlot("post", "list", "filter", "v"))).toEqual(["invalid_type"]);
    expect(at(ruleSlot("post", "list", "fields"))).toEqual(["unknown_field"]);
    expect(at(ruleSlot("post", "create", "presets", "p"))).toEqual(["unknown_variable"]);
    expect(at("")).toEqual([]);
    expect(problems.some((p) => p.path === "permissions.gone" && p.code === "unknown_model")).toBe(true);
  });
});
