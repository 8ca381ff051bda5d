import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useFieldTypes } from "./fieldtypes.svelte";
import {
  addFilterRow, addPresetRow, countIn, duplicates, fromRole, modelSlot, placeRole, readable, ruleFields, ruleSlot,
  slotOf, splitKey, summary, textOf, toRole, typeOf, valueOf, type Role,
} from "./roles";
import type { FieldType, Model } from "./types";

// The field types as the wasm bridge answers fieldTypes() (its golden answer).
const golden = fileURLToPath(new URL("../../../wasm/testdata/field_types.json", import.meta.url));
useFieldTypes((JSON.parse(readFileSync(golden, "utf8")) as { want: FieldType[] }).want);

const post: Model = {
  name: "post",
  fields: [
    { name: "title", type: "text", order: 1 },
    { name: "body", type: "text", order: 2 },
    { name: "owner", type: "text", order: 3 },
    { name: "status", type: "text", order: 4 },
    { name: "views", type: "integer", order: 5 },
    { name: "pinned", type: "boolean", order: 6 },
  ],
};
const tag: Model = { name: "tag", fields: [{ name: "label", type: "text" }] };
const models = [post, tag];

// The example role, in the API's form.
const editor: Role = {
  description: "Writes their own posts",
  permissions: {
    post: {
      list: { filter: { status: "published" }, fields: ["id", "title", "owner"] },
      get: { filter: { status__in: ["draft", "published"], views__gte: 10 }, fields: "*" },
      create: { fields: ["title", "body"], presets: { owner: "$auth.sub", status: "draft", views: 0 } },
      update: { filter: { owner: "$auth.sub" }, fields: ["title", "body"] },
      delete: { filter: { owner: "$auth.sub", pinned: false } },
    },
  },
};

describe("fromRole and toRole", () => {
  it("round-trips the issue's role through the grid", () => {
    const d = fromRole("editor", editor, models);
    expect(d.models.map((m) => m.model)).toEqual(["post", "tag"]);
    expect(d.models[1].rules.list.allowed).toBe(false);
    const get = d.models[0].rules.get;
    expect(get.filter.map((r) => [r.field, r.lookup, r.value])).toEqual([
      ["status", "in", "draft, published"],
      ["views", "gte", "10"],
    ]);
    expect(get.all).toBe(true);
    expect(toRole(d, models)).toEqual(editor);
  });

  it("reads typed values by the field's type, and keeps variables and wrong values as text", () => {
    const d = fromRole("r", null, models);
    const list = d.models[0].rules.list;
    list.allowed = true;
    list.filter = [
      { key: "a", field: "views", lookup: "lt", value: "5" },
      { key: "b", field: "pinned", lookup: "", value: "true" },
      { key: "c", field: "owner", lookup: "", value: "$auth.sub" },
      { key: "d", field: "views", lookup: "in", value: "1, 2,3" },
      { key: "e", field: "title", lookup: "isnull", value: "false" },
      { key: "f", field: "views", lookup: "", value: "many" },
      { key: "g", field: "title", lookup: "in", value: '["a,b", "c"]' },
      { key: "h", field: "", lookup: "", value: "half-written" },
    ];
    expect(toRole(d, models).permissions.post.list).toEqual({
      filter: { views__lt: 5, pinned: true, owner: "$auth.sub", views__in: [1, 2, 3], title__isnull: false, views: "many", title__in: ["a,b", "c"] },
      fields: "*",
    });
  });

  it("sends fields in the model's order, presets only on create, no fields on delete", () => {
    const d = fromRole("r", null, models);
    const r = d.models[0].rules;
    r.list.allowed = true;
    r.list.all = false;
    r.list.fields = ["owner", "id", "title"];
    r.delete.allowed = true;
    r.create.allowed = true;
    r.create.all = false;
    r.create.fields = ["body"];
    addPresetRow(r.create, post);
    r.create.presets[0].value = "x";
    r.update.presets = [{ key: "z", field: "owner", value: "ignored" }];
    r.update.allowed = true;
    expect(toRole(d, models)).toEqual({
      permissions: {
        post: { list: { fields: ["id", "title", "owner"] }, create: { fields: ["body"], presets: { title: "x" } }, update: { fields: "*" }, delete: {} },
      },
    });
  });

  it("keeps a model the tenant lacks, so that its problem shows", () => {
    const d = fromRole("r", { permissions: { gone: { list: { fields: "*" } } } }, models);
    expect(d.models.map((m) => m.model)).toEqual(["post", "tag", "gone"]);
    expect(toRole(d, models).permissions).toEqual({ gone: { list: { fields: "*" } } });
  });

  it("splits a key at its lookup only when the field's type takes it", () => {
    const t = (f: string) => typeOf(post, f);
    expect(splitKey("views__gte", t)).toEqual({ field: "views", lookup: "gte" });
    expect(splitKey("owner", t)).toEqual({ field: "owner", lookup: "" });
    expect(splitKey("views__nope", t)).toEqual({ field: "views__nope", lookup: "" });
  });
});

