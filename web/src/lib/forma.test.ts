import { describe, expect, it } from "vitest";
import { wrap } from "./forma";

describe("wrap", () => {
  const raw = {
    ready: true,
    fieldTypes: () => '[{"name":"text"}]',
    validateModel: (m: string, names: string) => JSON.stringify([{ path: "name", code: "required", message: m + names }]),
    plan: () => new Error("forma.plan: internal error"),
    validateRecord: () => 42,
    validateRole: (r: string, m: string) => JSON.stringify([{ path: "permissions", code: "x", message: r + m }]),
  };
  const f = wrap(raw);
  it("parses JSON answers and sends JSON arguments", () => {
    expect(f.fieldTypes()).toEqual([{ name: "text" }]);
    expect(f.validateModel({ name: "", fields: [] }, ["a"])[0].message).toBe('{"name":"","fields":[]}["a"]');
  });
  it("sends a role and the models, and tells which functions the module has", () => {
    expect(f.validateRole({ permissions: {} }, [])[0].message).toBe('{"permissions":{}}[]');
    expect(f.has("validateRole")).toBe(true);
    expect(f.has("validateSchema")).toBe(false);
  });
  it("throws the module's Error", () => {
    expect(() => f.plan(null, { name: "a", fields: [] })).toThrow("internal error");
  });
  it("throws on anything that is not a string", () => {
    expect(() => f.validateRecord({ name: "a", fields: [] }, {}, "create")).toThrow("expected a JSON string");
    expect(() => f.validateSchema([])).toThrow("no function validateSchema");
  });
});
