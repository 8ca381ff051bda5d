// designer.test.mjs: the talk's scenario, end to end in a real browser against a real
// server: sign in, design the Event model, see a validation error appear with no request
// sent, preview (plan in words, then the server's dry run), apply, add records in the
// data grid, rename a field and see the data kept, reload and see everything persisted;
// and a composite index added in the editor, checked inline, previewed and applied.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, formaReady, launch, newTenant, shot, signIn } from "./lib.mjs";

let b; // the browser
let page;
let session;

before(async () => {
  session = await newTenant("designer");
  b = await launch();
  page = b.page;
});

after(async () => {
  await b?.close();
});

/** noErrors fails when the page logged a script error. */
function noErrors() {
  assert.deepEqual(b.state.errors, [], "the page logged errors");
}

/** addField adds a field of type and names it; its details row opens (new fields start open). */
async function addField(name, type) {
  await page.getByLabel("New field of type").selectOption(type);
  await page.getByRole("button", { name: "Add field" }).click();
  const n = await page.locator("tr.field-row").count();
  const input = page.getByLabel(`Name of field ${n}`);
  await assert.doesNotReject(input.evaluate((el) => el === document.activeElement || Promise.reject(new Error("not focused"))));
  await input.fill(name);
  return n;
}

/** closeDetails folds the details row of field name, so that one field's options show at a time. */
async function closeDetails() {
  const open = page.locator('tr.field-row button[aria-expanded="true"]');
  while ((await open.count()) > 0) await open.first().click();
}

test("sign in", async () => {
  await page.goto("/");
  await page.waitForURL("**/signin");
  await page.getByLabel("Tenant").waitFor();
  await formaReady(page);
  await shot(page, "sign-in");

  // A wrong key is refused where it was typed.
  await page.getByLabel("Tenant").fill(session.tenant);
  await page.getByLabel("Key", { exact: true }).fill("fk_not_a_key");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "not valid" }).waitFor();

  await page.getByLabel("Key", { exact: true }).fill(session.key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Models", level: 1 }).waitFor();
  await page.getByText("This tenant has no models yet").waitFor();
  noErrors();
});

test("design the Event model, with live validation and no request", async () => {
  await page.getByRole("link", { name: "New model" }).click();
  await page.getByRole("heading", { name: "New model" }).waitFor();
  await formaReady(page);

  await page.getByLabel("Name", { exact: true }).fill("event");
  await page.getByLabel("Label", { exact: true }).fill("Event");
  await page.getByLabel("Description", { exact: true }).fill("Analytics events");
  await page.getByLabel("Show in the data browser").check();

  await addField("timestamp", "datetime");
  await page.getByLabel("Required: field timestamp").check();
  await page.getByLabel("Set on create").check();
  await closeDetails();

  await addField("country", "text");
  await page.getByLabel("Required: field country").check();
  await page.getByLabel("Indexed: field country").check();
  for (const c of ["PL", "DE", "US"]) {
    await page.getByLabel("Add a choice").fill(c);
    await page.getByLabel("Add a choice").press("Enter");
  }
  await page.getByLabel("Default").fill("PL");

  // Live validation: a maximum length of 0 is refused at once, by the wasm module, with
  // the server's own message, and nothing goes over the network.
  const sent = b.state.requests.length;
  const maxLength = page.getByLabel("Maximum length");
  await maxLength.fill("0");
  const problem = page.locator("ul.problems li[data-code]").first();
  await problem.waitFor();
  assert.match(await problem.textContent(), /at least 1/);
  assert.equal(await maxLength.getAttribute("aria-invalid"), "true");
  await page.getByRole("status").filter({ hasText: "problem" }).waitFor();
  assert.ok(await page.getByRole("button", { name: "Apply" }).isDisabled(), "Apply is disabled while invalid");
  await shot(page, "editor-validation");
  assert.deepEqual(b.state.requests.slice(sent), [], "validation sent no request");

  await maxLength.fill("3");
  await page.locator("ul.problems li[data-code]").first().waitFor({ state: "detached" });
  await closeDetails();

  await addField("source", "text");
  await page.getByLabel("Maximum length").fill("10");
  await page.getByLabel("Help text").fill("where it came from");
  await closeDetails();

  await addField("value", "integer");
  await page.getByLabel("Minimum").fill("0");
  await closeDetails();

  await page.getByRole("status").filter({ hasText: "The model is valid." }).waitFor();
  assert.deepEqual(b.state.requests.slice(sent), [], "designing the whole model sent no request");
  noErrors();
});

