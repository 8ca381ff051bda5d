import { describe, expect, it } from "vitest";
import { href, parseRoute, type Route } from "./router";

describe("router", () => {
  const scenarios: [string, Route][] = [
    ["/", { screen: "models" }],
    ["/signin", { screen: "signin" }],
    ["/models", { screen: "models" }],
    ["/models/", { screen: "models" }],
    ["/new-model", { screen: "editor", model: null }],
    ["/models/event", { screen: "editor", model: "event" }],
    ["/data/event", { screen: "data", model: "event" }],
    ["/data/event/new", { screen: "record", model: "event", id: null }],
    ["/data/event/12", { screen: "record", model: "event", id: "12" }],
    ["/history", { screen: "history" }],
    ["/keys", { screen: "keys" }],
    ["/diagram", { screen: "diagram" }],
    ["/roles", { screen: "roles" }],
    ["/roles/viewer", { screen: "role", role: "viewer" }],
    ["/new-role", { screen: "role", role: null }],
    ["/tokens", { screen: "tokens" }],
    ["/%E0%A4%A", { screen: "notfound", path: "/%E0%A4%A" }],
    ["/nope/x/y", { screen: "notfound", path: "/nope/x/y" }],
  ];
  for (const [path, route] of scenarios) {
    it(path, () => expect(parseRoute(path)).toEqual(route));
  }
  it("round-trips", () => {
    for (const r of [{ screen: "signin" }, { screen: "editor", model: "a_b" }, { screen: "editor", model: null },
      { screen: "data", model: "event" }, { screen: "record", model: "event", id: "3" }, { screen: "record", model: "event", id: null },
      { screen: "keys" }, { screen: "history" }, { screen: "diagram" }, { screen: "roles" }, { screen: "role", role: "viewer" },
      { screen: "role", role: null }, { screen: "tokens" }] as Route[]) {
      expect(parseRoute(href(r))).toEqual(r);
    }
  });
});
