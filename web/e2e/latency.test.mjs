// Telemetry-to-screen latency with 2,000 units at 1 Hz: fix time (the
// simulator stamps each fix as it publishes) to the DOM update of the unit's
// row. Reported, not asserted: speed is measured, never asserted in tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { build, startServer, launch, token } from "./server.mjs";

const run = promisify(execFile);

test("telemetry to screen with 2,000 units at 1 Hz", async (t) => {
  const server = await startServer(build("siaga112"));
  const sim = build("fleetsim");
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await page.goto(server.url + "/?token=" + token);
    await page.waitForSelector('#feed[data-state="live"]');
    const seconds = Number(process.env.LATENCY_SECONDS || 15);
    const { stdout } = await run(sim, ["--api", server.url, "--token", token, "--username", "admin", "--password", token,
      "--broker", `tcp://127.0.0.1:${server.mqttPort}`,
      "--units", "2000", "--rate", "2000", "--duration", `${seconds}s`]);
    const r = await page.evaluate(() => {
      const lags = window.siaga.lagSamples();
      const s = [...lags].sort((a, b) => a - b);
      const q = (f) => s[Math.min(s.length - 1, Math.floor(f * s.length))];
      return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1], rows: document.querySelectorAll("#unit-rows tr").length };
    });
    const line = `telemetry→screen over ${r.n} updates of ${r.rows} units: p50 ${r.p50} ms, p95 ${r.p95} ms, max ${r.max} ms (${stdout.trim()})`;
    t.diagnostic(line);
    console.log(line);
    assert.equal(r.rows, 2000, "every unit has its row");
    assert.ok(r.n > 1000, "the page measured the updates");
  } finally {
    await browser.close();
    server.stop();
  }
});
