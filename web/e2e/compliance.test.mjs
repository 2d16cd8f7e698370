// The compliance page (planners and admins): the table and the bar chart
// per agency for a month, the month's CSV; and the call statistics on the
// planner's page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { build, startServer, launch, token, get } from "./server.mjs";

let server, browser, page;
const errors = [];
const violations = [];

async function post(path, body) {
  const r = await fetch(server.url + path, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

before(async () => {
  server = await startServer(build("siaga112"));
  // dinkes: 2 received, 1 acknowledged at once; damkar: 1 received, open.
  const a = await post("/api/incidents", { category: "medical", lat: -6.12, lon: 106.15, caller: "081234567890", description: "a" });
  await post("/api/incidents", { category: "medical", lat: -6.12, lon: 106.15, caller: "081234567891", description: "b" });
  await post("/api/incidents", { category: "fire", lat: -6.12, lon: 106.15, caller: "081234567892", description: "c" });
  await post(`/api/incidents/${a.id}/ack`);
  for (const outcome of ["ghost", "prank", "ghost", "information"]) await post("/api/calls", { number: "089911112222", outcome });
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1300, height: 850 } });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (/Content[ -]Security[ -]Policy/i.test(m.text())) violations.push(m.text()); });
  await page.goto(server.url + "/compliance.html?token=" + token);
  await page.waitForSelector('#rows tr[data-agency="dinkes"]');
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "the page threw");
  assert.deepEqual(violations, [], "CSP violations");
});

const cells = (agency) => page.$$eval(`tr[data-agency="${agency}"] td`, (tds) => tds.map((td) => td.textContent));

test("the table of the month per agency, and the total", async () => {
  assert.equal(await page.$$eval("#rows tr", (trs) => trs.length), 14);
  const dinkes = await cells("dinkes");
  assert.deepEqual(dinkes.slice(0, 6), ["Dinas Kesehatan", "2", "1", "0", "0", "0"]);
  assert.match(dinkes[6], /^\d+ min$/, "ack p50 in minutes");
  assert.deepEqual((await cells("damkar")).slice(1, 6), ["1", "0", "0", "0", "0"]);
  assert.deepEqual((await cells("*")).slice(0, 3), ["Jumlah", "3", "1"]);
});

test("a bar per agency, stacked by outcome", async () => {
  assert.equal(await page.$$eval("#chart g[data-agency]", (gs) => gs.length), 14);
  assert.equal(await page.$$eval('#chart g[data-agency="dinkes"] rect.within', (r) => r.length), 1);
  assert.equal(await page.$$eval('#chart g[data-agency="dinkes"] rect.waiting', (r) => r.length), 1);
  assert.equal(await page.$$eval('#chart g[data-agency="bpbd"] rect', (r) => r.length), 0);
  const h = await page.$$eval('#chart g[data-agency="dinkes"] rect', (rs) => rs.map((r) => Number(r.getAttribute("height"))));
  const d = await page.$$eval('#chart g[data-agency="damkar"] rect', (rs) => rs.map((r) => Number(r.getAttribute("height"))));
  assert.ok(Math.abs(h[0] + h[1] - 2 * d[0]) < 0.01, `dinkes' bar twice damkar's: ${h} ${d}`);
});

test("the month's CSV for the SOP", async () => {
  const href = await page.getAttribute("#csv", "href");
  assert.match(href, /format=csv&?/);
  assert.match(href, /from=\d{4}-\d\d-01&to=\d{4}-\d\d-01/);
  const r = await get(server.url + href);
  assert.match(r.headers.get("content-disposition"), /kepatuhan-opd-\d{8}-\d{8}\.csv/);
  const csv = await r.text();
  assert.match(csv, /^agency,name,received,acknowledged_within_deadline/);
  assert.match(csv, /\ndinkes,Dinas Kesehatan,2,1,0,0,0,1,0,/);
});

test("the English switch", async () => {
  await page.click("#lang");
  assert.equal(await page.textContent("th[data-t=within]"), "Within deadline");
  assert.equal((await cells("*"))[0], "Total");
  await page.click("#lang");
});

test("call statistics on the planner's page", async () => {
  await page.goto(server.url + "/planner.html");
  await page.waitForSelector('#cs-outcomes li[data-outcome="ghost"]');
  assert.match(await page.textContent('#cs-outcomes li[data-outcome="ghost"]'), /: 2 \(/);
  // 3 emergency calls logged by the intake, 4 by hand.
  assert.match(await page.textContent("#cs-summary"), /^7 panggilan · 4 nomor · 1 nomor berulang/);
  assert.match(await page.textContent("#cs-repeat li"), /089911112222: 4 \(iseng\/kosong 3\)/);
  assert.equal(await page.$$eval("#cs-week td[data-n]", (tds) => tds.reduce((n, td) => n + Number(td.dataset.n), 0)), 7);
});
