// The planners' page, end to end: import a history file through the page,
// see the heatmap, the per-kecamatan table, the downloads and the coverage.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, startServer, launch, put, mosquittoPub, location, token, get } from "./server.mjs";

let server, browser, page;
const errors = [];

// Three fires in Kaligandu (Kecamatan Serang) and one medical case in Kasemen.
const history = `id,category,lat,lon,received_at,dispatched_at,on_scene_at,closed_at
p1,fire,-6.110699,106.177791,2025-03-01T08:00:00+07:00,2025-03-01T08:01:00+07:00,2025-03-01T08:10:00+07:00,
p2,fire,-6.110699,106.177791,2025-03-02T08:00:00+07:00,2025-03-02T08:01:00+07:00,2025-03-02T08:20:00+07:00,
p3,fire,-6.110699,106.177791,2025-03-03T08:00:00+07:00,2025-03-03T08:01:00+07:00,2025-03-03T08:30:00+07:00,
p4,medical,-6.059083,106.185147,2025-03-04T08:00:00+07:00,2025-03-04T08:02:00+07:00,2025-03-04T08:12:00+07:00,
`;

before(async () => {
  server = await startServer(build("siaga112"));
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/planner.html?token=" + token);
  await page.waitForSelector("#kecamatan-rows tr");
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "the page threw");
});

test("a history file imported through the page fills the table and the heatmap", async () => {
  const dir = mkdtempSync(join(tmpdir(), "siaga112-history-"));
  writeFileSync(join(dir, "history.csv"), history);
  await page.setInputFiles("#history-file", join(dir, "history.csv"));
  await page.waitForFunction(() => /4 /.test(document.querySelector("#import-result").textContent));
  await page.waitForSelector('#kecamatan-rows tr[data-kecamatan="36.73.01"]');
  await page.waitForFunction(() => document.querySelector('#kecamatan-rows tr[data-kecamatan="36.73.01"] td:nth-child(2)').textContent === "3");
  // p50 of 10, 20, 30 minutes is 20 (nearest rank), p90 is 30.
  const cells = await page.$$eval('#kecamatan-rows tr[data-kecamatan="36.73.01"] td', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(cells.slice(1), ["3", "20.0 min", "30.0 min"]);
  assert.ok((await page.$$("path.h3-cell")).length >= 2, "H3 cells drawn");
});

test("filtering by category changes the table", async () => {
  await page.selectOption("#category", "medical");
  await page.waitForFunction(() => document.querySelector('#kecamatan-rows tr[data-kecamatan="36.73.01"] td:nth-child(2)').textContent === "0");
  assert.equal(await page.textContent('#kecamatan-rows tr[data-kecamatan="36.73.02"] td:nth-child(2)'), "1");
  await page.selectOption("#category", "");
});

test("the kelurahan choropleth and the downloads", async () => {
  await page.selectOption("#layer", "kelurahan");
  await page.waitForFunction(() => document.querySelectorAll("path.kelurahan-area").length > 0 || document.querySelectorAll(".leaflet-overlay-pane path").length > 60);
  const href = await page.getAttribute('#downloads a[data-download="kelurahan"]', "href");
  const csv = await (await get(server.url + href)).text();
  assert.match(csv, /^code,name,count,p50_s,p90_s\n/);
  assert.match(csv, /36\.73\.01\.1010,Kaligandu,3,1200,1800/);
});

test("the coverage layer shows the ETA of the nearest available unit", async () => {
  await put(`${server.url}/api/units/AMB-P1`, { type: "ambulance", agency: "dinkes" });
  mosquittoPub(server.mqttPort, "owntracks/dinkes/AMB-P1", location(-6.12, 106.15));
  await page.selectOption("#layer", "coverage");
  await page.waitForSelector("path.coverage-cell");
  const href = await page.getAttribute('#downloads a[data-download="coverage ambulance"]', "href");
  const csv = await (await get(server.url + href)).text();
  assert.match(csv, /,AMB-P1,/);
});

test("the ETA accuracy table compares a dispatch's ETA with the trip the unit made", async () => {
  const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const scene = [-6.110699, 106.177791];
  await put(`${server.url}/api/units/DMK-E1`, { type: "fire_truck", agency: "damkar" });
  const t0 = Date.now() / 1000;
  mosquittoPub(server.mqttPort, "owntracks/damkar/DMK-E1", location(scene[0] - 0.01, scene[1], t0)); // ~1.1 km south
  let r = await fetch(`${server.url}/api/incidents`, { method: "POST", headers: auth,
    body: JSON.stringify({ category: "fire", lat: scene[0], lon: scene[1], caller: "081234500011", description: "uji ETA" }) });
  assert.equal(r.status, 201, await r.clone().text());
  const inc = await r.json();
  r = await fetch(`${server.url}/api/incidents/${inc.id}/dispatch`, { method: "POST", headers: auth, body: JSON.stringify({ unit_ids: ["DMK-E1"] }) });
  assert.equal(r.status, 200, await r.clone().text());
  const [assigned] = (await r.json()).assigned;
  assert.equal(assigned.eta_model, "detour");
  // It arrives (a fix 20 m away) a few seconds later.
  await new Promise((res) => setTimeout(res, 1100));
  mosquittoPub(server.mqttPort, "owntracks/damkar/DMK-E1", location(scene[0] - 0.0002, scene[1], Date.now() / 1000));
  await page.waitForFunction(async () => {
    await window.siagaETAAccuracy.load();
    return document.querySelector('#eta-table tr[data-type="fire_truck"][data-model="detour"]') !== null;
  }, null, { timeout: 10000 });
  const cells = await page.$$eval('#eta-table tr[data-type="fire_truck"] td', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(cells.slice(0, 4), ["fire_truck", "detour", "1", "0"]);
  // The trip took about a second against an ETA of over a minute: a large negative error.
  assert.match(cells[4], /^-\d+ s \(-\d+\.\d%\)$/);
  assert.match(await page.textContent("#eta-summary"), /1 /);
});
