// The agency's page: an agency user signs in and sees only its own cases,
// ordered by time left with the clock ticking, callers' numbers masked; it
// acknowledges, notes progress (markup stays text) and marks its part done.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { build, startServer, launch, token } from "./server.mjs";

let server, browser, page;
const errors = [];
const violations = [];
const ids = {};

async function post(path, body) {
  const r = await fetch(server.url + path, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

before(async () => {
  server = await startServer(build("siaga112"), ["--agency-deadline", "2h"]);
  await post("/api/users", { name: "dinkes1", role: "agency", agency: "dinkes", password: "sehat-selalu-2026" });
  ids.first = (await post("/api/incidents", { category: "medical", lat: -6.12, lon: 106.15, caller: "081234567890", description: "sesak napas" })).id;
  ids.fire = (await post("/api/incidents", { category: "fire", lat: -6.12, lon: 106.15, caller: "081200001111", description: "kebakaran" })).id;
  await new Promise((r) => setTimeout(r, 1100));
  ids.second = (await post("/api/incidents", { category: "ambulance", lat: -6.12, lon: 106.15, caller: "081255556666", description: "antar pasien" })).id;
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1300, height: 800 } });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (/Content[ -]Security[ -]Policy/i.test(m.text())) violations.push(m.text()); });
  await page.goto(server.url + "/agency.html");
  await page.fill("form.signin input[name=name]", "dinkes1");
  await page.fill("form.signin input[name=password]", "sehat-selalu-2026");
  await page.click("form.signin button[type=submit]");
  await page.waitForSelector("#queue-rows tr");
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "the page threw");
  assert.deepEqual(violations, [], "CSP violations");
});

test("only the agency's cases, ordered by time left, numbers masked, the clock ticking", async () => {
  const rows = await page.$$eval("#queue-rows tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.equal(rows.length, 2, JSON.stringify(rows));
  assert.deepEqual(rows.map((r) => r[1]), [ids.first, ids.second]);
  assert.equal(rows[0][4], "********7890");
  assert.equal(rows[1][4], "********6666");
  assert.equal(await page.textContent("#agency-code"), "Dinas Kesehatan", "the agency by name (issue 26 item 9)");
  assert.match(rows[0][0], /^1 j 5\d m \d\d d$/, "the clock of a 2 h deadline");
  const before = await page.textContent(`tr[data-incident-id="${ids.first}"] .clock`);
  await page.waitForFunction((b) => document.querySelector("#queue-rows tr .clock").textContent !== b, before);
  assert.equal(await page.$(`tr[data-incident-id="${ids.fire}"]`), null, "another agency's case");
});

test("acknowledge, a note with markup stays text, mark done", async () => {
  await page.click(`tr[data-incident-id="${ids.first}"]`);
  await page.waitForSelector("#detail:not([hidden])");
  assert.equal(await page.textContent("#d-desc"), "sesak napas");
  await page.click("#ack");
  await page.waitForSelector(`tr[data-incident-id="${ids.first}"][data-clock="acked"]`);
  // Acknowledged cases go after the ones still on the clock.
  const order = await page.$$eval("#queue-rows tr", (trs) => trs.map((tr) => tr.dataset.incidentId));
  assert.deepEqual(order, [ids.second, ids.first]);
  const hostile = `<img src=x onerror="window.__pwned=1"> tim menuju lokasi`;
  await page.fill("#note", hostile);
  await page.click("#note-form button");
  await page.waitForFunction(() => document.querySelectorAll("#notes li").length === 1);
  assert.match(await page.textContent("#notes li"), /dinkes1: <img src=x onerror="window.__pwned=1"> tim menuju lokasi/);
  assert.equal(await page.$("#notes img"), null);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await page.fill("#outcome", "pasien dirujuk");
  await page.click("#done-form button");
  await page.waitForFunction((id) => /selesai/.test(document.querySelector(`tr[data-incident-id="${id}"] td:last-child`).textContent), ids.first);
});

test("the English switch", async () => {
  await page.click("#lang");
  assert.equal(await page.textContent("h2[data-t=queue]"), "Cases to act on");
  assert.match(await page.textContent(`tr[data-incident-id="${ids.second}"] .clock`), /^1 h 5\d m \d\d s$/);
  await page.click("#lang");
  assert.equal(await page.textContent("h2[data-t=queue]"), "Kasus untuk ditindaklanjuti");
});

test("the dispatcher's map sends an agency user to its page", async () => {
  await page.goto(server.url + "/");
  await page.waitForURL(/\/agency\.html$/);
  await page.waitForSelector("#queue-rows tr");
});
