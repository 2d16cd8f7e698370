// The dispatcher's console for a whole shift (issue 26, items 1–7 and 10):
// the real server (--osm on the synthetic town, so the page needs no other
// host) fed over MQTT, the page in Debian's Chromium, driven through the
// data-testid hooks. Every request of every page is recorded: none may
// leave the server's origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build, startServer, launch, put, mosquittoPub, location, token } from "./server.mjs";

const townPBF = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "mapdata", "basemap", "testdata", "town.osm.pbf");
// Kelurahan Kaligandu's label point is about here; units stand east of it.
const KALIGANDU = [-6.1107, 106.1778];
const TARGET_S = 4; // --dispatch-target
// Font glyphs the issue forbids: Unicode So, surrogates, U+2600–27BF, U+1F000–1FAFF.
const GLYPH = /[\p{So}\u2600-\u27BF\u{1F000}-\u{1FAFF}]|[\uD800-\uDFFF]/u;

let server, browser, page;
const errors = [], requests = [];
let plans;

function watch(p) {
  p.on("pageerror", (e) => errors.push(e.message));
  p.on("request", (r) => requests.push(r.url()));
  return p;
}

async function call(method, path, body) {
  const r = await fetch(server.url + path, {
    method, headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

// unit registers a unit and reports it live eastM metres east of Kaligandu.
async function unit(id, type, agency, eastM, callsign = id) {
  await put(`${server.url}/api/units/${id}`, { type, agency, callsign });
  const lon = KALIGANDU[1] + eastM / (111320 * Math.cos((KALIGANDU[0] * Math.PI) / 180));
  mosquittoPub(server.mqttPort, `owntracks/${agency}/${id}`, location(KALIGANDU[0], lon));
}

before(async () => {
  server = await startServer(build("siaga112"), ["--osm", townPBF, "--dispatch-target", `${TARGET_S}s`], { tiles: false });
  plans = await call("GET", "/api/plans");
  await call("POST", "/api/users", { name: "sari", role: "dispatcher", password: "dispatch-pass-1" });
  await call("POST", "/api/users", { name: "damkar1", role: "agency", agency: "damkar", password: "padamkan-api-2026" });
  await unit("AMB-K1", "ambulance", "dinkes", 600, "A-K1");
  await unit("AMB-K2", "ambulance", "dinkes", 3200, "A-K2");
  await unit("AMB-K3", "ambulance", "dinkes", -4500, "A-K3");
  await unit("FT-K1", "fire_truck", "damkar", 900, "F-K1");
  await unit("FT-K2", "fire_truck", "damkar", 2500, "F-K2");
  browser = await launch();
  page = watch(await browser.newPage({ viewport: { width: 1400, height: 900 } }));
  await page.goto(server.url + "/?token=" + token);
  await page.waitForSelector('#feed[data-state="live"]');
  await page.waitForFunction(() => window.siaga.markers.size >= 5);
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "a page threw");
  const foreign = requests.filter((u) => !u.startsWith(server.url + "/") && !/^(data|blob):/.test(u));
  assert.deepEqual(foreign, [], "requests to other hosts");
});

// ---- item 1 ----
test("sign-in: every page shows the form in words, a wrong password in the page's language, the right one opens the page", async () => {
  const ctx = await browser.newContext();
  try {
    for (const path of ["/", "/planner.html", "/agency.html", "/compliance.html"]) {
      const p = watch(await ctx.newPage());
      await p.goto(server.url + path);
      await p.waitForSelector('[data-testid="login-form"]', { timeout: 2000 });
      const inputs = await p.$$eval('[data-testid="login-form"] input', (xs) => xs.map((x) => x.type));
      assert.deepEqual(inputs, ["text", "password"], path);
      const text = await p.evaluate(() => document.body.innerText);
      assert.doesNotMatch(text, /\/api\/|\bPOST\b|\bGET\b|Authorization|token=|[{}]/, `${path} names the API: ${text}`);
      await p.close();
    }
    for (const [lang, wrong] of [["id", "Nama atau kata sandi salah."], ["en", "Wrong name or password."]]) {
      const p = watch(await ctx.newPage());
      await p.goto(`${server.url}/?lang=${lang}`);
      await p.fill('[data-testid="login-form"] input[type=text]', "sari");
      await p.fill('[data-testid="login-form"] input[type=password]', "not her password");
      await p.press('[data-testid="login-form"] input[type=password]', "Enter");
      await p.waitForFunction((w) => document.querySelector('[data-testid="login-form"]').innerText.includes(w), wrong, { timeout: 1000 });
      await p.close();
    }
    // throttled: words
    const th = watch(await ctx.newPage());
    await th.goto(`${server.url}/?lang=en`);
    await th.route("**/api/login", (r) => r.fulfill({ status: 429, contentType: "application/json", headers: { "Retry-After": "30" }, body: '{"error":"too many sign-in attempts; retry after 30 s"}' }));
    await th.fill('[data-testid="login-form"] input[type=text]', "sari");
    await th.fill('[data-testid="login-form"] input[type=password]', "x");
    await th.press('[data-testid="login-form"] input[type=password]', "Enter");
    await th.waitForFunction(() => document.querySelector('[data-testid="login-form"]').innerText.includes("Too many attempts"), null, { timeout: 1000 });
    await th.close();
    // no server: words, not an exception
    const p = watch(await ctx.newPage());
    await p.goto(`${server.url}/?lang=id`);
    await p.route("**/api/login", (r) => r.abort("connectionrefused"));
    await p.fill('[data-testid="login-form"] input[type=text]', "sari");
    await p.fill('[data-testid="login-form"] input[type=password]', "dispatch-pass-1");
    await p.press('[data-testid="login-form"] input[type=password]', "Enter");
    await p.waitForFunction(() => document.querySelector('[data-testid="login-form"]').innerText.includes("Server tidak terjangkau"), null, { timeout: 1000 });
    await p.unroute("**/api/login");
    await p.press('[data-testid="login-form"] input[type=password]', "Enter");
    await p.waitForSelector('[data-testid="login-form"]', { state: "detached" });
    await p.waitForSelector('#feed[data-state="live"]');
    // signed out mid-shift: the form returns over the page, the typed intake stays
    await p.fill("#caller", "0812 1111 2222");
    await p.fill("#description", "asap tebal");
    await p.evaluate(async () => {
      const { csrf } = await import("/api.js");
      await fetch("/api/logout", { method: "POST", headers: { "X-CSRF-Token": csrf() } });
    });
    await p.waitForSelector('[data-testid="login-form"]', { timeout: 5000 });
    await p.fill('[data-testid="login-form"] input[type=text]', "sari");
    await p.fill('[data-testid="login-form"] input[type=password]', "dispatch-pass-1");
    await p.press('[data-testid="login-form"] input[type=password]', "Enter");
    await p.waitForSelector('[data-testid="login-form"]', { state: "detached" });
    assert.equal(await p.inputValue("#caller"), "0812 1111 2222");
    assert.equal(await p.inputValue("#description"), "asap tebal");
    await p.waitForSelector('#feed[data-state="live"]', { timeout: 10000 });
    // an agency user lands on the agency page
    const a = watch(await (await browser.newContext()).newPage());
    await a.goto(server.url + "/");
    await a.fill('[data-testid="login-form"] input[type=text]', "damkar1");
    await a.fill('[data-testid="login-form"] input[type=password]', "padamkan-api-2026");
    await a.press('[data-testid="login-form"] input[type=password]', "Enter");
    await a.waitForURL(/\/agency\.html$/);
    await a.waitForSelector('[data-testid="agency-queue"]');
    await a.context().close();
  } finally {
    await ctx.close();
  }
});

// ---- items 4, 3, 5 ----
let created; // the incident the keyboard made

test("keyboard intake: / to the place, Enter, a digit, Tab, Tab, Ctrl+Enter; the form empties, the view holds the incident and its units", async () => {
  await page.click("header h1"); // focus outside any field
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "place-search");
  assert.equal(await page.inputValue('[data-testid="place-search"]'), "", "no slash typed");
  const t0 = Date.now();
  await page.keyboard.type("Kaligandu");
  await page.waitForSelector('[data-testid="place-option"]', { timeout: 2000 });
  const shown = Date.now() - t0;
  console.log(`place matches shown ${shown} ms after the first key (typing included)`);
  const first = await page.getAttribute('[data-testid="place-option"]', "data-place-id");
  assert.equal(first, "gazetteer:36.73.01.1010", "the exact name first");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "category", "Enter moves to the category chooser");
  // every category shows its digit; in Indonesian the label is the plan's label
  const radios = await page.$$eval('#category [role=radio]', (rs) => rs.map((r) => ({ key: r.getAttribute("aria-keyshortcuts"), label: r.querySelector(".label").textContent })));
  assert.deepEqual(radios.slice(0, 9), plans.plans.slice(0, 9).map((p, i) => ({ key: String(i + 1), label: p.label })));
  const medical = plans.plans.findIndex((p) => p.category === "medical") + 1;
  await page.keyboard.press(String(medical));
  assert.equal(await page.evaluate(() => document.activeElement.id), "category", "focus stays on the chooser");
  assert.equal(await page.getAttribute('#category [data-category="medical"]', "aria-checked"), "true");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "caller");
  await page.keyboard.type("0812/3456 7890"); // "/" in a text field stays text
  assert.equal(await page.inputValue("#caller"), "0812/3456 7890");
  await page.fill("#caller", "0812 3456 7890");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "description");
  await page.keyboard.type("pingsan 2 orang");
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/incidents") && r.request().method() === "POST");
  await page.keyboard.press("Control+Enter");
  const resp = await answer;
  assert.equal(resp.status(), 201);
  created = await resp.json();
  assert.equal(created.kelurahan.name, "Kaligandu", "the kelurahan's label point, located in it");
  const at = Date.now();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="intake-form"] input, [data-testid="intake-form"] textarea, [data-testid="place-search"]')]
    .every((f) => f.value === ""), null, { timeout: 1000 });
  assert.equal(await page.textContent("#result-id"), created.id, "the result stays beside the form");
  // fit: the incident and every recommended unit, 2 px inside the map's visible part, under nothing but the map or an alert
  await page.waitForFunction(({ inc, recs }) => {
    const map = window.siaga.map;
    const box = map.getContainer().getBoundingClientRect();
    const vis = { left: Math.max(box.left, 0), top: Math.max(box.top, 0), right: Math.min(box.right, innerWidth), bottom: Math.min(box.bottom, innerHeight) };
    const pts = [[inc.lat, inc.lon], ...recs.map((id) => { const [lon, lat] = window.siaga.units.get(id).geometry.coordinates; return [lat, lon]; })];
    return pts.every(([lat, lon]) => {
      const p = map.latLngToContainerPoint([lat, lon]);
      const x = box.left + p.x, y = box.top + p.y;
      if (x < vis.left + 2 || x > vis.right - 2 || y < vis.top + 2 || y > vis.bottom - 2) return false;
      const top = document.elementFromPoint(x, y);
      return top && (map.getContainer().contains(top) && !top.closest(".leaflet-control") || top.closest('[data-testid="alert"]'));
    });
  }, { inc: created, recs: created.recommendations.map((r) => r.unit_id) }, { timeout: Math.max(1, 1000 - (Date.now() - at)) });
  assert.ok(created.recommendations.length >= 2, "several units recommended");
  assert.deepEqual(await page.$$eval('[data-testid="recommendation"]', (rs) => rs.map((r) => r.dataset.unitId)), created.recommendations.map((r) => r.unit_id));
});