test("preview the plan in words, dry run on the server, then apply", async () => {
  // The plan from the wasm module, in plain words.
  const preview = page.locator("section.preview");
  await preview.getByRole("heading", { name: /What this does/ }).waitFor();
  const planText = await preview.locator("ol.plan").first().textContent();
  assert.match(planText, /event/i);
  assert.match(await preview.locator(".plan-summary").first().textContent(), /change/);

  // The server's dry run, with the exact SQL.
  await page.getByRole("button", { name: "Dry run on the server" }).click();
  const sql = page.getByLabel("SQL of the dry run");
  await sql.waitFor();
  assert.match(await sql.textContent(), /CREATE TABLE/i);
  await preview.scrollIntoViewIfNeeded();
  await page.getByRole("heading", { name: "Change preview" }).evaluate((el) => el.scrollIntoView({ block: "start" }));
  await shot(page, "plan-preview");

  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL("**/models/event");
  await page.getByRole("status").filter({ hasText: /Applied: \d+ changes? to the database/ }).waitFor();

  const { model: saved } = await api(session, "GET", "/models/event");
  assert.deepEqual(
    saved.fields.map((f) => [f.name, f.type]),
    [["timestamp", "datetime"], ["country", "text"], ["source", "text"], ["value", "integer"]],
  );
  assert.equal(saved.admin, true);
  noErrors();
});

test("the models list shows the model", async () => {
  await page.getByRole("link", { name: "Back to models" }).click();
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "event", exact: true }) });
  await row.waitFor();
  await shot(page, "models-list");
});

test("add records in the data grid, validated as you type", async () => {
  await page.getByRole("link", { name: "Browse the records of event" }).click();
  await page.getByRole("heading", { name: /Event\s+records/ }).waitFor();
  await page.getByText("No records yet.").waitFor();

  const rows = [
    ["PL", "web", "5"],
    ["DE", "app", "12"],
    ["US", "web", "0"],
  ];
  for (const [i, [country, source, value]] of rows.entries()) {
    await page.getByRole("link", { name: "New record" }).click();
    await page.getByRole("heading", { name: "New Event record" }).waitFor();
    await formaReady(page);
    assert.equal(await page.getByLabel("country").inputValue(), "PL", "the default is filled in");
    await page.getByLabel("country").selectOption(country);
    await page.getByLabel("source").fill(source);
    if (i === 0) {
      // A negative value is refused as it is typed, by the wasm module: no request.
      const sent = b.state.requests.length;
      await page.getByLabel("value").fill("-1");
      const p = page.locator("#rec-p-value li");
      await p.waitFor();
      assert.match(await p.textContent(), /at least 0/);
      await page.getByLabel("value").fill("1x");
      await page.locator("#rec-p-value li").filter({ hasText: /whole number/ }).waitFor();
      await shot(page, "record-form");
      assert.deepEqual(b.state.requests.slice(sent), [], "record validation sent no request");
      await page.getByRole("button", { name: "Create" }).click(); // refused in the browser
      assert.deepEqual(b.state.requests.slice(sent), [], "an invalid record is not sent");
    }
    await page.getByLabel("value").fill(value);
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("status").filter({ hasText: /Record \d+ created/ }).waitFor();
  }
  const grid = page.locator("table.records tbody tr");
  await assert.doesNotReject(page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 3));
  assert.match(await grid.first().textContent(), /PL.*web.*5/);
  // Sort by value, descending: click the header twice.
  await page.getByRole("button", { name: "value", exact: true }).click();
  await page.locator('th[aria-sort="ascending"]').waitFor();
  await page.getByRole("button", { name: "value", exact: true }).click();
  await page.locator('th[aria-sort="descending"]').waitFor();
  await page.waitForFunction(() => /DE/.test(document.querySelector("table.records tbody tr")?.textContent ?? ""));
  await shot(page, "data-grid");
  noErrors();
});

