// forma.mjs loads forma.wasm and returns its functions as plain JavaScript: objects in,
// parsed objects out, a thrown Error on failure. wasm_exec.js (copied beside forma.wasm
// by `make wasm`, from the same Go that built it) must have been loaded first; it
// defines globalThis.Go.
//
//   import { load } from "./forma.mjs";
//   const forma = await load(fetch("/forma.wasm"));
//   forma.validateRecord(model, { country: "PL" }, "create"); // {record, problems}

/**
 * Instantiates the module and returns its API.
 * @param {Response|Promise<Response>|BufferSource|WebAssembly.Module} source
 */
export async function load(source) {
  if (typeof globalThis.Go !== "function") {
    throw new Error("forma: load wasm_exec.js (from the Go that built forma.wasm) before forma.wasm");
  }
  const go = new globalThis.Go();
  let instance;
  if (source instanceof WebAssembly.Module) {
    instance = await WebAssembly.instantiate(source, go.importObject);
  } else if (source instanceof Promise || (typeof Response === "function" && source instanceof Response)) {
    ({ instance } = await WebAssembly.instantiateStreaming(source, go.importObject));
  } else {
    ({ instance } = await WebAssembly.instantiate(source, go.importObject));
  }
  // run executes main until it blocks (select {}): globalThis.forma is set when it returns.
  go.run(instance);
  const raw = globalThis.forma;
  if (!raw || !raw.ready) {
    throw new Error("forma: the module did not register globalThis.forma");
  }
  return wrap(raw);
}

/** Wraps the string API of globalThis.forma (raw) into one that parses and throws. */
export function wrap(raw) {
  const invoke = (name, ...args) => {
    const out = raw[name](...args);
    if (out instanceof Error) throw out;
    return JSON.parse(out);
  };
  const json = (v) => JSON.stringify(v);
  return {
    /** The field-type registry: [{name, label, help, options: [{name, kind, ...}], ...}]. */
    fieldTypes: () => invoke("fieldTypes"),
    /** Every problem of a whole tenant schema (an array of models). */
    validateSchema: (models) => invoke("validateSchema", json(models)),
    /** Every problem of one model whose relations may name modelNames. */
    validateModel: (model, modelNames = []) => invoke("validateModel", json(model), json(modelNames)),
    /** Every problem of a custom role (its API form) against a whole tenant schema. */
    validateRole: (role, models) => invoke("validateRole", json(role), json(models ?? [])),
    /** {query, columns, problems} of an aggregation's query string against a model (its filters are the server's). */
    validateAggregate: (model, query) => invoke("validateAggregate", json(model), query),
    /** {record, problems} for mode "create", "replace" or "patch". */
    validateRecord: (model, record, mode = "create") => invoke("validateRecord", json(model), json(record), mode),
    /** The operations from oldModel (null: a new model) to newModel (null: drop it). */
    plan: (oldModel, newModel) => invoke("plan", json(oldModel ?? null), json(newModel ?? null)),
    /** The operations from one whole tenant schema (an array of models) to another. */
    planSchema: (oldModels, newModels) => invoke("planSchema", json(oldModels ?? []), json(newModels ?? [])),
    /** {model, problems}: the model with field appended (model null when its name is taken). */
    addField: (model, field) => invoke("addField", json(model), json(field)),
    /** {model, problems}: the model with the field name changed by a JSON merge patch. */
    patchField: (model, name, patch) => invoke("patchField", json(model), name, json(patch)),
    /** {model, problems}: the model without the field name, its groups and indexes. */
    dropField: (model, name) => invoke("dropField", json(model), name),
    /** {model, problems}: the model with the field name renamed to, in its groups and indexes too. */
    renameField: (model, name, to) => invoke("renameField", json(model), name, to),
    /** The functions as exported, strings in and out. */
    raw,
  };
}