test("help: ? lists every shortcut, Esc closes it; Ctrl+Enter with a field missing sends nothing; no match: words", async () => {
  await page.click("header h1");
  await page.keyboard.press("?");
  await page.waitForSelector('[data-testid="help"]', { state: "visible" });
  const help = await page.textContent('[data-testid="help"]');
  for (const k of ["/", "Ctrl+K", "Enter", "1–9", "Tab", "Ctrl+Enter", "Esc", "?"]) assert.ok(help.includes(k), `help lists ${k}: ${help}`);
  await page.keyboard.press("Escape");
  await page.waitForSelector('[data-testid="help"]', { state: "hidden" });
  let posts = 0;
  const count = (r) => { if (r.method() === "POST" && r.url().endsWith("/api/incidents")) posts++; };
  page.on("request", count);
  await page.click("#caller");
  await page.keyboard.type("081234567890");
  await page.keyboard.press("Control+Enter");
  await page.waitForTimeout(300);
  assert.equal(posts, 0, "nothing sent");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "place-search", "focus on the missing field");
  await page.keyboard.type("Qzxqzx Tidak Ada");
  await page.waitForTimeout(400);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /Tempat tidak ditemukan/.test(document.querySelector("#notice-text").textContent) && !document.querySelector("#notice").hidden);
  assert.equal(posts, 0, "Enter with no match does nothing");
  page.off("request", count);
  await page.fill("#caller", "");
  await page.fill('[data-testid="place-search"]', "");
});

