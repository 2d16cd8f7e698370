// Issue 22, finding 24, as a centre meets it: with --live-clients 2 held by
// two WebSocket clients that stopped reading (raw sockets, paused after the
// upgrade), their slots are free within 8 s, a dispatcher's new tab in
// Chromium gets the live feed, and stays on it while idle (the browser
// answers the server's pings).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import { build, startServer, launch, token, get } from "./server.mjs";

let server, browser;
const stalled = [];

before(async () => {
  server = await startServer(build("siaga112"), ["--live-clients", "2"]);
  browser = await launch();
});

after(async () => {
  for (const s of stalled) s.destroy();
  await browser?.close();
  server?.stop();
});

// stalledClient upgrades /api/live, then never reads again.
function stalledClient(port) {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => {
      s.write(`GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
        `Authorization: Bearer ${token}\r\n\r\n`);
    });
    s.once("data", (d) => {
      const status = String(d).split("\r\n")[0];
      if (!status.includes(" 101 ")) return reject(new Error(`upgrade: ${status}`));
      s.pause();
      resolve(s);
    });
    s.on("error", () => {});
  });
}

async function metric(name) {
  const text = await (await get(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  return Number(line?.split(" ")[1]);
}

test("two stalled clients free their slots within 8 s; a new tab gets the feed and stays on it while idle", async () => {
  const port = Number(new URL(server.url).port);
  stalled.push(await stalledClient(port), await stalledClient(port));
  const t0 = Date.now();
  const full = await get(`${server.url}/api/live`);
  assert.equal(full.status, 503, "the cap is reached");
  while ((await metric("siaga112_live_dropped_total")) < 2) {
    assert.ok(Date.now() - t0 < 8000, "the stalled clients still hold their slots after 8 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  const freed = Date.now() - t0;
  const page = await browser.newPage();
  await page.goto(server.url + "/?token=" + token);
  await page.waitForSelector('#feed[data-state="live"]', { timeout: 5000 });
  console.log(`slots freed ${freed} ms after two clients stalled; a new tab was live ${Date.now() - t0 - freed} ms later`);
  await page.waitForTimeout(10000); // idle: nothing moves
  assert.equal(await page.getAttribute("#feed", "data-state"), "live");
  assert.equal(await metric("siaga112_live_dropped_total"), 2, "the idle browser was dropped");
  await page.close();
});
