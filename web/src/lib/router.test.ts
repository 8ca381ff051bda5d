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
    ["/nope/x/y", { screen: "notfound", path: "/nope/x/y" }],
  ];
  for (const [path, route] of scenarios) {
    it(path, () => expect(parseRoute(path)).toEqual(route));
  }
  it("round-trips", () => {
    for (const r of [{ screen: "signin" }, { screen: "editor", model: "a_b" }, { screen: "editor", model: null }] as Route[]) {
      expect(parseRoute(href(r))).toEqual(r);
    }
  });
});
