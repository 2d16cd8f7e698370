// The dispatcher's page, end to end: the real server fed over MQTT, the page
// in headless Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { build, startServer, launch, put, mosquittoPub, location, token, get } from "./server.mjs";

let server, browser, page;
const errors = [];

before(async () => {
  server = await startServer(build("siaga112"));
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/?token=" + token);
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "the page threw");
});

test("the page loads the map, district outlines and the live feed", async () => {
  await page.waitForSelector(".leaflet-container");
  await page.waitForSelector('#feed[data-state="live"]');
  await page.waitForFunction(() => document.querySelectorAll(".area-label").length === 6);
  assert.equal(await page.textContent("#feed"), "Langsung");
  assert.equal(await page.getAttribute("html", "lang"), "id");
});

test("a unit published over MQTT appears on the board, live", async () => {
  await put(`${server.url}/api/units/AMB-T1`, { type: "ambulance", agency: "dinkes", callsign: "Ambulans T1" });
  await page.click('nav button[data-tab="units"]');
  const row = '#unit-rows tr[data-unit-id="AMB-T1"]';
  await page.waitForSelector(`${row}[data-liveness="offline"]`);
  mosquittoPub(server.mqttPort, "owntracks/dinkes/AMB-T1", location(-6.1115, 106.1790));
  await page.waitForSelector(`${row}[data-liveness="live"]`, { timeout: 5000 });
  assert.equal(await page.textContent(`${row} .callsign`), "Ambulans T1");
  assert.equal(await page.getAttribute(row, "data-status"), "available");
});

test("an incident created through the intake form comes back with recommendations", async () => {
  await page.fill('[data-testid="place-search"]', "Kaligandu");
  await page.waitForSelector('[data-testid="place-option"][data-place-id="gazetteer:36.73.01.1010"]');
  await page.press('[data-testid="place-search"]', "Enter");
  await page.waitForFunction(() => document.querySelector("#point").textContent.includes("Kaligandu"));
  await page.click('#category [data-category="medical"]');
  await page.fill("#caller", "0812 3456 7890");
  await page.fill("#description", "pingsan di pasar");
  await page.click("#create");
  await page.waitForSelector('#recommendations li[data-rec-unit="AMB-T1"]');
  const id = await page.textContent("#result-id");
  assert.match(id, /^\d{8}-\d{6}$/);
  assert.ok(await page.$(`#incident-rows tr[data-incident-id="${id}"]`), "the incident is listed");
});

test("dispatching draws the line and changes the unit's row, live", async () => {
  await page.click("#dispatch-plan");
  await page.waitForSelector(".eta-label");
  assert.match(await page.textContent(".eta-label"), /Ambulans T1 · ETA \d+ min/);
  await page.click('nav button[data-tab="units"]');
  await page.waitForSelector('#unit-rows tr[data-unit-id="AMB-T1"][data-status="dispatched"]');
  // The crew reports over MQTT: the row follows by itself.
  mosquittoPub(server.mqttPort, "siaga112/units/AMB-T1/status", JSON.stringify({ status: "en_route" }));
  await page.waitForSelector('#unit-rows tr[data-unit-id="AMB-T1"][data-status="en_route"]');
});

test("a server error is shown to the dispatcher in the page's words, the server's sentence as secondary detail", async () => {
  await page.fill('[data-testid="place-search"]', "Kaligandu");
  await page.waitForSelector('[data-testid="place-option"]');
  await page.press('[data-testid="place-search"]', "Enter");
  await page.click('#category [data-category="medical"]');
  await page.fill("#caller", "not a number");
  await page.click("#create");
  await page.waitForFunction(() => /^Nomor penelepon tidak valid/.test(document.querySelector("#notice-text").textContent));
  assert.match(await page.getAttribute("#notice-text", "title"), /number "not a number" must be/);
  assert.equal(await page.getAttribute("#notice", "data-level"), "error");
  assert.equal(await page.isVisible("#notice"), true);
});

test("a cut WebSocket reconnects and resyncs by itself", async () => {
  await page.evaluate(() => window.siaga.live.cut());
  await page.waitForSelector('#feed[data-state="down"]');
  await page.waitForSelector('#feed[data-state="live"]', { timeout: 10000 });
  assert.match(await page.textContent("#notice-text"), /Tersambung kembali/);
  // The resynced page still shows the fleet.
  await page.waitForSelector('#unit-rows tr[data-unit-id="AMB-T1"][data-status="en_route"]', { state: "attached" });
});

test("a deleted unit leaves the map and the board, live", async () => {
  await put(`${server.url}/api/units/AMB-GONE`, { type: "ambulance", agency: "dinkes" });
  mosquittoPub(server.mqttPort, "owntracks/dinkes/AMB-GONE", location(-6.1120, 106.1700));
  const row = '#unit-rows tr[data-unit-id="AMB-GONE"]';
  await page.waitForSelector(row, { state: "attached" });
  await page.waitForFunction(() => window.siaga.markers.has("AMB-GONE"));
  const r = await fetch(`${server.url}/api/units/AMB-GONE`, { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 204);
  await page.waitForSelector(row, { state: "detached", timeout: 5000 });
  await page.waitForFunction(() => !window.siaga.markers.has("AMB-GONE"));
});

test("English labels are a click away", async () => {
  await page.click("#lang");
  assert.equal(await page.textContent('nav button[data-tab="units"]'), "Units");
  await page.click("#lang");
  assert.equal(await page.textContent('nav button[data-tab="units"]'), "Unit");
});

test("without signing in the page asks for it, and a dispatcher can sign in", async () => {
  const r = await fetch(`${server.url}/api/users`, {
    method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "sari", role: "dispatcher", password: "dispatch-pass-1" }),
  });
  assert.equal(r.status, 201);
  const fresh = await browser.newContext();
  const p = await fresh.newPage();
  await p.goto(server.url + "/");
  await p.waitForSelector("form.signin");
  await p.fill("form.signin input[name=name]", "sari");
  await p.fill("form.signin input[name=password]", "wrong password");
  await p.click("form.signin button");
  await p.waitForFunction(() => document.querySelector("form.signin .err").textContent.length > 0);
  await p.fill("form.signin input[name=password]", "dispatch-pass-1");
  await p.click("form.signin button");
  await p.waitForSelector('#feed[data-state="live"]');
  await fresh.close();
});