test("rename a field and see the data kept", async () => {
  await page.getByRole("link", { name: "Edit the model" }).click();
  await page.getByRole("heading", { name: "Model event" }).waitFor();
  await formaReady(page);
  await page.getByLabel("Name of field 3").fill("origin");
  const preview = page.locator("section.preview");
  await preview.getByText(/Rename field "source" to "origin"/i).first().waitFor();
  assert.equal(await preview.getByText(/Can lose data/).count(), 0, "a rename loses no data");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("status").filter({ hasText: /Applied: 1 change/ }).waitFor();

  await page.goto("/data/event");
  await page.getByRole("button", { name: "origin", exact: true }).waitFor();
  assert.equal(await page.getByRole("button", { name: "source", exact: true }).count(), 0);
  const texts = await page.locator("table.records tbody tr").allTextContents();
  assert.equal(texts.filter((t) => /web/.test(t)).length, 2, "the renamed column kept its values");
  noErrors();
});

test("reload and see everything persisted", async () => {
  await page.reload();
  await page.getByRole("button", { name: "origin", exact: true }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 3);
  const { data } = await api(session, "GET", "/data/event?sort=id");
  assert.deepEqual(
    data.map((r) => [r.country, r.origin, r.value]),
    [["PL", "web", 5], ["DE", "app", 12], ["US", "web", 0]],
  );
  assert.ok(data.every((r) => typeof r.timestamp === "string"), "timestamp set on create");

  await page.goto("/models/event");
  await formaReady(page);
  assert.equal(await page.getByLabel("Name of field 3").inputValue(), "origin");
  assert.ok(await page.getByLabel("Show in the data browser").isChecked());

  await page.getByRole("link", { name: "History" }).click();
  await page.getByRole("heading", { name: "Schema history" }).waitFor();
  await page.getByRole("heading", { name: /Version 2/ }).waitFor();
  await page.getByRole("heading", { name: /Version 1/ }).waitFor();
  await page.getByText(/Rename field "source" to "origin"/i).first().waitFor();
  await shot(page, "history");
  noErrors();
});

