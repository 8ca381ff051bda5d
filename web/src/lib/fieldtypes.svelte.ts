// fieldtypes.svelte.ts holds the field types as the wasm module describes them
// (forma.fieldTypes()): which lookups each takes, whether it sorts, its input. It is
// state, so a screen shown before the module loaded updates when it has.

import type { FieldType } from "./types";

const loaded = $state({ version: 0 });
let byName = new Map<string, FieldType>();

/** useFieldTypes sets the field types (forma.fieldTypes()). */
export function useFieldTypes(types: FieldType[]): void {
  byName = new Map(types.map((t) => [t.name, t]));
  loaded.version++;
}

/** fieldType is the description of the type named, undefined until the module loaded or for a type it lacks. */
export function fieldType(name: string): FieldType | undefined {
  void loaded.version; // read, so that a reader reruns when the types arrive
  return byName.get(name);
}
