// The planners' page at 1600×1000 (issue 26, item 8): the side panel is one
// column scrolling as a whole, with no scroll area inside it; scrolled to
// the table, all 6 kecamatan rows are in view; downloads and import below.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { build, startServer, launch, token } from "./server.mjs";

let server, browser, page;
const errors = [];

before(async () => {
  server = await startServer(build("siaga112"));
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/planner.html?token=" + token);
  await page.waitForSelector('[data-testid="kecamatan-table"] tbody tr');
  await page.waitForTimeout(500);
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "the page threw");
});

test("one column scrolling as a whole; the table's 6 rows in view; downloads and import below", async () => {
  const r = await page.evaluate(() => {
    const aside = document.querySelector("aside");
    const scrolls = (e) => /(auto|scroll)/.test(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight + 1;
    const inner = [...aside.querySelectorAll("*")].filter(scrolls).map((e) => `${e.tagName}#${e.id}.${e.className} ${e.clientHeight}/${e.scrollHeight}`);
    const pageScrolls = document.scrollingElement.scrollHeight > innerHeight + 1;
    return { inner, asideScrolls: scrolls(aside), asideHeight: aside.clientHeight, pageScrolls };
  });
  assert.deepEqual(r.inner, [], "a scroll area inside the panel");
  assert.ok(r.pageScrolls || r.asideHeight >= 600, `the panel is ${r.asideHeight} px high`);
  await page.$eval('[data-testid="kecamatan-table"]', (t) => t.scrollIntoView({ block: "start" }));
  const rows = await page.$$eval('[data-testid="kecamatan-table"] tbody tr', (trs) => trs.map((tr) => {
    const b = tr.getBoundingClientRect(), a = document.querySelector("aside").getBoundingClientRect();
    return { name: tr.cells[0].textContent, inView: b.top >= Math.max(0, a.top) && b.bottom <= Math.min(innerHeight, a.bottom) };
  }));
  assert.equal(rows.length, 6);
  assert.ok(rows.every((x) => x.inView && x.name && !/\d/.test(x.name)), JSON.stringify(rows));
  const order = await page.evaluate(() => {
    const y = (s) => document.querySelector(s).getBoundingClientRect().top;
    return { table: y('[data-testid="kecamatan-table"]'), downloads: y("#downloads"), imp: y("#history-file") };
  });
  assert.ok(order.downloads > order.table && order.imp > order.downloads, JSON.stringify(order));
});