test("without the server's place search, the kelurahan still match in the page", async () => {
  const noPlaces = (u) => u.pathname === "/api/places";
  await page.route(noPlaces, (r) => r.fulfill({ status: 404, contentType: "application/json", body: '{"error":"not found"}' }));
  await page.click("header h1");
  await page.keyboard.press("/");
  await page.keyboard.type("Kaligandu");
  await page.waitForSelector('[data-testid="place-option"]', { timeout: 1000 });
  assert.equal(await page.textContent('[data-testid="place-option"] .name'), "Kaligandu");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "category");
  assert.match(await page.textContent("#point"), /Kaligandu/);
  await page.unroute(noPlaces);
  await page.fill('[data-testid="place-search"]', "");
});

test("one click, one dispatch: the buttons go before the request leaves; a second click sends nothing", async () => {
  const bodies = [];
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route(`**/api/incidents/${created.id}/dispatch`, async (route) => {
    bodies.push(route.request().postDataJSON());
    await gate;
    await route.continue();
  });
  const button = `[data-testid="recommendation"][data-unit-id="${created.recommendations[0].unit_id}"] [data-testid="dispatch-button"]`;
  assert.ok(await page.$eval(button, (b) => b.closest("[data-incident-id]")?.dataset.incidentId), "the button sits inside its incident");
  await page.dblclick(button);
  const states = await page.$$eval(`[data-incident-id="${created.id}"] [data-testid="dispatch-button"]`, (bs) => bs.map((b) => b.disabled || b.getAttribute("aria-disabled") === "true"));
  assert.ok(states.every(Boolean), `every button disabled while the request is out: ${states}`);
  await page.click(button, { force: true }).catch(() => {});
  release();
  await page.waitForFunction((id) => window.siaga.incidents.get(id)?.assignments?.length === 1, created.id);
  await page.waitForTimeout(300);
  assert.deepEqual(bodies, [{ unit_ids: [created.recommendations[0].unit_id] }], "one request, with its unit");
  await page.unroute(`**/api/incidents/${created.id}/dispatch`);
  // the medical plan has its one ambulance: no button returns
  const after = await page.$$eval(`[data-incident-id="${created.id}"] [data-testid="dispatch-button"]`, (bs) => bs.map((b) => b.disabled));
  assert.ok(after.every(Boolean), `no button returns once the plan has its units: ${after}`);
});

