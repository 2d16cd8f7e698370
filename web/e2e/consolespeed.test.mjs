// The console's speed with 2,000 units at 1 Hz (issue 26, Speed): the
// alert delay (an incident POSTed through the API → its alert on the page)
// and fix → DOM (the simulator's fix time → the unit's row). Printed, never
// asserted: speed is measured, not asserted, in tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { build, startServer, launch, token } from "./server.mjs";

const run = promisify(execFile);
const q = (s, f) => s[Math.min(s.length - 1, Math.floor(f * s.length))];

test("alert delay and fix → DOM with 2,000 units at 1 Hz", async (t) => {
  const server = await startServer(build("siaga112"), [], { tiles: false });
  const sim = build("fleetsim");
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url + "/?token=" + token);
    await page.waitForSelector('#feed[data-state="live"]');
    const seconds = Number(process.env.LATENCY_SECONDS || 20);
    const fleet = run(sim, ["--api", server.url, "--token", token, "--username", "admin", "--password", token,
      "--broker", `tcp://127.0.0.1:${server.mqttPort}`, "--units", "2000", "--rate", "2000", "--duration", `${seconds}s`]);
    await page.waitForFunction(() => window.siaga.units.size >= 2000, null, { timeout: 30000 });
    await new Promise((r) => setTimeout(r, 2000));
    const sent = new Map();
    for (let i = 0; i < 12; i++) {
      const at = Date.now();
      const r = await fetch(server.url + "/api/incidents", {
        method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ category: "medical", lat: -6.115 + i * 0.001, lon: 106.16, caller: `08123400${String(i).padStart(4, "0")}` }),
      });
      assert.equal(r.status, 201);
      sent.set((await r.json()).id, at);
      await new Promise((res) => setTimeout(res, 1000));
    }
    await page.waitForFunction((n) => window.siaga.alertTimes.length >= n, sent.size, { timeout: 10000 });
    const { stdout } = await fleet;
    const r = await page.evaluate(() => ({ alerts: window.siaga.alertTimes, lags: window.siaga.lagSamples() }));
    const delays = r.alerts.filter(([id]) => sent.has(id)).map(([id, at]) => at - sent.get(id)).sort((a, b) => a - b);
    const lags = r.lags.sort((a, b) => a - b);
    const line = `2,000 units at 1 Hz: alert delay over ${delays.length} incidents p50 ${q(delays, 0.5)} ms, p95 ${q(delays, 0.95)} ms, max ${delays.at(-1)} ms; ` +
      `fix → DOM over ${lags.length} updates p50 ${q(lags, 0.5)} ms, p95 ${q(lags, 0.95)} ms (${stdout.trim()})`;
    t.diagnostic(line);
    console.log(line);
    assert.equal(delays.length, sent.size, "every incident alerted");
  } finally {
    await browser.close();
    server.stop();
  }
});
