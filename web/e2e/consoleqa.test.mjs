// QA review of the console (issue 26): a unit taken elsewhere during a 409,
// every label in the page's language at once, server refusals in words.
// The real server (--osm on the synthetic town) fed over MQTT, the pages in
// Debian's Chromium, driven through the data-testid hooks.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build, startServer, launch, put, mosquittoPub, location, token } from "./server.mjs";

const townPBF = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "mapdata", "basemap", "testdata", "town.osm.pbf");
const KALIGANDU = [-6.1107, 106.1778];

let server, browser, page;
const errors = [];

async function call(method, path, body) {
  const r = await fetch(server.url + path, {
    method, headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

async function unit(id, type, agency, eastM) {
  await put(`${server.url}/api/units/${id}`, { type, agency, callsign: id });
  const lon = KALIGANDU[1] + eastM / (111320 * Math.cos((KALIGANDU[0] * Math.PI) / 180));
  mosquittoPub(server.mqttPort, `owntracks/${agency}/${id}`, location(KALIGANDU[0], lon));
}

before(async () => {
  server = await startServer(build("siaga112"), ["--osm", townPBF], { tiles: false });
  await unit("AMB-Q1", "ambulance", "dinkes", 600);
  await unit("AMB-Q2", "ambulance", "dinkes", 2400);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/?lang=id&token=" + token);
  await page.waitForSelector('#feed[data-state="live"]');
  await page.waitForFunction(() => window.siaga.markers.size >= 2);
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "a page threw");
});

// create makes an incident through the page's intake.
async function create(category, caller) {
  await page.fill('[data-testid="place-search"]', "Kaligandu");
  await page.waitForSelector('[data-testid="place-option"]');
  await page.press('[data-testid="place-search"]', "Enter");
  await page.click(`#category [data-category="${category}"]`);
  await page.fill("#caller", caller);
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/incidents") && r.request().method() === "POST");
  await page.click("#create");
  const r = await answer;
  assert.equal(r.status(), 201, await r.text());
  return r.json();
}

test("a 409 because the unit was sent elsewhere meanwhile: words, and that unit's button never returns", async () => {
  const inc = await create("medical", "0812 5555 0001");
  const taken = inc.recommendations[0].unit_id;
  const button = `[data-incident-id="${inc.id}"] [data-testid="recommendation"][data-unit-id="${taken}"] [data-testid="dispatch-button"]`;
  // as the page's request leaves, the API sends the unit to another incident
  await page.route(`**/api/incidents/${inc.id}/dispatch`, async (route) => {
    const other = await call("POST", "/api/incidents", { category: "medical", lat: KALIGANDU[0], lon: KALIGANDU[1], caller: "0812 5555 0002" });
    await call("POST", `/api/incidents/${other.id}/dispatch`, { unit_ids: [taken] });
    await route.continue();
  });
  const answer = page.waitForResponse((r) => r.url().endsWith(`/api/incidents/${inc.id}/dispatch`));
  await page.click(button);
  assert.equal((await answer).status(), 409);
  await page.unroute(`**/api/incidents/${inc.id}/dispatch`);
  await page.waitForFunction(() => /Unit sudah ditugaskan/.test(document.querySelector("#notice-text").textContent));
  // the buttons are back as the server has it: give them time to come back wrongly
  await page.waitForTimeout(1000);
  const b = await page.$(button);
  assert.ok(!b || await b.evaluate((x) => x.disabled || x.getAttribute("aria-disabled") === "true"), "the taken unit's button stays disabled (or goes)");
  const others = inc.recommendations.slice(1).map((r) => r.unit_id);
  for (const u of others) {
    assert.equal(await page.$eval(`[data-testid="recommendation"][data-unit-id="${u}"] button`, (x) => x.disabled), false, `${u} is still free: its button returns`);
  }
});

test("agency page: EN re-renders the live-feed pill in English at once and keeps its state", async () => {
  await call("POST", "/api/users", { name: "dinkesqa", role: "agency", agency: "dinkes", password: "sehat-selalu-qa-2026" });
  const ctx = await browser.newContext();
  try {
    const p = await ctx.newPage();
    p.on("pageerror", (e) => errors.push(e.message));
    await p.goto(server.url + "/agency.html?lang=id");
    await p.fill('[data-testid="login-form"] input[type=text]', "dinkesqa");
    await p.fill('[data-testid="login-form"] input[type=password]', "sehat-selalu-qa-2026");
    await p.press('[data-testid="login-form"] input[type=password]', "Enter");
    await p.waitForSelector('#feed[data-state="live"]');
    assert.equal(await p.textContent("#feed"), "Langsung");
    await p.click("#lang");
    // at once: read in the same task as the click's effects
    assert.deepEqual(await p.evaluate(() => [document.documentElement.lang, document.querySelector("#feed").textContent, document.querySelector("#feed").dataset.state]), ["en", "Live", "live"]);
    await p.click("#lang");
    assert.equal(await p.textContent("#feed"), "Langsung");
  } finally {
    await ctx.close();
  }
});

test("console header: EN rewrites the delay label at once, and back", async () => {
  // a fix after the snapshot gives a delay sample
  const lon = KALIGANDU[1] + 0.02;
  mosquittoPub(server.mqttPort, "owntracks/dinkes/AMB-Q2", location(KALIGANDU[0], lon));
  await page.waitForFunction(() => /^jeda p95 \d+ ms$/.test(document.querySelector("#lag").textContent), null, { timeout: 5000 });
  await page.click("#lang");
  assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.querySelector("#lag").textContent.replace(/\d+ ms$/, "N ms")]), ["en", "lag p95 N ms"]);
  await page.click("#lang");
  assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.querySelector("#lag").textContent.replace(/\d+ ms$/, "N ms")]), ["id", "jeda p95 N ms"]);
});

