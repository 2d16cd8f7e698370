// The agency page in words (issue 26, item 9): category labels and agency
// names, never codes; the lead agency's SOP clock keeps running when
// another agency's unit is sent, and stops when its own is.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { build, startServer, launch, put, mosquittoPub, location, token } from "./server.mjs";

let server, browser, page, plans;
const errors = [];

async function call(method, path, body) {
  const r = await fetch(server.url + path, { method, headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: body && JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

before(async () => {
  server = await startServer(build("siaga112"));
  plans = await call("GET", "/api/plans");
  await call("POST", "/api/users", { name: "damkar1", role: "agency", agency: "damkar", password: "padamkan-api-2026" });
  for (const [id, type, agency] of [["AMB-A1", "ambulance", "dinkes"], ["FT-A1", "fire_truck", "damkar"]]) {
    await put(`${server.url}/api/units/${id}`, { type, agency });
    mosquittoPub(server.mqttPort, `owntracks/${agency}/${id}`, location(-6.1107, 106.1790));
  }
  await new Promise((r) => setTimeout(r, 500));
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1300, height: 800 } });
  page.on("pageerror", (e) => errors.push(e.message));
});

after(async () => {
  await browser?.close();
  server?.stop();
  assert.deepEqual(errors, [], "the page threw");
});

test("the queue in words, and another agency's unit leaves the lead's SOP clock running", async () => {
  const fire = await call("POST", "/api/incidents", { category: "fire", lat: -6.1107, lon: 106.1778, caller: "081234560000" });
  const traffic = await call("POST", "/api/incidents", { category: "fire", lat: -6.1107, lon: 106.1778, caller: "081234560001" });
  await call("POST", `/api/incidents/${fire.id}/dispatch`, { unit_ids: ["AMB-A1"] }); // dinkes's ambulance
  await page.goto(server.url + "/agency.html");
  await page.fill('[data-testid="login-form"] input[type=text]', "damkar1");
  await page.fill('[data-testid="login-form"] input[type=password]', "padamkan-api-2026");
  await page.press('[data-testid="login-form"] input[type=password]', "Enter");
  await page.waitForSelector('[data-testid="agency-queue"] tbody tr');
  const cells = await page.$$eval('[data-testid="agency-queue"] td', (tds) => tds.map((t) => t.textContent.trim()));
  const codes = [...plans.plans.map((p) => p.category), ...plans.agencies.map((a) => a.code)];
  for (const c of cells) assert.ok(!codes.includes(c) && !/\b(traffic_accident|fallen_tree|animal_hazard)\b/.test(c), `a code in the queue: ${c}`);
  assert.ok(cells.includes(plans.plans.find((p) => p.category === "fire").label), `the category label: ${cells}`);
  const damkar = plans.agencies.find((a) => a.code === "damkar");
  assert.ok((await page.textContent("header h1")).includes(damkar.name), "the header names the agency");
  const row = (id) => `[data-testid="agency-queue"] tr[data-incident-id="${id}"]`;
  assert.notEqual(await page.getAttribute(row(fire.id), "data-clock"), "acked", "a dinkes ambulance does not stop damkar's clock");
  await call("POST", `/api/incidents/${fire.id}/dispatch`, { unit_ids: ["FT-A1"] }); // damkar's own truck
  await page.waitForSelector(`${row(fire.id)}[data-clock="acked"]`, { timeout: 5000 });
  assert.notEqual(await page.getAttribute(row(traffic.id), "data-clock"), "acked");
  await page.click("#lang");
  await page.waitForFunction((n) => document.querySelector("header h1").textContent.includes(n), damkar.name_en);
  const en = await page.$$eval('[data-testid="agency-queue"] td', (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(en.includes("Fire"), `in English: ${en}`);
});