test("a fire: a button returns while the plan lacks a unit of its type; a 409 gives words and the buttons return as the server has it", async () => {
  const fire = await createBy(page, "fire", "0812 7777 0001");
  const ft = fire.recommendations.filter((r) => r.type === "fire_truck").map((r) => r.unit_id);
  // a new incident replaces the previous list
  assert.deepEqual(await page.$$eval('[data-testid="recommendation"]', (rs) => rs.map((r) => r.dataset.unitId)), fire.recommendations.map((r) => r.unit_id));
  assert.equal(await page.getAttribute("#recommendations", "data-incident-id"), fire.id);
  assert.ok(ft.length >= 2, `two fire trucks recommended: ${JSON.stringify(fire.recommendations)}`);
  await page.click(`[data-testid="recommendation"][data-unit-id="${ft[0]}"] [data-testid="dispatch-button"]`);
  await page.waitForFunction((id) => window.siaga.incidents.get(id)?.assignments?.length === 1, fire.id);
  await page.waitForFunction((u) => !document.querySelector(`[data-testid="recommendation"][data-unit-id="${u}"] button`).disabled, ft[1]);
  assert.equal(await page.$eval(`[data-testid="recommendation"][data-unit-id="${ft[0]}"] button`, (b) => b.disabled), true, "never for the assigned unit");
  // the second truck is taken elsewhere first: 409
  await page.route(`**/api/incidents/${fire.id}/dispatch`, (r) => r.fulfill({ status: 409, contentType: "application/json", body: '{"error":"unit FT-K2 is assigned"}' }));
  await page.click(`[data-testid="recommendation"][data-unit-id="${ft[1]}"] [data-testid="dispatch-button"]`);
  await page.waitForFunction(() => /Unit sudah ditugaskan/.test(document.querySelector("#notice-text").textContent));
  await page.waitForFunction((u) => !document.querySelector(`[data-testid="recommendation"][data-unit-id="${u}"] button`).disabled, ft[1]);
  await page.unroute(`**/api/incidents/${fire.id}/dispatch`);
  // a network error: words too, and the buttons return as the server has it
  await page.route(`**/api/incidents/${fire.id}/dispatch`, (r) => r.abort("connectionreset"));
  await page.click(`[data-testid="recommendation"][data-unit-id="${ft[1]}"] [data-testid="dispatch-button"]`);
  await page.waitForFunction(() => /Server tidak terjangkau/.test(document.querySelector("#notice-text").textContent));
  await page.waitForFunction((u) => !document.querySelector(`[data-testid="recommendation"][data-unit-id="${u}"] button`).disabled, ft[1]);
  await page.unroute(`**/api/incidents/${fire.id}/dispatch`);
});

