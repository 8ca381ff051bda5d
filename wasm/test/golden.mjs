// golden.mjs runs every golden case of wasm/testdata through forma.wasm under Node and
// compares the answers with the ones the native Go test (bridge_test.go) checks: the
// browser and the server must answer the same.
//
//   node wasm/test/golden.mjs [path/to/forma.wasm]
//
// wasm_exec.js comes from $(go env GOROOT)/lib/wasm (GOROOT from the environment, else
// from `go env`), the Go that built the module.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { load, wrap } from "../forma.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const wasmPath = process.argv[2] ?? path.join(here, "..", "forma.wasm");
const goroot = process.env.GOROOT || execFileSync("go", ["env", "GOROOT"], { encoding: "utf8" }).trim();
const testdata = path.join(here, "..", "testdata");

// wasm_exec.js writes the module's stdout through globalThis.fs when there is one.
globalThis.fs ??= fs;
createRequire(import.meta.url)(path.join(goroot, "lib", "wasm", "wasm_exec.js"));

let forma;
before(async () => {
  forma = await load(fs.readFileSync(wasmPath));
});

// A JSON string is passed as it is; any other value as its JSON text (see bridge_test.go).
const argString = (a) => (typeof a === "string" ? a : JSON.stringify(a));

const files = fs.readdirSync(testdata).filter((f) => f.endsWith(".json")).sort();
assert.ok(files.length > 0, `no golden cases in ${testdata}`);

for (const file of files) {
  const c = JSON.parse(fs.readFileSync(path.join(testdata, file), "utf8"));
  test(`${file.replace(/\.json$/, "")}: ${c.description}`, () => {
    const out = forma.raw[c.call](...c.args.map(argString));
    if (c.error !== undefined) {
      assert.ok(out instanceof Error, `want error ${JSON.stringify(c.error)}, got ${out}`);
      assert.equal(out.message, c.error);
      return;
    }
    assert.ok(!(out instanceof Error), `unexpected error: ${out?.message}`);
    assert.equal(typeof out, "string");
    assert.deepEqual(JSON.parse(out), c.want);
  });
}

test("every exported function has a golden case", () => {
  const called = new Set(files.map((f) => JSON.parse(fs.readFileSync(path.join(testdata, f), "utf8")).call));
  const exported = Object.keys(forma.raw).filter((k) => typeof forma.raw[k] === "function");
  assert.deepEqual(exported.filter((k) => !called.has(k)).sort(), []);
});

test("a non-string argument is an Error value, not a crash", () => {
  const out = forma.raw.validateSchema([]);
  assert.ok(out instanceof Error);
  assert.equal(out.message, "forma.validateSchema: argument 1 must be a string, not object");
  // and the module still answers afterwards
  assert.equal(typeof forma.raw.fieldTypes(), "string");
});

test("the wrapped API parses answers and throws errors", () => {
  const api = wrap(forma.raw);
  assert.ok(Array.isArray(api.fieldTypes()));
  assert.throws(() => api.validateSchema("{not json"), /invalid JSON/);
});
