import { describe, expect, it } from "vitest";
import { optionFromInput, optionPlaceholder, optionToInput, valueFromInput, valueToInput } from "./inputs";
import type { OptionSpec } from "./types";

const spec = (kind: OptionSpec["kind"], extra: Partial<OptionSpec> = {}): OptionSpec => ({ name: "o", label: "O", kind, ...extra });

describe("options", () => {
  it("converts by kind", () => {
    expect(optionFromInput(spec("integer"), "12")).toBe(12);
    expect(optionFromInput(spec("integer"), " ")).toBeUndefined();
    expect(optionFromInput(spec("integer"), "1.5")).toBe(1.5); // validation says "a whole number"
    expect(optionFromInput(spec("number"), "abc")).toBe("abc"); // validation says "a number"
    expect(optionFromInput(spec("boolean"), true)).toBe(true);
    expect(optionFromInput(spec("boolean"), false)).toBeUndefined();
    expect(optionFromInput(spec("enum"), "")).toBeUndefined();
    expect(optionFromInput(spec("regexp"), "^a$")).toBe("^a$");
  });

  it("renders values and placeholders", () => {
    expect(optionToInput(spec("integer"), 3)).toBe("3");
    expect(optionToInput(spec("integer"), undefined)).toBe("");
    expect(optionToInput(spec("boolean"), undefined)).toBe(false);
    expect(optionPlaceholder(spec("enum", { default: "restrict" }))).toBe("default: restrict");
    expect(optionPlaceholder(spec("integer"))).toBe("not set");
  });
});

describe("values", () => {
  it("keeps text for string types", () => {
    expect(valueFromInput("123", "text")).toBe("123");
    expect(valueFromInput("1.50", "decimal")).toBe("1.50");
  });
  it("parses numbers, booleans and json", () => {
    expect(valueFromInput("42", "integer")).toBe(42);
    expect(valueFromInput("true", "boolean")).toBe(true);
    expect(valueFromInput('{"a":1}', "json")).toEqual({ a: 1 });
    expect(valueFromInput("abc", "integer")).toBe("abc");
    expect(valueFromInput("", "integer")).toBeUndefined();
  });
  it("renders values", () => {
    expect(valueToInput("PL")).toBe("PL");
    expect(valueToInput(3)).toBe("3");
    expect(valueToInput(undefined)).toBe("");
  });
});