test("planner in English: the header links are English (no 'Kepatuhan OPD'), and back", async () => {
  const ctx = await browser.newContext();
  try {
    const p = await ctx.newPage();
    p.on("pageerror", (e) => errors.push(e.message));
    await p.goto(server.url + "/planner.html?lang=en&token=" + token);
    await p.waitForSelector("#kecamatan-rows tr");
    const header = () => p.$$eval("header a", (as) => as.map((a) => a.textContent.trim()));
    assert.deepEqual(await header(), ["Dispatcher's map", "Agency compliance"]);
    await p.click("#lang");
    assert.deepEqual(await header(), ["Peta dispatcher", "Kepatuhan OPD"]);
    await p.click("#lang");
    assert.deepEqual(await header(), ["Dispatcher's map", "Agency compliance"]);
  } finally {
    await ctx.close();
  }
});

test("a 400 naming a field is told in the page's words, the field named; the server's sentence is not the message", async () => {
  const text = () => page.textContent("#notice-text");
  const refused = async () => {
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/incidents") && r.request().method() === "POST");
    await page.click("#create");
    assert.equal((await answer).status(), 400);
  };
  await page.fill('[data-testid="place-search"]', "Kaligandu");
  await page.waitForSelector('[data-testid="place-option"]');
  await page.press('[data-testid="place-search"]', "Enter");
  await page.click('#category [data-category="medical"]');
  // a bad phone number
  await page.fill("#caller", "abc");
  await refused();
  await page.waitForFunction(() => /Nomor penelepon tidak valid/.test(document.querySelector("#notice-text").textContent), null, { timeout: 3000 });
  assert.doesNotMatch(await text(), /phone number|must be/);
  // the same notice in English at once
  await page.click("#lang");
  assert.match(await text(), /^Invalid caller's number/);
  await page.click("#lang");
  // a control character in the description
  await page.fill("#caller", "0812 5555 0003");
  await page.fill("#description", "pingsan\u0001");
  await refused();
  await page.waitForFunction(() => /^Keterangan: berisi karakter kendali/.test(document.querySelector("#notice-text").textContent), null, { timeout: 3000 });
  assert.doesNotMatch(await text(), /control character|field "/);
  // too long
  await page.$eval("#description", (d) => { d.removeAttribute("maxlength"); d.value = "x".repeat(2100); });
  await refused();
  await page.waitForFunction(() => /^Keterangan terlalu panjang: 2100 byte, paling banyak 2000\./.test(document.querySelector("#notice-text").textContent), null, { timeout: 3000 });
  assert.doesNotMatch(await text(), /bytes long|accepted/);
  // the form is kept
  assert.equal(await page.inputValue("#caller"), "0812 5555 0003");
});
