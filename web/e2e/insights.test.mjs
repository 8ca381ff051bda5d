// insights.test.mjs: the data browser's export (the grid's filters and sort kept, saved
// as a file), import (a CSV or NDJSON file with a progress bar; a refused file lists each
// refused row's problems by line, and creates nothing) and Insights (a chart and the
// table of the server's aggregate answer).

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { api, formaReady, launch, newTenant, shot, signIn } from "./lib.mjs";

let b;
let page;
let session;

const countries = ["PL", "DE", "US"];
// 18 sales over three days (UTC noon), six a day, the countries in turn, value = i.
const seed = Array.from({ length: 18 }, (_, i) => ({
  at: `2025-03-0${1 + Math.floor(i / 6)}T12:00:00Z`,
  country: countries[i % 3],
  value: i,
}));

before(async () => {
  session = await newTenant("insights");
  await api(session, "PUT", "/models/sale", {
    name: "sale", label: "Sale", admin: true,
    fields: [
      { name: "at", type: "datetime", required: true },
      { name: "country", type: "text", required: true, options: { max_length: 3 }, choices: countries },
      { name: "value", type: "integer", options: { min: 0 } },
    ],
  });
  await api(session, "POST", "/data/sale", seed);
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

const total = async () => (await api(session, "GET", "/data/sale/aggregate?measures=count")).data[0].count;

test("export keeps the grid's filters and sort, as CSV and as NDJSON", async () => {
  await page.goto("/data/sale");
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 18);
  await page.getByLabel("Filter", { exact: true }).selectOption("country");
  await page.getByLabel("Value", { exact: true }).fill("PL");
  await page.getByRole("button", { name: "Add filter" }).click();
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 6);
  await page.getByRole("button", { name: "value", exact: true }).click();
  await page.getByRole("button", { name: "value", exact: true }).click();
  await page.locator('th[aria-sort="descending"]').waitFor();

  const want = (await api(session, "GET", "/data/sale?country=PL&sort=-value")).data.map((r) => r.id);
  assert.equal(want.length, 6);

  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "CSV", exact: true }).click()]);
  assert.equal(csv.suggestedFilename(), "sale.csv");
  const lines = (await readFile(await csv.path(), "utf8")).trim().split(/\r?\n/);
  const header = lines[0].split(",");
  const idAt = header.indexOf("id");
  const countryAt = header.indexOf("country");
  assert.ok(idAt >= 0 && countryAt >= 0, `CSV header: ${lines[0]}`);
  const rows = lines.slice(1).map((l) => l.split(","));
  assert.deepEqual(rows.map((r) => Number(r[idAt])), want, "the filtered rows, in the grid's order");
  assert.ok(rows.every((r) => r[countryAt] === "PL"));

  const [nd] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "NDJSON", exact: true }).click()]);
  assert.equal(nd.suggestedFilename(), "sale.ndjson");
  const records = (await readFile(await nd.path(), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => r.id), want);
  noErrors();
});

// slowUploads throttles the page's uploads (Chromium's network emulation, through the
// DevTools protocol) so that the progress bar moves where it can be seen: on loopback an
// upload is over in a few milliseconds. It answers the function that lifts the throttle.
async function slowUploads(bytesPerSecond) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
  return async () => {
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
  };
}

// watchProgress records every value the upload's <progress> shows.
async function watchProgress() {
  await page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const p = document.querySelector("progress#upload-progress");
      if (p) window.__progress.push(p.value);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["value"] });
  });
}

