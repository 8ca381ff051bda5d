// lib.mjs: what every end-to-end test needs. scripts/e2e.sh starts `forma serve` and
// passes FORMA_URL, FORMA_ADMIN_KEY (the platform key), CHROMIUM and E2E_SCREENSHOTS.
// The browser is Debian's Chromium driven by playwright-core: no browser is downloaded.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const baseURL = need("FORMA_URL");
const adminKey = need("FORMA_ADMIN_KEY");
const screenshots = process.env.E2E_SCREENSHOTS ?? "";

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the end-to-end tests with scripts/e2e.sh`);
  return v;
}

/** newTenant creates a tenant through the platform API and returns {tenant, key}. */
export async function newTenant(prefix = "e2e") {
  const slug = `${prefix}_${Math.random().toString(36).slice(2, 8)}`;
  const res = await fetch(`${baseURL}/api/v1/tenants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ slug, name: `E2E ${slug}` }),
  });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`POST /tenants: ${res.status} ${JSON.stringify(body)}`);
  return { tenant: slug, key: body.key.key };
}

/** api calls the tenant API directly (to set up or check what the UI did). */
export async function api(session, method, path, body) {
  const res = await fetch(`${baseURL}/api/v1/t/${session.tenant}${path}`, {
    method,
    headers: { Authorization: `Bearer ${session.key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return json;
}

/**
 * launch starts Chromium headless with a fresh profile and opens a 1280x800 page.
 * The returned page counts the requests it sends (page.requests) and fails the test on a
 * console error or an uncaught exception (page.errors).
 */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "forma-e2e-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: need("CHROMIUM"),
    headless: true,
    viewport: { width: 1280, height: 800 },
    baseURL,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  browser.setDefaultTimeout(15_000);
  const page = browser.pages()[0] ?? (await browser.newPage());
  const state = { requests: [], errors: [] };
  page.on("request", (r) => state.requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  page.on("pageerror", (e) => state.errors.push(`uncaught: ${e.message}`));
  page.on("console", (m) => {
    // The browser logs every failed response (4xx) as a console error; the tests make
    // some on purpose (412, 409, 400), so only script errors count.
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) state.errors.push(`console: ${m.text()}`);
  });
  return {
    browser,
    page,
    state,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** signIn fills the sign-in form and waits for the models list. */
export async function signIn(page, session) {
  await page.goto("/signin");
  await page.getByLabel("Tenant").fill(session.tenant);
  await page.getByLabel("Key", { exact: true }).fill(session.key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Models", level: 1 }).waitFor();
}

/**
 * shot saves a screenshot of the page as docs/screenshots/<name>.png (when asked to);
 * mask lists locators painted over (secrets such as a new key).
 */
export async function shot(page, name, mask = []) {
  if (!screenshots) return;
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false, mask, animations: "disabled", caret: "hide" });
}

/** formaReady waits until the wasm module has loaded in the page. */
export async function formaReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.forma === "ready");
}
