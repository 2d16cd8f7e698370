// Place search on the intake, end to end: the real server with a
// hand-made OSM extract (mapdata/places/testdata), the page in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build, startServer, launch, token, get } from "./server.mjs";

const extract = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "mapdata", "places", "testdata", "town.osm.pbf");
const field = '[data-testid="place-search"]';
let server, browser, page;
const errors = [];

before(async () => {
  server = await startServer(build("siaga112"), ["--osm", extract]);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(server.url + "/?token=" + token);
  await page.waitForSelector('#feed[data-state="live"]');
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "the page threw or opened a dialog");
});

test("an abbreviated street, picked by keyboard, is where the incident goes", async () => {
  await page.click(field);
  await page.keyboard.type("jl jend sudirm", { delay: 30 });
  await page.waitForSelector('[data-testid="place-option"][data-place-id="osm:way/100"]');
  assert.equal(await page.getAttribute(field, "aria-expanded"), "true");
  // ↓ to the first answer, Enter picks it.
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.getAttribute('[data-testid="place-option"]:first-child', "aria-selected"), "true");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".place-label");
  assert.equal(await page.textContent(".place-label"), "Jalan Jenderal Sudirman");
  assert.equal(await page.isVisible('[data-testid="place-results"]'), false);
  const point = await page.textContent("#point");
  assert.match(point, /^-6\.12000, 106\.1\d{4} — Jalan Jenderal Sudirman · /);
  const [lat, lon] = point.split(" — ")[0].split(", ").map(Number);
  // The map went there.
  const centre = await page.evaluate(() => window.siaga.map.getCenter());
  assert.ok(Math.abs(centre.lat - lat) < 1e-4 && Math.abs(centre.lng - lon) < 1e-4, `map centre ${JSON.stringify(centre)}`);
  await page.click('#category [data-category="medical"]');
  await page.fill("#caller", "0812 3456 7001");
  await page.click("#create");
  await page.waitForFunction(() => /^\d{8}-\d{6}$/.test(document.querySelector("#result-id").textContent));
  const id = await page.textContent("#result-id");
  const inc = await (await get(`${server.url}/api/incidents/${id}`)).json();
  assert.ok(Math.abs(inc.lat - lat) < 1e-5 && Math.abs(inc.lon - lon) < 1e-5, `incident at ${inc.lat}, ${inc.lon}, picked ${lat}, ${lon}`);
});

test("Esc closes, the mouse picks, stale answers never replace newer ones", async () => {
  await page.fill(field, "");
  await page.click(field);
  await page.keyboard.type("psr rau", { delay: 20 });
  await page.waitForSelector('[data-testid="place-option"][data-place-id="osm:node/1004"]');
  await page.keyboard.press("Escape");
  assert.equal(await page.isVisible('[data-testid="place-results"]'), false);
  // One letter asks nothing.
  await page.fill(field, "p");
  await page.waitForTimeout(400);
  assert.equal(await page.isVisible('[data-testid="place-results"]'), false);
  await page.fill(field, "");
  await page.keyboard.type("gg mawar");
  await page.click('[data-testid="place-option"][data-place-id="osm:way/130"]');
  await page.waitForFunction(() => document.querySelector(".place-label")?.textContent === "Gang Mawar");
  // The last answer shown is for the last text typed.
  await page.fill(field, "");
  await page.keyboard.type("kec. curug", { delay: 0 });
  await page.waitForSelector('[data-testid="place-option"]');
  await page.waitForTimeout(500);
  assert.equal(await page.getAttribute('[data-testid="place-option"]:first-child', "data-place-id"), "gazetteer:36.73.04");
});

test("a crossing by its two streets", async () => {
  await page.fill(field, "");
  await page.keyboard.type("jl sudirman & jl ahmad yani");
  await page.waitForSelector('[data-testid="place-option"][data-place-id="osm:intersection/2"]');
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector(".place-label")?.textContent === "Jalan Jenderal Sudirman & Jalan Ahmad Yani");
  assert.match(await page.textContent("#point"), /^-6\.12000, 106\.15500/);
});

