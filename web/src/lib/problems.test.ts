import { describe, expect, it } from "vitest";
import { countUnder, fieldSlot, place, slotFor } from "./problems";

const keys = ["a", "b"];
const has = (key: string, opt: string) => key === "b" && opt === "max_length";

describe("slotFor", () => {
  const scenarios: [string, string][] = [
    ["name", "name"],
    ["label", "label"],
    ["", ""],
    ["fields", ""],
    ["fields[0].name", "field:a:name"],
    ["fields[1].options.max_length", "field:b:options.max_length"],
    ["fields[1].options.colour", "field:b:options"],
    ["fields[0].options.max_length", "field:a:options"],
    ["fields[0].choices[2]", "field:a:choices"],
    ["fields[0].id", "field:a"],
    ["fields[0]", "field:a"],
    ["fields[7].name", ""],
    ["unique_together", "unique_together"],
    ["unique_together[1][0]", "unique_together[1]"],
    ["indexes", "indexes"],
    ["indexes[2]", "indexes[2]"],
    ["indexes[2][0]", "indexes[2][0]"],
  ];
  for (const [path, want] of scenarios) {
    it(`${path || "(empty)"} -> ${want || "(model)"}`, () => expect(slotFor(path, keys, has)).toBe(want));
  }
});

describe("place", () => {
  it("groups problems by slot and counts them per field", () => {
    const slots = place(
      [
        { path: "fields[0].name", code: "required", message: "is required" },
        { path: "fields[0].options.x", code: "unknown_option", message: "x is not an option" },
        { path: "fields[1].name", code: "duplicate", message: "dup" },
        { path: "name", code: "invalid_name", message: "bad" },
      ],
      keys,
      has,
    );
    expect(slots.get(fieldSlot("a", "name"))?.[0].code).toBe("required");
    expect(countUnder(slots, fieldSlot("a"))).toBe(2);
    expect(countUnder(slots, fieldSlot("b"))).toBe(1);
    expect(slots.get("name")?.length).toBe(1);
  });
});
