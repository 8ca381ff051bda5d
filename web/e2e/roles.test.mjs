// roles.test.mjs: custom roles and end-user tokens in the designer, against a real server:
// a role designed in the Roles grid and checked live by the wasm module with no request,
// saved and read back; the server's problems shown where they belong; a key made with it;
// a role that a key holds refused on delete; the JWT settings saved and a pasted token
// tested (verified claims, or why not). What a role reaches on the data routes, and the
// data browser viewing records as a role, are in roles-data.test.mjs.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, test } from "node:test";
import { api, formaReady, launch, newTenant, shot, signIn } from "./lib.mjs";
import { withPosts } from "./posts.mjs";

let b;
let page;
let session;

before(async () => {
  session = await newTenant("roles");
  await withPosts(session);
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

const post = () => page.locator("section.model-rules").filter({ has: page.getByRole("heading", { name: /Post/ }) });

test("design a role in the grid, checked live in the browser, and save it", async () => {
  await page.getByRole("link", { name: "Roles", exact: true }).click();
  await page.getByRole("heading", { name: "Roles", level: 1 }).waitFor();
  await page.getByText("This tenant has no custom roles yet").waitFor();
  await page.getByRole("link", { name: "New role" }).click();
  await page.getByRole("heading", { name: "New role" }).waitFor();
  await formaReady(page);

  const sent = b.state.requests.length;
  await page.getByLabel("Name", { exact: true }).fill("viewer");
  await page.getByLabel("Description", { exact: true }).fill("Reads published posts");

  // list: published rows only, three fields.
  const grid = post();
  await grid.getByLabel("list", { exact: true }).check();
  await grid.getByLabel("All fields for post list").uncheck();
  for (const f of ["id", "title", "status"]) await grid.getByLabel(`post list may read ${f}`).check();
  await grid.getByRole("button", { name: "Add a condition to post list" }).click();
  await grid.getByLabel("Filter field 1 of post list").selectOption("status");
  await grid.getByLabel("Value 1 of post list").fill("published");

  // A second term on views with a value that is no number: refused in its row, at once.
  await grid.getByRole("button", { name: "Add a condition to post list" }).click();
  await grid.getByLabel("Filter field 2 of post list").selectOption("views");
  await grid.getByLabel("Condition 2 of post list").selectOption("gte");
  const value2 = grid.getByLabel("Value 2 of post list");
  await value2.fill("many");
  await page.waitForFunction(() => document.querySelector('input[aria-label="Value 2 of post list"]')?.getAttribute("aria-invalid") === "true");
  const described = await value2.getAttribute("aria-describedby");
  assert.ok(described, "the value names its problem");
  assert.ok((await page.locator(`[id="${described}"] li`).first().textContent()).length > 0);
  await page.getByRole("status").filter({ hasText: "1 problem" }).waitFor();
  assert.ok(await page.getByRole("button", { name: "Save role" }).isDisabled(), "Save is disabled while invalid");
  await shot(page, "role-validation");
  await value2.fill("1");
  await page.getByRole("status").filter({ hasText: "The role is valid." }).waitFor();

  // create: two fields, the owner preset from the caller's claim.
  await grid.getByLabel("create", { exact: true }).check();
  await grid.getByLabel("All fields for post create").uncheck();
  for (const f of ["title", "body"]) await grid.getByLabel(`post create may write ${f}`).check();
  await grid.getByRole("button", { name: "Add a preset to post" }).click();
  await grid.getByLabel("Preset field 1 of post").selectOption("owner");
  await grid.getByLabel("Preset value 1 of post").fill("$auth.sub");
  await page.getByRole("status").filter({ hasText: "The role is valid." }).waitFor();
  assert.deepEqual(b.state.requests.slice(sent), [], "designing and checking the role sent no request");
  await shot(page, "role-editor");

  await page.getByRole("button", { name: "Save role" }).click();
  await page.waitForURL("**/roles/viewer");
  await page.getByRole("status").filter({ hasText: /Saved role viewer/ }).waitFor();
  const { role } = await api(session, "GET", "/roles/viewer");
  assert.equal(role.description, "Reads published posts");
  assert.deepEqual(role.permissions, {
    post: {
      list: { filter: { status: "published", views__gte: 1 }, fields: ["id", "title", "status"] },
      create: { fields: ["title", "body"], presets: { owner: "$auth.sub" } },
    },
  });

  // Reloaded, the grid shows what was saved, unchanged once the module reads its values by type.
  await page.reload();
  await formaReady(page);
  await page.getByRole("status").filter({ hasText: "No changes yet." }).waitFor();
  assert.equal(await post().getByLabel("Value 1 of post list").inputValue(), "published");
  assert.equal(await post().getByLabel("Value 2 of post list").inputValue(), "1");
  await page.getByRole("status").filter({ hasText: "No changes yet." }).waitFor();
  assert.ok(await post().getByLabel("post list may read title").isChecked());
  assert.ok(!(await post().getByLabel("get", { exact: true }).isChecked()));

  // At 800 px only the grid scrolls sideways, in its own box.
  await page.setViewportSize({ width: 800, height: 800 });
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `the page scrolls sideways at 800 px (${scroll} > ${client})`);
  await page.setViewportSize({ width: 1280, height: 800 });
  noErrors();
});

test("the server's problems show where they belong: a built-in role's name", async () => {
  await page.goto("/new-role");
  await formaReady(page);
  await page.getByLabel("Name", { exact: true }).fill("admin");
  await post().getByLabel("get", { exact: true }).check();
  await page.getByRole("status").filter({ hasText: "The role is valid." }).waitFor();
  await page.getByRole("button", { name: "Save role" }).click();
  await page.getByRole("alert").filter({ hasText: /The server found 1 problem/ }).waitFor();
  const name = page.getByLabel("Name", { exact: true });
  assert.equal(await name.getAttribute("aria-invalid"), "true");
  await page.locator('#p-role-name li[data-code="builtin_role"]').waitFor();
  assert.ok(await page.getByRole("button", { name: "Save role" }).isDisabled(), "Save waits for a new name");
  await name.fill("reader");
  await page.locator('#p-role-name li[data-code="builtin_role"]').waitFor({ state: "detached" });
  assert.equal((await api(session, "GET", "/roles")).data.map((r) => r.name).join(), "viewer", "nothing was saved");
  await name.fill(""); // an untouched form again, so that leaving asks nothing
  await post().getByLabel("get", { exact: true }).uncheck();
  await page.getByRole("status").filter({ hasText: "No changes yet." }).waitFor();
  noErrors();
});

test("a wrong value shows in its row, and discarding the edits clears it", async () => {
  await page.goto("/roles");
  await page.getByRole("link", { name: "viewer" }).click();
  await formaReady(page);
  await post().getByLabel("get", { exact: true }).check();
  await post().getByRole("button", { name: "Add a condition to post get" }).click();
  await post().getByLabel("Filter field 1 of post get").selectOption("title");
  await post().getByLabel("Condition 1 of post get").selectOption("isnull");
  await post().getByLabel("Value 1 of post get").fill("perhaps");
  const bad = post().locator('ul.problems li[data-code]');
  await bad.first().waitFor();
  await page.getByRole("button", { name: "Discard changes" }).click();
  await bad.first().waitFor({ state: "detached" });
  noErrors();
});

test("a key with the custom role", async () => {
  await page.getByRole("link", { name: "Keys", exact: true }).click();
  await page.getByRole("heading", { name: "Keys", level: 1 }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill("web app");
  await page.getByLabel("Role").selectOption("viewer");
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByText(/Key “web app” \(viewer\) created/).waitFor();
  const key = await page.getByLabel("The new key").inputValue();
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("row").filter({ hasText: "web app" }).getByRole("link", { name: "viewer" }).waitFor();

  noErrors();
});

test("a role that a key holds is not deleted", async () => {
  await page.goto("/roles/viewer");
  await formaReady(page);
  await page.getByRole("button", { name: "Delete role" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("alert").waitFor();
  assert.match(await page.getByRole("dialog").getByRole("alert").textContent(), /key/i);
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  noErrors();
});

/** jwt signs claims with HS256 (the test's own, small signer: node:crypto's HMAC). */
function jwt(claims, secret) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const head = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(claims)}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}

test("end-user tokens: settings, and a pasted token tested", async () => {
  const secret = "a-very-long-shared-secret-for-the-e2e-test-0123456789";
  await page.getByRole("link", { name: "Tokens", exact: true }).click();
  await page.getByRole("heading", { name: "End-user tokens", level: 1 }).waitFor();
  await page.getByText("Not set up").waitFor();
  await page.getByLabel("Shared secret (HS256)").check();
  await page.getByLabel("Secret", { exact: true }).fill(secret);
  await page.getByLabel("Issuer (iss)").fill("https://id.example.com/");
  await page.getByLabel("Role of a token that names none").selectOption("viewer");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByRole("status").filter({ hasText: /Saved/ }).waitFor();
  const saved = await api(session, "GET", "/auth");
  assert.equal(saved.jwt.secret, undefined, "the secret is never shown");
  assert.equal(saved.jwt.secret_set, true);
  assert.equal(saved.jwt.default_role, "viewer");

  const now = Math.floor(Date.now() / 1000);
  const good = jwt({ sub: "user-42", role: "viewer", iss: "https://id.example.com/", exp: now + 600, email: "ada@example.com" }, secret);
  await page.getByLabel("Paste a token to see what the server makes of it").fill(good);
  await page.getByRole("button", { name: "Test the token" }).click();
  const ok = page.getByRole("status", { name: "Token verified" });
  await ok.waitFor();
  assert.match(await ok.textContent(), /acts as role viewer/);
  const claims = ok.getByRole("table", { name: "Verified claims" });
  await claims.getByRole("row").filter({ hasText: "user-42" }).waitFor();
  assert.match(await claims.textContent(), /\$auth\.email/);
  await ok.scrollIntoViewIfNeeded();
  await shot(page, "token-test", [page.getByLabel("Paste a token to see what the server makes of it")]);

  const forged = jwt({ sub: "user-42", role: "viewer", iss: "https://id.example.com/", exp: now + 600 }, "another-secret-of-enough-length-0123456789");
  await page.getByLabel("Paste a token to see what the server makes of it").fill(forged);
  await page.getByRole("button", { name: "Test the token" }).click();
  await page.getByRole("alert", { name: "Token refused" }).waitFor();

  const expired = jwt({ sub: "user-42", role: "viewer", iss: "https://id.example.com/", exp: now - 3600 }, secret);
  await page.getByLabel("Paste a token to see what the server makes of it").fill(expired);
  await page.getByRole("button", { name: "Test the token" }).click();
  await page.getByRole("alert", { name: "Token refused" }).filter({ hasText: /expired/i }).waitFor();

  // Reloaded, the form keeps the secret without showing it.
  await page.reload();
  await page.getByLabel("Secret", { exact: true }).waitFor();
  assert.equal(await page.getByLabel("Secret", { exact: true }).inputValue(), "");
  await page.getByText("A secret is set").waitFor();
  noErrors();
});