test("an alias with markup shows as text", async () => {
  const r = await fetch(`${server.url}/api/places`, {
    method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "Tugu <b>Jam</b>", aliases: [`<img src=x onerror="window.pwned=1">Menara Jam`], kind: "landmark", lat: -6.121, lon: 106.158 }),
  });
  assert.equal(r.status, 201, await r.text());
  await page.fill(field, "");
  await page.keyboard.type("menara jam");
  const option = '[data-testid="place-option"][data-place-id^="placebook:"]';
  await page.waitForSelector(option);
  assert.equal(await page.textContent(`${option} .name`), "Tugu <b>Jam</b>");
  assert.equal(await page.textContent(`${option} .matched`), `“<img src=x onerror="window.pwned=1">Menara Jam”`);
  assert.equal(await page.$$eval('[data-testid="place-results"] img, [data-testid="place-results"] b', (els) => els.length), 0);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector(".place-label")?.textContent === "Tugu <b>Jam</b>");
  assert.equal(await page.$$eval(".place-label b, .place-label img", (els) => els.length), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
});

test("a map click shows the reverse answer", async () => {
  await page.evaluate(() => window.siaga.map.setView([-6.1205, 106.1512], 17, { animate: false }));
  const box = await page.$eval("#map", (m) => { const r = m.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; });
  await page.mouse.click(box.x, box.y);
  await page.waitForFunction(() => document.querySelector("#point").textContent.includes(" m · "));
  const point = await page.textContent("#point");
  assert.match(point, /— Jalan Jenderal Sudirman, \d+ m · Masjid Agung Ats-Tsauroh, \d+ m · [^,]+, Serang$/);
});

test("an exact kelurahan name ranks first and Enter files the incident in that kelurahan (not its kecamatan's point)", async () => {
  // kecamatan Taktakan's point lies in kelurahan Pancur; biased to the
  // map's centre the server lists the kecamatan first.
  await page.evaluate(() => window.siaga.map.setView([-6.12, 106.15], 14, { animate: false }));
  await page.fill(field, "");
  await page.click(field);
  await page.keyboard.type("Taktakan");
  await page.waitForSelector('[data-testid="place-option"][data-place-id="gazetteer:36.73.06"]');
  await page.waitForTimeout(300);
  assert.equal(await page.getAttribute('[data-testid="place-option"]:first-child', "data-place-id"), "gazetteer:36.73.06.1001");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector(".place-label")?.textContent === "Taktakan");
  await page.click('#category [data-category="medical"]');
  await page.fill("#caller", "0812 3456 7002");
  const created = page.waitForResponse((r) => r.url().endsWith("/api/incidents") && r.request().method() === "POST");
  await page.click("#create");
  const inc = await (await created).json();
  const got = await (await get(`${server.url}/api/incidents/${inc.id}`)).json();
  assert.equal(got.kelurahan?.name, "Taktakan", `filed at ${got.lat}, ${got.lon} in ${JSON.stringify(got.kelurahan)}`);
});

test("a pick is final: an answer still on its way does not reopen the list over it", async () => {
  const slow = async (route) => {
    if (new URL(route.request().url()).searchParams.get("q") === "jl jend sudirm") await new Promise((r) => setTimeout(r, 600));
    await route.continue();
  };
  const places = (url) => url.pathname === "/api/places";
  await page.route(places, slow);
  try {
    await page.fill(field, "");
    await page.click(field);
    await page.keyboard.type("jl jend sudi");
    await page.waitForSelector('[data-testid="place-option"][data-place-id="osm:way/100"]');
    await page.keyboard.type("rm");
    await page.waitForTimeout(200); // the new search has left, its answer is slow
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector(".place-label")?.textContent === "Jalan Jenderal Sudirman");
    await page.waitForTimeout(900);
    assert.equal(await page.isVisible('[data-testid="place-results"]'), false, "the late answer reopened the list");
  } finally {
    await page.unroute(places, slow);
  }
});
