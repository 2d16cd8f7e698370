// Test helpers: build and run the real server (and the simulator), find free
// ports, drive Debian's Chromium with playwright-core.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

// The admin token every test server starts with.
export const token = "e2e-admin-token-0123456789";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = mkdtempSync(join(tmpdir(), "siaga112-e2e-"));

export function build(cmd) {
  const out = join(bin, cmd);
  execFileSync("go", ["build", "-o", out, `./cmd/${cmd}`], { cwd: root, stdio: "inherit" });
  return out;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

// startServer runs siaga112 on free ports; tiles point at a closed local
// port, so the page never reaches out and shows its fallback outlines
// (tiles: false gives no --tiles, a string that template).
export async function startServer(server, extra = [], { tiles = true } = {}) {
  const http = await freePort();
  const mqtt = await freePort();
  if (tiles === true) tiles = `http://127.0.0.1:${await freePort()}/{z}/{x}/{y}.png`;
  const proc = spawn(server, ["--http", `127.0.0.1:${http}`, "--mqtt-listen", `127.0.0.1:${mqtt}`,
    ...(tiles ? ["--tiles", tiles] : []), ...extra],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SIAGA112_ADMIN_TOKEN: token } });
  let log = "";
  proc.stderr.on("data", (d) => { log += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready:\n${log}`)), 20000);
    proc.stdout.on("data", (d) => {
      if (String(d).includes("siaga112 is running")) { clearTimeout(timer); resolve(); }
    });
    proc.on("exit", (code) => reject(new Error(`server exited ${code}:\n${log}`)));
  });
  return { url: `http://127.0.0.1:${http}`, mqttPort: mqtt, proc, log: () => log, stop: () => proc.kill("SIGTERM") };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

export async function put(url, body) {
  const r = await fetch(url, { method: "PUT", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`PUT ${url}: ${r.status} ${await r.text()}`);
  return r.json();
}

// mosquittoPub publishes as the gateway user (admin, the admin token).
export function mosquittoPub(port, topic, payload) {
  execFileSync("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-u", "admin", "-P", token, "-q", "1", "-t", topic, "-m", payload]);
}

// get fetches an API path with the admin's bearer token.
export function get(url) {
  return fetch(url, { headers: { Authorization: `Bearer ${token}` } });
}

export function location(lat, lon, tst = Date.now() / 1000) {
  return JSON.stringify({ _type: "location", lat, lon, tst: Math.round(tst * 1000) / 1000, vel: 30, cog: 90, acc: 5, batt: 80 });
}
