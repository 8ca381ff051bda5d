// browser.test.mjs: the data browser in depth (filters, sorting, keyset pages, edit with
// If-Match and a 412, delete with confirmation), the keys page, and the diagram.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, formaReady, launch, newTenant, shot, signIn } from "./lib.mjs";

let b;
let page;
let session;

const rowsOf = () => page.locator("table.records tbody tr");
const ids = async () => (await page.locator("table.records tbody th[scope=row]").allTextContents()).map(Number);

before(async () => {
  session = await newTenant("browser");
  // A person model and an Event model that links to it, with 25 events.
  await api(session, "PUT", "/models/person", {
    name: "person", label: "Person", admin: true,
    fields: [{ name: "email", type: "email", required: true, unique: true }, { name: "active", type: "boolean" }],
  });
  await api(session, "PUT", "/models/event", {
    name: "event", label: "Event", admin: true,
    fields: [
      { name: "timestamp", type: "datetime", required: true, options: { auto_now_add: true } },
      { name: "country", type: "text", required: true, options: { max_length: 3 }, choices: ["PL", "DE", "US"], default: "PL" },
      { name: "source", type: "text" },
      { name: "value", type: "integer", options: { min: 0 } },
      { name: "owner", type: "relation", related_model: "person", options: { on_delete: "set_null" } },
    ],
  });
  const people = await api(session, "POST", "/data/person", [{ email: "ada@example.com", active: true }]);
  const u = (people.data ?? people)[0];
  const events = Array.from({ length: 25 }, (_, i) => ({
    country: ["PL", "DE", "US"][i % 3], source: i % 2 ? "web" : "app", value: i, owner: i < 3 ? u.id : null,
  }));
  await api(session, "POST", "/data/event", events);
  b = await launch();
  page = b.page;
  await signIn(page, session);
});

after(async () => {
  await b?.close();
});