test("import a CSV file: a progress bar, then the records created", async () => {
  await page.goto("/data/sale");
  await page.waitForFunction(() => document.querySelectorAll("table.records tbody tr").length === 18);
  const before = await total();
  const n = 3000; // about 90 kB, sent at 60 kB/s
  const csv = "at,country,value\n" + Array.from({ length: n }, (_, i) => `2025-03-04T0${i % 10}:30:00Z,${countries[i % 3]},${i}`).join("\n") + "\n";
  const unthrottle = await slowUploads(60_000);
  await watchProgress();
  await page.locator('input[type="file"]').setInputFiles({ name: "sales.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.locator("progress#upload-progress").waitFor();
  await page.getByRole("status").filter({ hasText: /Uploading sales\.csv \(CSV\)/ }).waitFor();
  await page.waitForFunction(() => window.__progress.some((v) => v > 0 && v < 100));
  await shot(page, "import-progress");
  await page.getByRole("status").filter({ hasText: `sales.csv: ${n.toLocaleString("en")} records created.` }).waitFor({ timeout: 30_000 });
  await unthrottle();
  const seen = await page.evaluate(() => window.__progress);
  assert.ok(seen.some((v) => v > 0 && v < 100), `the bar moved between 0 and 100: ${seen}`);
  assert.ok(seen.every((v, i) => i === 0 || v >= seen[i - 1]), `and never back: ${seen}`);
  assert.equal(await total(), before + n);
  noErrors();
});

test("import an NDJSON file", async () => {
  const before = await total();
  const nd = [{ at: "2025-03-05T10:00:00Z", country: "DE", value: 7 }, { at: "2025-03-05T11:00:00Z", country: "US", value: 8 }]
    .map((r) => JSON.stringify(r)).join("\n") + "\n";
  await page.locator('input[type="file"]').setInputFiles({ name: "more.ndjson", mimeType: "application/x-ndjson", buffer: Buffer.from(nd) });
  await page.getByRole("status").filter({ hasText: "more.ndjson: 2 records created." }).waitFor();
  assert.equal(await total(), before + 2);
  noErrors();
});

test("a refused file lists each refused row's problems by line, and creates nothing", async () => {
  const before = await total();
  const csv = [
    "at,country,value",
    "2025-03-06T10:00:00Z,PL,1",
    "2025-03-06T10:00:00Z,PL,-5", // row 3 (the header is row 1): value below its minimum
    "2025-03-06T10:00:00Z,PL,2",
    "2025-03-06T10:00:00Z,XX,3", // row 5: not a choice
    "",
  ].join("\n");
  await page.locator('input[type="file"]').setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("alert").filter({ hasText: "bad.csv was not imported: 2 of the 4 rows were refused" }).waitFor();
  const refused = page.locator("table.refused tbody tr");
  assert.equal(await refused.count(), 2);
  assert.equal(await page.locator("table.refused thead th").first().textContent(), "Row");
  assert.equal(await refused.nth(0).locator("th").textContent(), "3");
  assert.deepEqual(await refused.nth(0).locator("li").evaluateAll((ls) => ls.map((l) => [l.dataset.code, l.textContent.split(":")[0]])), [["min", "value"]]);
  assert.equal(await refused.nth(1).locator("th").textContent(), "5");
  assert.deepEqual(await refused.nth(1).locator("li").evaluateAll((ls) => ls.map((l) => [l.dataset.code, l.textContent.split(":")[0]])), [["choice", "country"]]);
  await shot(page, "import-refused");
  assert.equal(await total(), before, "nothing was created");

  // NDJSON: a row is a line; a line that is not JSON is refused as a whole.
  const nd = '{"at":"2025-03-06T10:00:00Z","country":"PL","value":1}\nnot json\n{"at":"2025-03-06T10:00:00Z","country":"PL","value":-1}\n';
  await page.locator('input[type="file"]').setInputFiles({ name: "bad.ndjson", mimeType: "application/x-ndjson", buffer: Buffer.from(nd) });
  await page.getByRole("alert").filter({ hasText: "bad.ndjson was not imported" }).waitFor();
  assert.equal(await page.locator("table.refused thead th").first().textContent(), "Line");
  assert.deepEqual(await refused.locator("th").allTextContents(), ["2", "3"]);
  assert.deepEqual(await refused.locator("li").evaluateAll((ls) => ls.map((l) => l.dataset.code)), ["invalid_format", "min"]);
  assert.equal(await total(), before, "nothing was created");
  noErrors();
});

test("insights: a measure by a group, and over time in a time zone, drawn and tabled as the server answers", async () => {
  await page.goto("/data/sale");
  await formaReady(page);
  // The chart is drawn under the grid's filters: the three seeded days only.
  const before = "at__lt=2025-03-04T00:00:00Z";
  await page.getByLabel("Filter", { exact: true }).selectOption("at");
  await page.getByLabel("Condition").selectOption({ label: "is less than" });
  await page.getByLabel("Value", { exact: true }).fill("2025-03-04T00:00:00Z");
  await page.getByRole("button", { name: "Add filter" }).click();
  await page.getByRole("list", { name: "Filters" }).getByText("at is less than").waitFor();
  await page.getByRole("button", { name: "Insights", exact: true }).click();
  await page.getByLabel("Measure").selectOption({ label: "sum of value" });
  await page.getByLabel("Group by").selectOption("country");
  await page.getByRole("button", { name: "Draw" }).click();
  await page.locator("figure.chart canvas").first().waitFor();
  assert.equal(await page.locator("figure.chart [data-kind]").getAttribute("data-kind"), "bar");
  const byCountry = (await api(session, "GET", `/data/sale/aggregate?${before}&group_by=country&measures=sum:value&sort=-sum_value&limit=500`)).data;
  assert.deepEqual(byCountry.map((r) => [r.country, r.sum_value]), [["US", 57], ["DE", 51], ["PL", 45]]);
  await page.waitForFunction((n) => document.querySelectorAll("table.aggregate tbody tr").length === n, byCountry.length);
  const table = async () => (await page.locator("table.aggregate tbody tr").allInnerTexts()).map((t) => t.split("\t").map((c) => c.trim()));
  assert.deepEqual(await table(), byCountry.map((r) => [r.country, Number(r.sum_value).toLocaleString("en")]));
  await shot(page, "insights-bars");

  // Per day in Warsaw, a line per country, under a filter of the grid.
  await page.getByLabel("Over time").selectOption("at");
  await page.getByLabel("By", { exact: true }).selectOption("day");
  // A zone the server does not know is refused by wasm validateAggregate, with no request.
  await page.getByLabel("Time zone").fill("Mars/Olympus");
  const sent = b.state.requests.length;
  await page.getByRole("button", { name: "Draw" }).click();
  await page.locator("#insight-tz-problems li[data-code]").waitFor();
  assert.equal(await page.getByLabel("Time zone").getAttribute("aria-invalid"), "true");
  assert.deepEqual(b.state.requests.slice(sent), [], "no request for a query the module refuses");
  await page.getByLabel("Time zone").fill("Europe/Warsaw");
  await page.getByLabel("lines").check();
  await page.getByRole("button", { name: "Draw" }).click();
  const q = "group_by=at__day,country&measures=sum:value&tz=Europe/Warsaw&sort=at__day,country&limit=500";
  const perDay = (await api(session, "GET", `/data/sale/aggregate?${before}&${q}`)).data;
  assert.equal(perDay.length, 9, "three days, three countries");
  await page.waitForFunction((n) => document.querySelectorAll("table.aggregate tbody tr").length === n, perDay.length);
  const got = await table();
  assert.deepEqual(got.map((r) => r[1]), perDay.map((r) => r.country ?? "(empty)"));
  assert.deepEqual(got.map((r) => r[2]), perDay.map((r) => (r.sum_value === null ? "—" : Number(r.sum_value).toLocaleString("en"))));
  assert.equal(got[0][0], "2025-03-01");
  assert.equal(await page.locator("figure.chart [data-kind]").getAttribute("data-kind"), "line");
  const legend = await page.locator("figure.chart .u-legend .u-series .u-label").allTextContents();
  for (const c of countries) assert.ok(legend.includes(c), `legend: ${legend}`);
  await shot(page, "insights");

  // At 800 px the chart narrows with the page: nothing scrolls sideways.
  await page.setViewportSize({ width: 800, height: 800 });
  try {
    await page.waitForFunction(() => (document.querySelector("figure.chart canvas")?.getBoundingClientRect().right ?? 9999) <= 800);
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 800);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
  noErrors();
});
