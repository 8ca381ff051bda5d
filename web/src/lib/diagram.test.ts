import { describe, expect, it } from "vitest";
import { layout } from "./diagram";
import type { Model } from "./types";

const user: Model = { name: "user", fields: [{ name: "email", type: "email" }] };
const event: Model = {
  name: "event",
  fields: [
    { name: "value", type: "integer" },
    { name: "owner", type: "relation", related_model: "user", options: { on_delete: "set_null" } },
    { name: "parent", type: "relation", related_model: "event" },
    { name: "lost", type: "relation", related_model: "nowhere" },
  ],
};

describe("diagram layout", () => {
  it("places boxes in a grid sorted by name, one line per field", () => {
    const l = layout([user, event]);
    expect(l.boxes.map((b) => b.name)).toEqual(["event", "user"]);
    const [e, u] = l.boxes;
    expect(u.x).toBeGreaterThan(e.x + e.w); // two models: side by side
    expect(e.fields.map((f) => f.name)).toEqual(["value", "owner", "parent", "lost"]);
    expect(e.fields[1].type).toBe("→ user");
    expect(e.h).toBeGreaterThan(u.h);
    expect(l.width).toBeGreaterThanOrEqual(u.x + u.w);
    expect(l.height).toBeGreaterThanOrEqual(e.y + e.h);
  });
  it("draws one arrow per relation, marks a missing target", () => {
    const l = layout([user, event]);
    expect(l.edges.map((e) => [e.from, e.field, e.to, e.missing])).toEqual([
      ["event", "owner", "user", false],
      ["event", "parent", "event", false],
      ["event", "lost", "nowhere", true],
    ]);
    expect(l.edges[0].path).toMatch(/^M [\d.]+ [\d.]+ C /);
    expect(l.edges[0].onDelete).toBe("set_null");
  });
  it("stacks boxes in one column when asked", () => {
    const l = layout([user, event], 1);
    expect(l.boxes[1].y).toBeGreaterThan(l.boxes[0].y + l.boxes[0].h);
    expect(l.edges[0].path).toContain("C"); // routed around the side
  });
  it("handles no models", () => {
    expect(layout([])).toMatchObject({ boxes: [], edges: [] });
  });
});
