// History on the map: geofences drawn, a transporting ambulance driven by
// real fixes over MQTT into a hospital fence (the rule sets at_hospital, the
// region event shows live), then its track replayed with the time slider.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, startServer, launch, put, mosquittoPub, location, token, get } from "./server.mjs";

let server, browser, page;
const errors = [];
const hospital = [106.16, -6.11]; // lon, lat: a 120 m circle
const t0 = Math.floor(Date.now() / 1000) - 600;
const fixes = 10;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "siaga112-fences-"));
  const file = join(dir, "fences.geojson");
  writeFileSync(file, JSON.stringify({
    type: "FeatureCollection", features: [
      { type: "Feature", id: "rs-e2e", properties: { name: "RS <i>Uji</i>", kind: "hospital", radius_m: 120 }, geometry: { type: "Point", coordinates: hospital } },
    ],
  }).replace("RS <i>Uji</i>", "RS Uji"));
  server = await startServer(build("siaga112"), ["--geofences", file]);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/?token=" + token);
  await page.waitForSelector('#feed[data-state="live"]');
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "the page threw");
});

test("geofences are drawn on the map", async () => {
  // The map draws on a canvas: ask the page what it drew.
  await page.waitForFunction(() => window.siaga?.history?.fences.size === 1);
  assert.ok(await page.evaluate(() => window.siaga.history.fences.get("rs-e2e").getRadius() === 120));
});

test("fixes into a hospital fence: at_hospital detected, the region event shown live", async () => {
  await put(`${server.url}/api/units/AMB-R1`, { type: "ambulance", agency: "dinkes", callsign: "Ambulans R1" });
  const r = await fetch(`${server.url}/api/units/AMB-R1/status`, {
    method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ status: "transporting" }),
  });
  assert.equal(r.status, 200);
  await page.click('nav button[data-tab="history"]');
  // From 1.8 km west of the hospital to its centre, one fix every 30 s.
  for (let i = 0; i < fixes; i++) {
    const lon = hospital[0] - 0.0165 * (1 - i / (fixes - 1));
    mosquittoPub(server.mqttPort, "owntracks/dinkes/AMB-R1", location(hospital[1], lon, t0 + 30 * i));
  }
  // The check is that it shows, not how fast (10 mosquitto_pub processes,
  // then the feed; 5 s ran out once in a full suite on 2 busy cores).
  await page.waitForSelector('#region-log li[data-region-unit="AMB-R1"][data-region-kind="enter"][data-region-id="rs-e2e"]', { timeout: 15000 });
  const unit = await (await get(`${server.url}/api/units/AMB-R1`)).json();
  assert.equal(unit.properties.status, "at_hospital");
});

test("the unit's track replays with the time slider", async () => {
  await page.click("#replay-subject");
  await page.selectOption("#replay-subject", "unit:AMB-R1");
  await page.click("#replay-go");
  await page.waitForSelector(`#replay-panel[data-points="${fixes}"]`);
  const seek = (v) => page.evaluate((v) => {
    const s = document.querySelector("#replay-slider");
    s.value = v;
    s.dispatchEvent(new Event("input"));
  }, v);
  const at = () => page.getAttribute("#replay-panel", "data-marker-at");
  assert.equal(await at(), new Date(t0 * 1000).toISOString(), "starts at the first fix");
  await seek(30 * 4 + 10); // 4 fixes in, and 10 s
  assert.equal(await at(), new Date((t0 + 120) * 1000).toISOString());
  await seek(await page.getAttribute("#replay-slider", "max"));
  assert.equal(await at(), new Date((t0 + 30 * (fixes - 1)) * 1000).toISOString(), "ends at the last fix");
  // The marker is at the hospital at the end.
  const ll = await page.evaluate(() => window.siaga.history.tracks()[0].marker.getLatLng());
  assert.ok(Math.abs(ll.lng - hospital[0]) < 1e-6 && Math.abs(ll.lat - hospital[1]) < 1e-6, JSON.stringify(ll));
  // Play moves the slider (and the marker) by itself; a second click pauses.
  await seek(0);
  await page.click("#replay-play");
  await page.waitForFunction(() => Number(document.querySelector("#replay-slider").value) > 30);
  assert.notEqual(await at(), new Date(t0 * 1000).toISOString(), "the marker moved");
  await page.click("#replay-play");
  assert.equal(await page.textContent("#replay-play"), "Putar");
});

test("an incident's units replay together", async () => {
  const inc = await (await fetch(`${server.url}/api/incidents`, {
    method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ category: "medical", lat: -6.11, lon: 106.16, caller: "0812 1111 2222", description: "uji" }),
  })).json();
  await page.waitForFunction((id) => window.siaga.incidents.has(id), inc.id);
  await page.click("#replay-subject");
  assert.ok(await page.$(`#replay-subject option[value="incident:${inc.id}"]`));
});