// createBy makes an incident through the page's intake (mouse and keys).
async function createBy(p, category, caller) {
  await p.fill('[data-testid="place-search"]', "Kaligandu");
  await p.waitForSelector('[data-testid="place-option"]');
  await p.press('[data-testid="place-search"]', "Enter");
  await p.click(`#category [data-category="${category}"]`);
  await p.fill("#caller", caller);
  const answer = p.waitForResponse((r) => r.url().endsWith("/api/incidents") && r.request().method() === "POST");
  await p.click("#create");
  const r = await answer;
  assert.equal(r.status(), 201);
  return r.json();
}

// ---- item 6 ----
test("the board: in view beside map and intake, oldest first, states follow the units, late after the dispatch target, closed rows leave", async () => {
  const board = await page.$('[data-testid="incident-board"]');
  const b = await board.boundingBox(), m = await (await page.$("#map")).boundingBox(), f = await (await page.$('[data-testid="intake-form"]')).boundingBox();
  assert.ok(b.y >= 0 && b.y + 60 <= 900 && b.x + b.width <= 1400, `board in view: ${JSON.stringify(b)}`);
  assert.ok(b.x >= m.x + m.width && f.x >= m.x + m.width, "beside the map");
  assert.equal(await page.isVisible('[data-testid="intake-form"]'), true);
  const row = (id) => `[data-testid="incident-row"][data-incident-id="${id}"]`;
  assert.equal(await page.getAttribute(row(created.id), "data-state"), "dispatched");
  const unitId = created.recommendations[0].unit_id;
  assert.match(await page.textContent(row(created.id)), /A-K\d/, "the callsign shows");
  assert.match(await page.textContent(row(created.id)), /\d+ mnt/, "minutes since received");
  mosquittoPub(server.mqttPort, `siaga112/units/${unitId}/status`, JSON.stringify({ status: "on_scene" }));
  await page.waitForSelector(`${row(created.id)}[data-state="on_scene"]`, { timeout: 1000 });
  await page.click('nav button[data-tab="units"]');
  await page.waitForSelector(`[data-testid="unit-row"][data-unit-id="${unitId}"][data-incident-id="${created.id}"][data-status="on_scene"]`, { state: "attached", timeout: 1000 });
  await page.click('nav button[data-tab="incidents"]');
  // an incident nobody dispatches turns late after --dispatch-target
  const waiting = await call("POST", "/api/incidents", { category: "stunting", lat: KALIGANDU[0], lon: KALIGANDU[1], caller: "081233330000" });
  await page.waitForSelector(`${row(waiting.id)}[data-state="received"][data-late="false"]`, { timeout: 3000 });
  await page.waitForSelector(`${row(waiting.id)}[data-late="true"]`, { timeout: (TARGET_S + 2) * 1000 });
  assert.equal(await page.getAttribute(row(created.id), "data-late"), "false", "a dispatched incident is never late");
  const order = await page.$$eval('[data-testid="incident-row"]', (rs) => rs.map((r) => r.dataset.incidentId));
  assert.deepEqual(order, [...order].sort(), "oldest first");
  // its last unit cleared closes it: the row leaves
  await call("POST", `/api/incidents/${created.id}/units/${unitId}/status`, { status: "cleared" });
  await page.waitForSelector(row(created.id), { state: "detached", timeout: 1500 });
  await call("POST", `/api/incidents/${waiting.id}/close`);
  await page.waitForSelector(row(waiting.id), { state: "detached", timeout: 1500 });
});