describe("values", () => {
  it("reads and renders lists, yes/no and numbers", () => {
    expect(valueOf("", "integer", "isnull")).toBe(true);
    expect(valueOf("$auth.groups", "text", "in")).toBe("$auth.groups");
    expect(valueOf("", "text", "in")).toEqual([]);
    expect(valueOf("1.5", "float", "")).toBe(1.5);
    expect(valueOf("$$5", "integer", "")).toBe("$$5");
    expect(textOf(["a", "b"])).toBe("a, b");
    expect(textOf(["a,b"])).toBe('["a,b"]');
    expect(textOf(3)).toBe("3");
    expect(textOf(null)).toBe("null");
  });
});

describe("the grid", () => {
  it("offers system columns to read and filter, never to write", () => {
    expect(ruleFields(post, "list").map((f) => f.name)).toEqual(["id", "title", "body", "owner", "status", "views", "pinned", "created_at", "updated_at"]);
    expect(ruleFields(post, "create").map((f) => f.name)).toEqual(["title", "body", "owner", "status", "views", "pinned"]);
    expect(ruleFields(post, "delete")[0].name).toBe("id");
  });

  it("adds a filter row on the first field", () => {
    const d = fromRole("r", null, models);
    addFilterRow(d.models[0].rules.list, post, "list");
    expect(d.models[0].rules.list.filter[0]).toMatchObject({ field: "title", lookup: "", value: "" });
  });

  it("says a cell in words", () => {
    const d = fromRole("editor", editor, models);
    expect(summary(d.models[0].rules.get, "get")).toBe("2 filter terms, all fields");
    expect(summary(d.models[0].rules.create, "create")).toBe("every row, 2 fields, 3 presets");
    expect(summary(d.models[1].rules.list, "list")).toBe("not allowed");
  });

  it("reports a filter term or preset written twice", () => {
    const d = fromRole("editor", editor, models);
    d.models[0].rules.list.filter.push({ key: "x", field: "status", lookup: "", value: "draft" });
    expect(duplicates(d).map((p) => p.path)).toEqual(["permissions.post.list.filter.status"]);
  });

  it("lists what view-as can read", () => {
    const cols = ["id", "title", "body", "owner", "created_at"];
    expect(readable(editor, "post", cols)).toEqual(["id", "title", "owner"]);
    expect(readable({ permissions: { post: { list: { fields: "*" } } } }, "post", cols)).toEqual(cols);
  });
});

describe("problems in cells", () => {
  const d = fromRole("editor", editor, models);
  const row = (a: "get" | "create", i: number, part: "filter" | "presets" = "filter") => d.models[0].rules[a][part][i].key;
  const scenarios: [string, string][] = [
    ["description", "description"],
    ["", ""],
    ["permissions", ""],
    ["permissions.nope", ""],
    ["permissions.post", modelSlot("post")],
    ["permissions.post.frobnicate", modelSlot("post")],
    ["permissions.post.get", ruleSlot("post", "get")],
    ["permissions.post.get.filter.status__in", ruleSlot("post", "get", "filter", row("get", 0))],
    ["permissions.post.get.filter.status__in[1]", ruleSlot("post", "get", "filter", row("get", 0))],
    ["permissions.post.get.filter.views__gte", ruleSlot("post", "get", "filter", row("get", 1))],
    ["permissions.post.get.filter.other", ruleSlot("post", "get", "filter")],
    ["permissions.post.get.filter", ruleSlot("post", "get", "filter")],
    ["permissions.post.list.fields", ruleSlot("post", "list", "fields")],
    ["permissions.post.list.fields[2]", ruleSlot("post", "list", "fields")],
    ["permissions.post.create.presets.status", ruleSlot("post", "create", "presets", row("create", 1, "presets"))],
    ["permissions.post.delete.fields", ruleSlot("post", "delete", "fields")],
    ["roles.editor.permissions.post.update.filter.owner", ruleSlot("post", "update", "filter", d.models[0].rules.update.filter[0].key)],
  ];
  for (const [path, want] of scenarios) {
    it(`${path || "(empty)"} -> ${want || "(role)"}`, () => expect(slotOf(path, d)).toBe(want));
  }

  it("goes to the last row with a key, the one the role holds", () => {
    const d2 = fromRole("editor", editor, models);
    d2.models[0].rules.list.filter.push({ key: "dup", field: "status", lookup: "", value: "x" });
    expect(slotOf("permissions.post.list.filter.status", d2)).toBe(ruleSlot("post", "list", "filter", "dup"));
  });

  it("counts a model's problems, its cells' too", () => {
    const slots = placeRole(
      [
        { path: "permissions.post", code: "x", message: "" },
        { path: "permissions.post.list.fields[0]", code: "unknown_field", message: "" },
        { path: "permissions.tag.get", code: "y", message: "" },
        { path: "description", code: "z", message: "" },
      ],
      d,
    );
    expect(countIn(slots, "post")).toBe(2);
    expect(countIn(slots, "tag")).toBe(1);
    expect(slots.get("description")?.length).toBe(1);
  });
});
