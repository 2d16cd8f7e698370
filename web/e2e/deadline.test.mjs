// With a short --agency-deadline, the dispatcher's map and the agency's page
// both show the warning and then the overdue as they happen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { build, startServer, launch, token } from "./server.mjs";

let server, browser;
const errors = [];

async function post(path, body) {
  const r = await fetch(server.url + path, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

before(async () => {
  server = await startServer(build("siaga112"), ["--agency-deadline", "6s"]);
  await post("/api/users", { name: "bpbd1", role: "agency", agency: "bpbd", password: "siaga-bencana-2026" });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "a page threw");
});

test("warning then overdue on the dispatcher's map and the agency's page", async () => {
  const map = await browser.newPage({ viewport: { width: 1300, height: 800 } });
  map.on("pageerror", (e) => errors.push(e.message));
  await map.goto(server.url + "/?token=" + token);
  await map.waitForSelector('#feed[data-state="live"]');

  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const agency = await ctx.newPage();
  agency.on("pageerror", (e) => errors.push(e.message));
  await agency.goto(server.url + "/agency.html");
  await agency.fill("form.signin input[name=name]", "bpbd1");
  await agency.fill("form.signin input[name=password]", "siaga-bencana-2026");
  await agency.click("form.signin button[type=submit]");
  await agency.waitForSelector('#feed[data-state="live"]');

  const inc = await post("/api/incidents", { category: "fallen_tree", lat: -6.12, lon: 106.15, caller: "081234567890", description: "pohon tumbang" });
  await agency.waitForSelector(`tr[data-incident-id="${inc.id}"]`);
  await map.waitForFunction((id) => /Peringatan batas SOP/.test(document.querySelector("#notice-text").textContent) &&
    document.querySelector("#notice-text").textContent.includes(id), inc.id, { timeout: 10000 });
  await agency.waitForFunction(() => /Peringatan batas SOP/.test(document.querySelector("#notice-text").textContent), null, { timeout: 10000 });
  await map.waitForFunction((id) => /Lewat batas SOP/.test(document.querySelector("#notice-text").textContent) &&
    document.querySelector("#notice-text").textContent.includes(id), inc.id, { timeout: 10000 });
  await agency.waitForFunction(() => /Lewat batas SOP/.test(document.querySelector("#notice-text").textContent), null, { timeout: 10000 });
  await agency.waitForSelector(`tr[data-incident-id="${inc.id}"][data-clock="overdue"]`);
  assert.match(await agency.textContent(`tr[data-incident-id="${inc.id}"] .clock`), /^LEWAT BATAS 0 j 00 m \d\d d$/);
});