test("keyset pages: next and previous", async () => {
  await page.goto("/data/event");
  await page.getByLabel("Per page").selectOption("10");
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 10);
  assert.deepEqual(await ids(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await page.getByRole("button", { name: "Next →" }).click();
  await page.getByText("Page 2", { exact: true }).waitFor();
  await page.waitForFunction(() => document.querySelector("table.records tbody th")?.textContent === "11");
  await page.getByRole("button", { name: "Next →" }).click();
  await page.getByText("Page 3", { exact: true }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 5);
  assert.ok(await page.getByRole("button", { name: "Next →" }).isDisabled(), "no page after the last");
  await page.getByRole("button", { name: "← Previous" }).click();
  await page.getByText("Page 2", { exact: true }).waitFor();
  await page.waitForFunction(() => document.querySelector("table.records tbody th")?.textContent === "11");
  assert.deepEqual(await ids(), [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
});

test("filters with the lookups of each type, and sorting by a header", async () => {
  await page.getByLabel("Filter", { exact: true }).selectOption("value");
  const lookups = await page.getByLabel("Condition").locator("option").allTextContents();
  assert.ok(lookups.includes("is at least") && !lookups.includes("contains"), `integer lookups: ${lookups}`);
  await page.getByLabel("Condition").selectOption({ label: "is at least" });
  await page.getByLabel("Value", { exact: true }).fill("20");
  await page.getByRole("button", { name: "Add filter" }).click();
  await page.getByRole("list", { name: "Filters" }).getByText("value is at least 20").waitFor();
  await page.getByText("Page 1", { exact: true }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 5);

  await page.getByLabel("Filter", { exact: true }).selectOption("source");
  const textLookups = await page.getByLabel("Condition").locator("option").allTextContents();
  assert.ok(textLookups.includes("contains (any case)"), `text lookups: ${textLookups}`);
  await page.getByLabel("Condition").selectOption({ label: "starts with" });
  await page.getByLabel("Value", { exact: true }).fill("we");
  await page.getByLabel("Value", { exact: true }).press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 2);
  assert.deepEqual(await ids(), [22, 24]);

  await page.getByRole("button", { name: "value", exact: true }).click();
  await page.getByRole("button", { name: "value", exact: true }).click();
  await page.locator('th[aria-sort="descending"]').waitFor();
  await page.waitForFunction(() => document.querySelector("table.records tbody th")?.textContent === "24");
  assert.deepEqual(await ids(), [24, 22]);

  // A value the server refuses is shown on its filter.
  await page.getByLabel("Filter", { exact: true }).selectOption("value");
  await page.getByLabel("Condition").selectOption({ label: "is" });
  await page.getByLabel("Value", { exact: true }).fill("abc");
  await page.getByRole("button", { name: "Add filter" }).click();
  await page.locator(".chips li.invalid").waitFor();

  for (const name of ["value is abc", "source starts with we", "value is at least 20"]) {
    await page.getByRole("button", { name: `Remove filter ${name}` }).click();
  }
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 10);
});

test("edit with If-Match: a concurrent change is a 412 and nothing typed is lost", async () => {
  await page.goto("/data/event/3");
  await page.getByRole("heading", { name: "Event record 3" }).waitFor();
  await formaReady(page);
  assert.equal(await page.getByLabel("value").inputValue(), "2");
  assert.equal(await page.getByLabel("owner").inputValue(), "1");
  await page.getByLabel("source").fill("newsletter");

  // Someone else changes the record meanwhile.
  await new Promise((r) => setTimeout(r, 5));
  await api(session, "PATCH", "/data/event/3", { value: 99 });

  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("alert").filter({ hasText: "Someone changed this record" }).waitFor();
  assert.equal(await page.getByLabel("source").inputValue(), "newsletter", "the edit is kept");
  await page.getByRole("button", { name: "Reload the record and keep my edits" }).click();
  await page.waitForFunction(() => (document.getElementById("rec-value"))?.value === "99");
  assert.equal(await page.getByLabel("source").inputValue(), "newsletter");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Record 3 saved." }).waitFor();
  const rec = await api(session, "GET", "/data/event/3");
  assert.equal(rec.source, "newsletter");
  assert.equal(rec.value, 99);
});

test("server problems are shown by field", async () => {
  await page.goto("/data/person/new");
  await formaReady(page);
  await page.getByLabel("email").fill("ada@example.com"); // taken: only the server knows
  await page.getByRole("button", { name: "Create" }).click();
  const problem = page.locator("#rec-p-email li");
  await problem.waitFor();
  assert.match(await problem.textContent(), /more than once/);
  assert.equal(await page.getByLabel("email").getAttribute("aria-invalid"), "true");
});

test("delete with confirmation", async () => {
  await page.goto("/data/event");
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 20);
  await page.getByRole("button", { name: "Delete record 1", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Delete record 1?" });
  await dialog.waitFor();
  // Escape cancels.
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  assert.equal((await api(session, "GET", "/data/event?id=1")).data.length, 1);

  await page.getByRole("button", { name: "Delete record 1", exact: true }).click();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("status").filter({ hasText: "Record 1 deleted." }).waitFor();
  assert.equal((await api(session, "GET", "/data/event?id=1")).data.length, 0);
  assert.ok(!(await ids()).includes(1));
});

test("sensible at 800 px wide: nothing scrolls sideways but the grid itself", async () => {
  await page.setViewportSize({ width: 800, height: 800 });
  try {
    for (const path of ["/models", "/data/event", "/data/event/2", "/models/event", "/keys", "/history", "/diagram"]) {
      await page.goto(path);
      await page.locator("main h1").first().waitFor();
      await page.waitForLoadState("networkidle");
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 800, `${path} is ${wide} px wide at 800`);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

test("keyboard: the grid's pages, sorting and delete work without a mouse", async () => {
  await page.goto("/data/event");
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length > 0);
  await page.getByRole("button", { name: "country", exact: true }).focus();
  await page.keyboard.press("Enter");
  await page.locator('th[aria-sort="ascending"]').waitFor();
  const del = page.getByRole("button", { name: /^Delete record \d+$/ }).first();
  await del.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Cancel", "the safe choice has the focus");
  await page.keyboard.press("Enter");
  await dialog.waitFor({ state: "hidden" });
});

test("keys: create with a role (shown once, with a copy button), then revoke", async () => {
  await page.getByRole("link", { name: "Keys" }).click();
  await page.getByRole("heading", { name: "Keys", level: 1 }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill("dashboard");
  await page.getByLabel("Role").selectOption("read");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = page.getByLabel("The new key");
  await secret.waitFor();
  const key = await secret.inputValue();
  assert.match(key, /^fk_/);
  await page.getByRole("button", { name: "Copy" }).click();
  await page.getByText(/Copied|Select the key/).waitFor();
  await page.getByRole("row").filter({ hasText: "dashboard" }).waitFor();
  await shot(page, "keys", [secret]);

  // The key works for reading, and not for schema changes.
  const read = await fetch(`${process.env.FORMA_URL}/api/v1/t/${session.tenant}/data/event?limit=1`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(read.status, 200);

  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("button", { name: "Revoke key dashboard" }).click();
  const dialog = page.getByRole("dialog", { name: /Revoke key/ });
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("row").filter({ hasText: "dashboard" }).waitFor({ state: "detached" });
  const keys = await api(session, "GET", "/keys");
  assert.ok(!keys.data.some((k) => k.name === "dashboard"), "revoked keys are not listed");
});

test("the diagram shows models and their relations", async () => {
  await page.getByRole("link", { name: "Diagram" }).click();
  await page.getByRole("heading", { name: "Diagram" }).waitFor();
  const svg = page.getByRole("img", { name: "Models and relations" });
  await svg.waitFor();
  assert.equal(await svg.locator("a").count(), 2);
  assert.equal(await svg.locator("path.edge").count(), 1);
  assert.match(await svg.locator("desc").textContent(), /event\.owner links to person/);
  await shot(page, "diagram");
  await svg.getByRole("link", { name: /Model person/ }).click();
  await page.getByRole("heading", { name: "Model person" }).waitFor();
  assert.deepEqual(b.state.errors, []);
});