// ---- item 7 ----
test("alerts: an incident from elsewhere shows over the map within 3 s, takes no focus, moves no view; Esc and click", async () => {
  await page.click("#caller");
  const view = await page.evaluate(() => ({ c: window.siaga.map.getCenter(), z: window.siaga.map.getZoom() }));
  const t0 = Date.now();
  const other = await call("POST", "/api/incidents", { category: "fire", lat: -6.1203, lon: 106.1500, caller: "081244445555" });
  const alert = `[data-testid="alert"][data-incident-id="${other.id}"]`;
  await page.waitForSelector(alert, { state: "visible", timeout: 3000 });
  console.log(`alert shown ${Date.now() - t0} ms after the API call`);
  const text = await page.textContent(alert);
  assert.ok(text.includes(plans.plans.find((p) => p.category === "fire").label) && text.includes(other.kelurahan.name) && /\d\d[.:]\d\d/.test(text), text);
  assert.equal(await page.evaluate(() => document.activeElement.id), "caller", "no focus taken");
  assert.deepEqual(await page.evaluate(() => ({ c: window.siaga.map.getCenter(), z: window.siaga.map.getZoom() })), view, "the view stays");
  const ab = await (await page.$(alert)).boundingBox(), mb = await (await page.$("#map")).boundingBox();
  assert.ok(ab.x >= mb.x && ab.x + ab.width <= mb.x + mb.width && ab.y >= mb.y, "over the map, not the panel");
  await page.click("header h1");
  await page.keyboard.press("Escape");
  await page.waitForSelector(alert, { state: "detached" });
  const third = await call("POST", "/api/incidents", { category: "medical", lat: -6.1203, lon: 106.1500, caller: "081244446666" });
  const alert3 = `[data-testid="alert"][data-incident-id="${third.id}"]`;
  await page.waitForSelector(alert3, { timeout: 3000 });
  await page.click(alert3);
  await page.waitForSelector(alert3, { state: "detached" });
  await page.waitForFunction((id) => document.querySelector("#detail")?.textContent.includes(id), third.id);
  await page.waitForFunction((p) => window.siaga.map.getBounds().contains([p.lat, p.lon]), third);
  // the page's own incidents and a resync never alert
  await page.evaluate(() => window.siaga.live.cut());
  await page.waitForSelector('#feed[data-state="live"]', { timeout: 10000 });
  await page.waitForTimeout(500);
  assert.deepEqual(await page.$$eval('[data-testid="alert"]', (as) => as.map((a) => a.dataset.incidentId)), [], `no alert on resync (other ${other.id}, third ${third.id})`);
  const fresh = watch(await browser.newPage({ viewport: { width: 1400, height: 900 } }));
  await fresh.goto(server.url + "/?token=" + token);
  await fresh.waitForSelector('#feed[data-state="live"]');
  await fresh.waitForTimeout(800);
  assert.equal(await fresh.$$eval('[data-testid="alert"]', (as) => as.length), 0, "no alert for the snapshot");
  await fresh.close();
});

