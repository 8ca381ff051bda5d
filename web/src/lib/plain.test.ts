import { describe, expect, it } from "vitest";
import { dataLossWarning, lines, losesData, mayFailWarning, sentence, summary } from "./plain";
import type { Op } from "./types";

const op = (o: Partial<Op>): Op => ({ kind: "add_column", model: "event", data_loss: false, may_fail: false, description: "", ...o });

describe("plain", () => {
  it("makes sentences", () => {
    expect(sentence('rename field "name" to "title"')).toBe('Rename field "name" to "title".');
    expect(sentence("Done.")).toBe("Done.");
    expect(sentence(" ")).toBe("");
  });

  it("says the risks in words", () => {
    const ls = lines([
      op({ description: 'drop field "x"', data_loss: true }),
      op({ description: 'make field "y" required', may_fail: true }),
      op({ kind: "add_index", field: "z" }),
    ]);
    expect(ls[0]).toMatchObject({ text: 'Drop field "x".', warnings: [dataLossWarning], dataLoss: true });
    expect(ls[1].warnings).toEqual([mayFailWarning]);
    expect(ls[2].text).toBe("Add index z.");
  });

  it("summarises", () => {
    expect(summary([])).toBe("No change to the database.");
    const ops = [op({ data_loss: true }), op({ may_fail: true }), op({})];
    expect(summary(ops)).toBe("3 changes to the database; 1 can lose data; 1 may fail on existing records.");
    expect(losesData(ops)).toBe(true);
    expect(summary([op({})])).toBe("1 change to the database.");
  });
});
