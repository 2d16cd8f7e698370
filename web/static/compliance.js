// The compliance page (planners, admins): per agency, how the SOP promise
// was kept over a month, as a table and a stacked bar chart drawn by hand
// in SVG; the CSV of the month is the SOP's monthly export.
import { api, signIn } from "./api.js";
import { language, setLanguage } from "./i18n.js";

const words = {
  id: {
    title: "Kepatuhan OPD (batas 3×24 jam)", toPlanner: "Perencana", month: "Bulan", csv: "Unduh CSV bulan ini",
    definition: "Diterima: kasus yang dipimpin OPD pada bulan itu. Tepat waktu: ditindaklanjuti paling lambat pada batas. Terlambat: ditindaklanjuti setelah batas. Lewat batas kini: terbuka, belum ditindaklanjuti, lewat batas. Total lewat batas: batas terlewati saat kasus terbuka dan belum ditindaklanjuti. p50/p90: persentil peringkat terdekat waktu terima→tindak lanjut dan terima→selesai.",
    agency: "OPD", received: "Diterima", within: "Tepat waktu", late: "Terlambat", overdueNow: "Lewat batas kini",
    overdueTotal: "Total lewat batas", waiting: "Belum (masih dalam batas)", ackP50: "Tindak lanjut p50", ackP90: "Tindak lanjut p90",
    doneP50: "Selesai p50", doneP90: "Selesai p90", total: "Jumlah", chart: "Kasus per OPD",
  },
  en: {
    title: "Agency compliance (3×24 h deadline)", toPlanner: "Planner", month: "Month", csv: "Download this month's CSV",
    definition: "Received: cases the agency leads, reported in the month. Within: acknowledged at the deadline at the latest. Late: acknowledged after it. Overdue now: open, unacknowledged, past the deadline. Overdue total: the deadline passed while the case was open and unacknowledged. p50/p90: nearest-rank percentiles of received→acknowledged and received→done.",
    agency: "Agency", received: "Received", within: "Within deadline", late: "Late", overdueNow: "Overdue now",
    overdueTotal: "Overdue total", waiting: "Not yet (within deadline)", ackP50: "Ack p50", ackP90: "Ack p90",
    doneP50: "Done p50", doneP90: "Done p90", total: "Total", chart: "Cases per agency",
  },
};
const w = (k) => words[language()]?.[k] ?? words.id[k] ?? k;
const $ = (s) => document.querySelector(s);
const SVG = "http://www.w3.org/2000/svg";
let report = null;

function labels() {
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = w(el.dataset.t);
  $("#lang").textContent = language() === "id" ? "EN" : "ID";
  $("#chart-title").textContent = w("chart");
}

function notice(text, level = "error") {
  $("#notice").hidden = false;
  $("#notice").dataset.level = level;
  $("#notice-text").textContent = text;
}

// duration writes seconds as hours with one decimal ("" when none).
function duration(s) {
  if (s === null || s === undefined) return "–";
  return s < 3600 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} ${language() === "id" ? "jam" : "h"}`;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function row(r, name) {
  const tr = document.createElement("tr");
  tr.dataset.agency = r.agency || "*";
  tr.append(cell(name), cell(r.received), cell(r.acknowledged_within_deadline), cell(r.acknowledged_late), cell(r.overdue_now),
    cell(r.overdue_total), cell(duration(r.ack_p50_s)), cell(duration(r.ack_p90_s)), cell(duration(r.done_p50_s)), cell(duration(r.done_p90_s)));
  return tr;
}

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// chart draws one stacked bar per agency: within, late, overdue now, and
// the rest (not yet acknowledged, still within the deadline).
function chart(rows) {
  const svg = $("#chart");
  const title = $("#chart-title");
  svg.replaceChildren(title);
  const width = svg.clientWidth || 900, height = 340, left = 36, bottom = 90, top = 10;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const maxN = Math.max(1, ...rows.map((r) => r.received));
  const step = (width - left) / Math.max(rows.length, 1);
  const barW = Math.max(6, step * 0.6);
  const y = (n) => top + (height - top - bottom) * (1 - n / maxN);
  for (const t of [0, maxN]) {
    svg.append(el("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end" }, String(t)));
    svg.append(el("line", { x1: left, x2: width, y1: y(t), y2: y(t), stroke: "#ccd" }));
  }
  rows.forEach((r, i) => {
    const x = left + i * step + (step - barW) / 2;
    const g = el("g", { "data-agency": r.agency });
    let base = 0;
    const waiting = r.received - r.acknowledged_within_deadline - r.acknowledged_late - r.overdue_now;
    for (const [cls, n] of [["within", r.acknowledged_within_deadline], ["late", r.acknowledged_late], ["overdue", r.overdue_now], ["waiting", Math.max(0, waiting)]]) {
      if (n <= 0) continue;
      const rect = el("rect", { class: cls, x, width: barW, y: y(base + n), height: y(base) - y(base + n) });
      rect.append(el("title", {}, `${r.agency}: ${w(cls === "overdue" ? "overdueNow" : cls)} ${n}`));
      g.append(rect);
      base += n;
    }
    g.append(el("text", { x: x + barW / 2, y: height - bottom + 12, transform: `rotate(45 ${x + barW / 2} ${height - bottom + 12})` }, r.agency));
    svg.append(g);
  });
}

function render() {
  if (!report) return;
  $("#rows").replaceChildren(...report.agencies.map((r) => row(r, r.name)));
  $("#total").replaceChildren(row(report.total, w("total")));
  chart(report.agencies);
}

function monthWindow() {
  const [y, m] = $("#month").value.split("-").map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  return { from: `${$("#month").value}-01`, to: `${next}-01` };
}

async function load() {
  const { from, to } = monthWindow();
  const q = `from=${from}&to=${to}`;
  $("#csv").href = `/api/agencies/compliance?${q}&format=csv`;
  try {
    report = await api("GET", `/api/agencies/compliance?${q}`);
    render();
  } catch (e) {
    if (e.status === 401) return signIn();
    notice(e.message);
  }
}

function start() {
  const now = new Date(Date.now() + 7 * 3600e3); // the month in WIB
  $("#month").value = now.toISOString().slice(0, 7);
  labels();
  $("#lang").addEventListener("click", () => { setLanguage(language() === "id" ? "en" : "id"); labels(); render(); });
  $("#notice-close").addEventListener("click", () => { $("#notice").hidden = true; });
  $("#month").addEventListener("change", load);
  load();
}

start();