// ---- item 2 ----
test("no font glyphs: incidents and units are drawn shapes, each its own layer at its exact position; the legend by default", async () => {
  for (const p of plans.plans) await call("POST", "/api/incidents", { category: p.category, lat: -6.1150, lon: 106.1600, caller: "081200000000" }).catch(() => {});
  await page.waitForFunction((n) => window.siaga.incMarkers.size >= n, plans.plans.length);
  const bad = await page.evaluate((src) => {
    const re = new RegExp(src, "u");
    const out = [];
    for (const e of document.querySelectorAll(".leaflet-marker-pane *, .leaflet-marker-pane, .leaflet-overlay-pane *, [data-testid=legend] *")) {
      for (const pseudo of [null, "::before", "::after"]) {
        const s = pseudo ? getComputedStyle(e, pseudo).content : e.childElementCount ? "" : e.textContent;
        if (s && s !== "none" && s !== "normal" && re.test(s)) out.push(`${e.className} ${pseudo ?? ""} ${s}`);
      }
    }
    return out;
  }, GLYPH.source);
  assert.deepEqual(bad, [], "glyphs in markers or the legend");
  const exact = await page.evaluate(() => {
    const off = [];
    for (const [id, m] of window.siaga.incMarkers) {
      const inc = window.siaga.incidents.get(id), ll = m.getLatLng();
      if (ll.lat !== inc.lat || ll.lng !== inc.lon || !window.siaga.map.hasLayer(m)) off.push(id);
    }
    for (const [id, m] of window.siaga.markers) {
      const [lon, lat] = window.siaga.units.get(id).geometry.coordinates, ll = m.getLatLng();
      if (ll.lat !== lat || ll.lng !== lon) off.push(id);
    }
    const open = [...window.siaga.incidents.values()].filter((i) => i.status === "open").length;
    return { off, incidents: window.siaga.incMarkers.size, open };
  });
  assert.deepEqual(exact.off, []);
  assert.equal(exact.incidents, exact.open, "one layer per open incident");
  // the legend: 5 unit types with their shapes, every category with its symbol, the status colours
  assert.equal(await page.isVisible('[data-testid="legend"]'), true);
  const legend = await page.textContent('[data-testid="legend"]');
  for (const u of plans.unit_types) assert.ok(legend.includes(u.name), `legend names ${u.name}`);
  for (const p of plans.plans) assert.ok(legend.includes(p.label), `legend names ${p.label}`);
  assert.equal(await page.$$eval('[data-testid="legend"] [data-unit-type] svg', (s) => s.length), 5);
  assert.equal(await page.$$eval('[data-testid="legend"] [data-category] svg', (s) => s.length), plans.plans.length);
});

// ---- item 10 ----
test("two languages: EN switches in place, every name in English, the feed pill keeps its state; ?lang and the saved choice at load", async () => {
  assert.equal(await page.textContent("#lang"), "EN");
  await page.click("#lang");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.textContent("#lang"), "ID");
  assert.equal(await page.textContent("#feed"), "Live");
  const visible = await page.evaluate(() => {
    const parts = [document.body.innerText];
    for (const e of document.querySelectorAll("input, textarea")) parts.push(e.placeholder || "");
    for (const s of document.querySelectorAll("select")) parts.push(s.selectedOptions[0]?.textContent ?? "");
    return parts.join("\n");
  });
  const indonesian = [...plans.plans.map((p) => p.label).filter((l) => !plans.plans.some((q) => q.label_en === l)),
    ...plans.agencies.map((a) => a.name).filter((n) => !plans.agencies.some((b) => b.name_en === n)), ...plans.unit_types.map((u) => u.name).filter((n) => !plans.unit_types.some((v) => v.name_en === n))];
  for (const w of indonesian) assert.ok(!visible.includes(w), `"${w}" is shown in English: …${visible.slice(Math.max(0, visible.indexOf(w) - 200), visible.indexOf(w) + 50)}`);
  for (const p of plans.plans) assert.ok(visible.includes(p.label_en), `"${p.label_en}" shown`);
  assert.match(await page.textContent('[data-testid="incident-board"]'), /\d+ min\b/);
  await page.reload();
  await page.waitForSelector('#feed[data-state="live"]');
  assert.equal(await page.getAttribute("html", "lang"), "en", "the saved choice");
  await page.goto(server.url + "/?lang=id&token=" + token);
  await page.waitForSelector('#feed[data-state="live"]');
  assert.equal(await page.getAttribute("html", "lang"), "id");
  assert.equal(await page.textContent("#feed"), "Langsung");
});
