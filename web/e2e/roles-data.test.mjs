// roles-data.test.mjs: what a custom role reaches on the data routes, seen from the
// designer: a key with the role answers only the rows its filter matches and the fields it
// reads, and the data browser's "view as" shows exactly that through a short-lived key
// (one per visit, kept across screens, revoked when viewing stops and when the page is left).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, launch, newTenant, shot, signIn } from "./lib.mjs";
import { withPosts } from "./posts.mjs";

let b;
let page;
let session;

before(async () => {
  session = await newTenant("viewas");
  await withPosts(session);
  await api(session, "PUT", "/roles/viewer", {
    permissions: { post: { list: { filter: { status: "published", views__gte: 1 }, fields: ["id", "title", "status"] } } },
  });
  b = await launch();
  page = b.page;
  await signIn(page, session);
});

after(async () => {
  await b?.close();
});

function noErrors() {
  assert.deepEqual(b.state.errors, [], "the page logged errors");
}

test("a key with the custom role reaches what the role allows, and only that", async () => {
  const { key } = await api(session, "POST", "/keys", { name: "web app", role: "viewer" });
  const res = await fetch(`${process.env.FORMA_URL}/api/v1/t/${session.tenant}/data/post`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(res.status, 200);
  const { data } = await res.json();
  assert.deepEqual(data.map((r) => Object.keys(r).sort()), [["id", "status", "title"], ["id", "status", "title"]]);
});

test("view records as the role, through a key revoked afterwards", async () => {
  await page.goto("/data/post");
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 3);
  await page.getByLabel("View as").selectOption("viewer");
  await page.getByRole("status").filter({ hasText: /Viewing as role viewer/ }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 2);
  const headers = await page.locator("table.records thead th").allTextContents();
  assert.deepEqual(headers.map((h) => h.trim()), ["id", "title", "status"]);
  assert.match(await page.locator("table.records tbody").textContent(), /Hello.*News/s);
  assert.doesNotMatch(await page.locator("table.records tbody").textContent(), /Secret plan/);
  assert.equal(await page.getByRole("link", { name: "New record" }).count(), 0, "editing is off while viewing as a role");
  const during = await api(session, "GET", "/keys");
  assert.equal(during.data.filter((k) => k.name === "view as viewer").length, 1);
  await shot(page, "view-as-role");

  // It stays on while moving between screens (the same key), and stops on request.
  await page.getByRole("link", { name: "Models", exact: true }).click();
  await page.getByRole("link", { name: "Browse the records of post" }).click();
  await page.getByRole("status").filter({ hasText: /Viewing as role viewer/ }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 2);
  assert.equal((await api(session, "GET", "/keys")).data.filter((k) => k.name === "view as viewer").length, 1, "one key for the whole visit");
  await page.getByRole("button", { name: "Stop viewing as viewer" }).click();
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 3);
  await viewKeyGone();

  // Leaving the page revokes the key too.
  await page.getByLabel("View as").selectOption("viewer");
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 2);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 3);
  assert.equal(await page.getByLabel("View as").inputValue(), "", "a reload views as yourself");
  await viewKeyGone();
  noErrors();
});

/** viewKeyGone waits until no "view as viewer" key is left. */
async function viewKeyGone() {
  for (let i = 0; ; i++) {
    const { data } = await api(session, "GET", "/keys");
    if (!data.some((k) => k.name === "view as viewer")) return;
    assert.ok(i < 50, "the view-as key is revoked");
    await new Promise((r) => setTimeout(r, 100));
  }
}

