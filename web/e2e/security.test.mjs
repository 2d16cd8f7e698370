// Hostile strings from the server stay text in the page, and the page
// works under its Content-Security-Policy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { build, startServer, launch, put, mosquittoPub, location, token, get } from "./server.mjs";

let server, browser, page;
const errors = [];
const violations = [];
const hostile = `<img src=x onerror="window.__pwned=1">`;

before(async () => {
  server = await startServer(build("siaga112"));
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (/Content[ -]Security[ -]Policy/i.test(m.text())) violations.push(m.text()); });
  await page.goto(server.url + "/?token=" + token);
  await page.waitForSelector('#feed[data-state="live"]');
  await page.evaluate(() => document.addEventListener("securitypolicyviolation", (e) => {
    (window.__csp ||= []).push(`${e.violatedDirective} ${e.blockedURI}`);
  }));
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "the page threw");
});

test("every answer carries the security headers", async () => {
  for (const path of ["/", "/app.js", "/api/units"]) {
    const r = await get(server.url + path);
    const csp = r.headers.get("content-security-policy") || "";
    assert.match(csp, /script-src 'self'(;|$)/, `${path}: ${csp}`);
    assert.match(csp, /style-src 'self'(;|$)/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /img-src [^;]*http:\/\/127\.0\.0\.1:\d+/, `${path}: tiles allowed: ${csp}`);
    assert.equal(r.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(r.headers.get("referrer-policy"), "no-referrer", path);
  }
  assert.equal((await get(server.url + "/vendor/")).status, 404, "no directory listing");
});

test("a hostile callsign and description render as text", async () => {
  await put(`${server.url}/api/units/AMB-X1`, { type: "ambulance", agency: "dinkes", callsign: hostile });
  mosquittoPub(server.mqttPort, "owntracks/dinkes/AMB-X1", location(-6.1115, 106.1790));
  await page.waitForFunction(() => window.siaga.markers.has("AMB-X1"));
  const post = (path, body) => fetch(server.url + path, {
    method: "POST", headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  }).then(async (r) => { assert.ok(r.ok, `${path}: ${r.status}`); return r.json(); });
  const created = await post("/api/incidents", { category: "medical", lat: -6.110699, lon: 106.177791, caller: "081234567890", description: hostile });
  const id = created.incident?.id ?? created.id;
  await post(`/api/incidents/${id}/dispatch`, { unit_ids: ["AMB-X1"] });

  // The ETA label on the line, the unit's and the incident's tooltips.
  await page.waitForSelector(".eta-label");
  assert.ok((await page.textContent(".eta-label")).includes(hostile), "the ETA label shows the callsign as text");
  await page.evaluate((id) => { window.siaga.markers.get("AMB-X1").openTooltip(); window.siaga.incMarkers.get(id).openTooltip(); }, id);
  // The board and the incident's detail.
  await page.click('nav button[data-tab="units"]');
  await page.waitForSelector('#unit-rows tr[data-unit-id="AMB-X1"]');
  assert.equal(await page.textContent('#unit-rows tr[data-unit-id="AMB-X1"] .callsign'), hostile);
  await page.click('nav button[data-tab="incidents"]');
  await page.click(`#incident-rows tr[data-incident-id="${id}"]`);
  await page.waitForFunction((h) => document.querySelector("#detail")?.textContent.includes(h), hostile);

  const tooltips = await page.$$eval(".leaflet-tooltip", (ts) => ts.map((t) => t.textContent));
  assert.ok(tooltips.some((t) => t.includes(hostile)), `a tooltip shows the callsign as text: ${tooltips}`);
  assert.equal(await page.$$eval("img[src='x']", (is) => is.length), 0, "markup from the server became an element");
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "script from the server ran");
});

test("the page works under its policy: nothing was blocked", async () => {
  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => window.__csp || []), [], "CSP violations");
  assert.deepEqual(violations, [], "CSP messages in the console");
});
