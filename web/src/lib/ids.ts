// ids.ts makes DOM ids from slot names, for labels and aria-describedby.

/** domId turns any slot or path into a valid, readable element id. */
export function domId(prefix: string, slot: string): string {
  return `${prefix}-${slot.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}
