// ETA accuracy on the planner's page: per unit type and ETA model, how far
// the ETAs given at dispatch were from the trips the units made, over the
// planner's dates. Every value goes in as text.
import { api } from "./api.js";
import { language } from "./i18n.js";

const words = {
  id: { title: "Akurasi ETA", type: "Jenis unit", model: "Model ETA", count: "Perjalanan", withoutFix: "Tanpa fix",
    median: "Median galat", p90: "p90 galat", absMedian: "Median |galat|", none: "Belum ada penugasan dengan ETA pada rentang ini.",
    summary: (b) => `${b.assignments} penugasan, ${b.count} dengan posisi tiba (≤ ${b.arrival_radius_m} m), ${b.without_fix} tanpa fix. Galat = aktual − ETA (positif: lebih lambat dari perkiraan).` },
  en: { title: "ETA accuracy", type: "Unit type", model: "ETA model", count: "Trips", withoutFix: "No fix",
    median: "Median error", p90: "p90 error", absMedian: "Median |error|", none: "No assignment with an ETA in this range yet.",
    summary: (b) => `${b.assignments} assignments, ${b.count} with an arrival fix (≤ ${b.arrival_radius_m} m), ${b.without_fix} without one. Error = actual − ETA (positive: slower than estimated).` },
};
const w = (k) => words[language()]?.[k] ?? words.id[k];
const $ = (s) => document.querySelector(s);

const secs = (v) => (v == null ? "—" : `${v > 0 ? "+" : ""}${Math.round(v)} s`);
const pct = (v) => (v == null ? "" : ` (${v > 0 ? "+" : ""}${v.toFixed(1)}%)`);

function cell(tag, text) {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
}

function render(b) {
  $("#eta-title").textContent = w("title");
  const head = document.createElement("tr");
  for (const k of ["type", "model", "count", "withoutFix", "median", "p90", "absMedian"]) head.append(cell("th", w(k)));
  $("#eta-table thead").replaceChildren(head);
  $("#eta-table tbody").replaceChildren(...b.groups.map((g) => {
    const tr = document.createElement("tr");
    tr.dataset.type = g.type;
    tr.dataset.model = g.eta_model;
    for (const v of [g.type, g.eta_model, String(g.count), String(g.without_fix),
      secs(g.error_p50_s) + pct(g.error_p50_pct), secs(g.error_p90_s) + pct(g.error_p90_pct),
      (g.abs_error_p50_s == null ? "—" : `${Math.round(g.abs_error_p50_s)} s`) + (g.abs_error_p50_pct == null ? "" : ` (${g.abs_error_p50_pct.toFixed(1)}%)`)]) {
      tr.append(cell("td", v));
    }
    return tr;
  }));
  $("#eta-summary").textContent = b.groups.length ? w("summary")(b) : w("none");
}

async function load() {
  const q = new URLSearchParams();
  const from = $("#from")?.value, to = $("#to")?.value;
  if (from) q.set("from", from);
  if (to) q.set("to", to);
  try {
    render(await api("GET", `/api/analytics/eta-accuracy?${q}`));
  } catch (e) {
    $("#eta-title").textContent = w("title");
    $("#eta-table tbody").replaceChildren();
    $("#eta-summary").textContent = e.message;
  }
}

for (const id of ["#from", "#to"]) $(id)?.addEventListener("change", load);
$("#lang")?.addEventListener("click", () => setTimeout(load, 0));
window.siagaETAAccuracy = { load };
load();