test("a composite index: added in the editor, checked inline, previewed, applied", async () => {
  // Independent of the tests above: its own model (with records, so the index is built
  // over existing rows) and its own browser, already signed in.
  await api(session, "PUT", "/models/metric", {
    name: "metric", label: "Metric", admin: true,
    fields: [
      { name: "timestamp", type: "datetime", required: true, options: { auto_now_add: true } },
      { name: "country", type: "text", options: { max_length: 3 } },
      { name: "value", type: "integer" },
    ],
  });
  await api(session, "POST", "/data/metric", [{ country: "PL", value: 1 }, { country: "DE", value: 2 }]);

  const own = await launch();
  try {
    const p = own.page;
    await p.addInitScript((s) => sessionStorage.setItem("forma.session", JSON.stringify(s)), session);
    await p.goto("/models/metric");
    await p.getByRole("heading", { name: "Model metric" }).waitFor();
    await formaReady(p);
    await p.getByRole("status").filter({ hasText: "No changes yet." }).waitFor();
    const sent = own.state.requests.length;

    // Index 1: country, then timestamp descending. A new index starts with one column, focused.
    await p.getByRole("button", { name: "Add an index" }).click();
    const ix1 = p.getByRole("group", { name: "Index 1", exact: true });
    const col1 = ix1.getByLabel("Column 1", { exact: true });
    await assert.doesNotReject(col1.evaluate((el) => el === document.activeElement || Promise.reject(new Error("not focused"))));
    await col1.selectOption("country");
    await ix1.getByRole("button", { name: "Add a column to index 1" }).click();
    const col2 = ix1.getByLabel("Column 2", { exact: true });
    await col2.selectOption("timestamp");
    await ix1.getByLabel("Direction of column 2 of index 1").selectOption("desc");

    // The same column twice is refused inline, on that column, by the wasm module.
    await col2.selectOption("country");
    const dup = p.locator('ul.problems li[data-code="duplicate"]');
    await dup.waitFor();
    assert.match(await dup.textContent(), /more than once/);
    assert.equal(await col2.getAttribute("aria-invalid"), "true");
    const col2Problems = await col2.getAttribute("aria-describedby");
    assert.ok(col2Problems, "the column names its problem");
    assert.match(await p.locator(`[id="${col2Problems}"]`).textContent(), /more than once/);
    assert.equal(await col1.getAttribute("aria-invalid"), null, "only the repeated column is marked");
    assert.ok(await p.getByRole("button", { name: "Apply" }).isDisabled(), "Apply is disabled while invalid");
    await p.locator("section.preview").getByText("Fix the problems above to see the plan.").waitFor();
    await col2.selectOption("timestamp");
    await dup.waitFor({ state: "detached" });
    assert.equal(await col2.getAttribute("aria-invalid"), null);
    assert.equal(await ix1.getByLabel("Direction of column 2 of index 1").inputValue(), "desc", "the direction is kept");

    // An index left without columns is refused on its group, then removed.
    await p.getByRole("button", { name: "Add an index" }).click();
    const ix2 = p.getByRole("group", { name: "Index 2", exact: true });
    await ix2.getByRole("button", { name: "Remove column 1 of index 2" }).click();
    const empty = ix2.locator('ul.problems li[data-code="empty"]');
    await empty.waitFor();
    assert.match(await empty.textContent(), /must not be empty/);
    const ix2Problems = await ix2.getAttribute("aria-describedby");
    assert.ok(ix2Problems, "the index names its problem");
    assert.match(await p.locator(`[id="${ix2Problems}"]`).textContent(), /must not be empty/);
    await p.getByRole("status").filter({ hasText: "1 problem" }).waitFor();
    await ix2.getByRole("button", { name: "Remove index 2" }).click();
    await empty.waitFor({ state: "detached" });
    await p.getByRole("status").filter({ hasText: "The model is valid." }).waitFor();
    assert.deepEqual(own.state.requests.slice(sent), [], "editing and validating the index sent no request");

    // The plan in words says the index being added, and nothing risky.
    const preview = p.locator("section.preview");
    await preview.getByRole("heading", { name: /What this does/ }).waitFor();
    await preview.locator("ol.plan li").filter({ hasText: 'Index fields "country", "timestamp" descending.' }).waitFor();
    assert.equal(await preview.locator(".plan-summary").first().textContent(), "1 change to the database.");
    assert.equal(await preview.getByText(/Can lose data|May fail/).count(), 0, "adding an index is safe");

    // The server's dry run agrees, with the exact SQL.
    await p.getByRole("button", { name: "Dry run on the server" }).click();
    const sql = p.getByLabel("SQL of the dry run");
    await sql.waitFor();
    assert.match(await sql.textContent(), /CREATE INDEX "metric_\w+_ix_[0-9a-f]{8}" ON \S+ \("country", "timestamp" DESC\)/);

    await p.getByRole("button", { name: "Apply" }).click();
    await p.getByRole("status").filter({ hasText: /Applied: 1 change to the database/ }).waitFor();

    const { model: saved } = await api(session, "GET", "/models/metric");
    assert.deepEqual(saved.indexes, [["country", "-timestamp"]]);
    assert.equal((await api(session, "GET", "/data/metric")).data.length, 2, "the records are kept");

    // Reloaded, the editor shows the saved index.
    await p.reload();
    await formaReady(p);
    const again = p.getByRole("group", { name: "Index 1", exact: true });
    assert.equal(await again.getByLabel("Column 1", { exact: true }).inputValue(), "country");
    assert.equal(await again.getByLabel("Column 2", { exact: true }).inputValue(), "timestamp");
    assert.equal(await again.getByLabel("Direction of column 2 of index 1").inputValue(), "desc");
    assert.equal(await p.getByRole("group", { name: "Index 2", exact: true }).count(), 0);
    assert.deepEqual(own.state.errors, [], "the page logged errors");
  } finally {
    await own.close();
  }
});

test("time from navigation to an interactive designer", async () => {
  // A fresh browser (empty cache), already signed in: navigate to the editor and wait
  // until the wasm module is loaded and the form takes input.
  const fresh = await launch();
  try {
    await fresh.page.addInitScript((s) => sessionStorage.setItem("forma.session", JSON.stringify(s)), session);
    await fresh.page.goto("/new-model");
    await formaReady(fresh.page);
    await fresh.page.getByLabel("Name", { exact: true }).fill("x");
    await fresh.page.getByRole("status").filter({ hasText: /problem|valid/ }).waitFor();
    const cold = await fresh.page.evaluate(() => performance.now());
    await fresh.page.goto("/new-model");
    await formaReady(fresh.page);
    await fresh.page.getByLabel("Name", { exact: true }).fill("x");
    await fresh.page.getByRole("status").filter({ hasText: /problem|valid/ }).waitFor();
    const warm = await fresh.page.evaluate(() => performance.now());
    console.log(`# time to interactive designer (loopback): cold ${cold.toFixed(0)} ms, warm ${warm.toFixed(0)} ms`);
    assert.ok(cold < 10_000, `cold start took ${cold} ms`);
  } finally {
    await fresh.close();
  }
});
