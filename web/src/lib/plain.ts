// plain.ts turns a plan's operations into sentences a designer can read before applying
// a change, with what can go wrong said in words.

import type { Op } from "./types";

/** Line is one operation said plainly. */
export interface Line {
  text: string;
  /** Warnings in words, empty when the operation is safe. */
  warnings: string[];
  dataLoss: boolean;
  mayFail: boolean;
}

export const dataLossWarning = "Can lose data: values stored now may be deleted or cut.";
export const mayFailWarning = "May fail on existing records; if it does, nothing is changed.";

/** sentence capitalises a description and ends it with a full stop. */
export function sentence(s: string): string {
  const t = s.trim();
  if (!t) return "";
  const first = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : first + ".";
}

/** lines says every operation of a plan plainly, in plan order. */
export function lines(ops: Op[]): Line[] {
  return ops.map((op) => {
    const warnings: string[] = [];
    if (op.data_loss) warnings.push(dataLossWarning);
    if (op.may_fail) warnings.push(mayFailWarning);
    return { text: sentence(op.description || `${op.kind.replaceAll("_", " ")} ${op.field ?? op.model}`), warnings, dataLoss: op.data_loss, mayFail: op.may_fail };
  });
}

/** summary says how big a plan is and how risky, in one sentence. */
export function summary(ops: Op[]): string {
  if (ops.length === 0) return "No change to the database.";
  const loss = ops.filter((o) => o.data_loss).length;
  const fail = ops.filter((o) => o.may_fail).length;
  const parts = [`${ops.length} change${ops.length === 1 ? "" : "s"} to the database`];
  if (loss) parts.push(`${loss} can lose data`);
  if (fail) parts.push(`${fail} may fail on existing records`);
  return parts.join("; ") + ".";
}

/** losesData reports whether applying the plan needs allow_data_loss. */
export function losesData(ops: Op[]): boolean {
  return ops.some((o) => o.data_loss);
}
