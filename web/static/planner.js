// The planners' page: response-time heatmaps by H3 cell and by kelurahan,
// live coverage, a per-kecamatan table, downloads and the history import.
import { api, signIn, csrf, asText } from "./api.js";
import { language, setLanguage, applyLabels } from "./i18n.js";
import { addBaseMap } from "./basemap.js";
import { meta, loadMeta, categoryLabel, unitTypeName } from "./meta.js";

const words = {
  id: { planner: "Perencana", toMap: "Peta dispatcher", toCompliance: "Kepatuhan OPD", from: "Dari", to: "Sampai", category: "Kategori", all: "Semua",
    segment: "Segmen", segResponse: "Waktu respons (tiba − diterima)", segCall: "Proses panggilan (dikirim − diterima)",
    segTravel: "Perjalanan (tiba − dikirim)", layer: "Lapisan", layerH3: "Heksagon H3 (p90)", layerKel: "Kelurahan (p90)",
    layerCoverage: "Jangkauan saat ini (ETA)", res: "Resolusi H3", unitType: "Jenis unit", byKecamatan: "Per kecamatan",
    kecamatan: "Kecamatan", count: "Jumlah", downloads: "Unduh (CSV)", import: "Impor riwayat (CSV)",
    imported: "diimpor", unchanged: "sudah ada", rows: "baris", noData: "tanpa data", excluded: "tanpa cap waktu, tidak dihitung",
    matched: "kejadian", method: "persentil nearest-rank",
    synthetic: "Demo: riwayat ini SINTETIS (dibuat acak dengan seed tetap), bukan data kejadian nyata." },
  en: { planner: "Planner", toMap: "Dispatcher's map", toCompliance: "Agency compliance", from: "From", to: "To", category: "Category", all: "All",
    segment: "Segment", segResponse: "Response (on scene − received)", segCall: "Call processing (dispatched − received)",
    segTravel: "Travel (on scene − dispatched)", layer: "Layer", layerH3: "H3 hexagons (p90)", layerKel: "Kelurahan (p90)",
    layerCoverage: "Live coverage (ETA)", res: "H3 resolution", unitType: "Unit type", byKecamatan: "By kecamatan",
    kecamatan: "Kecamatan", count: "Count", downloads: "Downloads (CSV)", import: "Import history (CSV)",
    imported: "imported", unchanged: "already there", rows: "rows", noData: "no data", excluded: "lacking stamps, left out",
    matched: "incidents", method: "nearest-rank percentiles",
    synthetic: "Demo: this history is SYNTHETIC (generated from a fixed seed), not real incident data." },
};
const w = (k) => words[language()][k] ?? k;
const $ = (s) => document.querySelector(s);

function notice(text, level = "error") {
  $("#notice-text").textContent = text;
  $("#notice").dataset.level = level;
  $("#notice").hidden = false;
}
$("#notice-close").onclick = () => { $("#notice").hidden = true; };

function label() {
  applyLabels();
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = w(el.dataset.i18n);
  $("#lang").textContent = language() === "id" ? "EN" : "ID";
  // names from /api/plans, in the page's language
  for (const o of document.querySelectorAll("#category option[value]:not([value=''])")) o.textContent = categoryLabel(o.value);
  for (const o of document.querySelectorAll("#type option")) o.textContent = unitTypeName(o.value);
}

// Colour ramp by minutes: green under 8, red over 20 (the planners' targets).
const STOPS = [[0, "#1a7f37"], [8 * 60, "#84cc16"], [12 * 60, "#facc15"], [16 * 60, "#f97316"], [20 * 60, "#b42318"]];
function colour(s) {
  if (s == null) return "#d0d5dd";
  let c = STOPS[0][1];
  for (const [v, col] of STOPS) if (s >= v) c = col;
  return c;
}
const mins = (s) => (s == null ? "—" : `${(s / 60).toFixed(1)} min`);

const map = L.map("map").setView([-6.12, 106.16], 12);
const svg = L.svg();
let layer = null;

function params(extra = {}) {
  const p = new URLSearchParams();
  if ($("#from").value) p.set("from", $("#from").value);
  if ($("#to").value) p.set("to", $("#to").value);
  if ($("#category").value) p.set("category", $("#category").value);
  p.set("segment", $("#segment").value);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p;
}

function legend(title) {
  const el = $("#legend");
  el.replaceChildren(title + ": ");
  for (const [v, c] of STOPS) {
    const i = document.createElement("i");
    i.style.background = c;
    el.append(i, ` ≥${v / 60}m `);
  }
  const i = document.createElement("i");
  i.style.background = "#d0d5dd";
  el.append(i, " " + w("noData"));
}

async function refresh() {
  try {
    const kind = $("#layer").value;
    $("#type-label").hidden = kind !== "coverage";
    let url, prop, cls;
    if (kind === "coverage") {
      url = `/api/analytics/coverage?type=${$("#type").value}&res=${$("#res").value}`;
      prop = "eta_s"; cls = "coverage-cell";
    } else if (kind === "h3") {
      url = `/api/analytics/response-times?${params({ by: "h3", res: $("#res").value })}`;
      prop = "p90_s"; cls = "h3-cell";
    } else {
      url = `/api/analytics/response-times?${params({ by: "kelurahan" })}`;
      prop = "p90_s"; cls = "kelurahan-area";
    }
    const fc = await api("GET", url);
    if (kind !== "coverage") $("#synthetic").hidden = !fc.synthetic;
    layer?.remove();
    layer = L.geoJSON(fc, {
      renderer: svg,
      style: (f) => ({ color: "#344054", weight: 0.5, fillColor: colour(f.properties[prop]), fillOpacity: 0.65, className: cls }),
      pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 8, renderer: svg }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindTooltip(asText(kind === "coverage"
          ? `${p.code}: ETA ${mins(p.eta_s)}${p.unit_id ? " · " + p.unit_id : ""}`
          : `${p.name || p.code}: ${p.count} · p50 ${mins(p.p50_s)} · p90 ${mins(p.p90_s)}`));
      },
    }).addTo(map);
    legend(kind === "coverage" ? "ETA" : "p90");
    $("#summary").textContent = kind === "coverage" ? "" :
      `${fc.matched} ${w("matched")}; ${fc.excluded_missing_stamps} ${w("excluded")}; ${w("method")}.`;
    const kec = await api("GET", `/api/analytics/response-times?${params({ by: "kecamatan" })}`);
    $("#kecamatan-rows").replaceChildren(...kec.features.map((f) => {
      const tr = document.createElement("tr");
      tr.dataset.kecamatan = f.properties.code;
      for (const v of [f.properties.name, f.properties.count, mins(f.properties.p50_s), mins(f.properties.p90_s)]) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.append(td);
      }
      return tr;
    }));
    const links = [
      ["kelurahan", `/api/analytics/response-times?${params({ by: "kelurahan", format: "csv" })}`],
      ["kecamatan", `/api/analytics/response-times?${params({ by: "kecamatan", format: "csv" })}`],
      [`H3 res ${$("#res").value}`, `/api/analytics/response-times?${params({ by: "h3", res: $("#res").value, format: "csv" })}`],
      [`coverage ${$("#type").value}`, `/api/analytics/coverage?type=${$("#type").value}&res=${$("#res").value}&format=csv`],
    ];
    $("#downloads").replaceChildren(...links.map(([name, href]) => {
      const li = document.createElement("li");
      const a = Object.assign(document.createElement("a"), { href, textContent: name, download: "" });
      a.dataset.download = name;
      li.append(a);
      return li;
    }));
  } catch (e) {
    notice(e.message);
  }
}

$("#history-file").addEventListener("change", async () => {
  const file = $("#history-file").files[0];
  if (!file) return;
  const resp = await fetch("/api/history/incidents", { method: "POST", headers: { "Content-Type": "text/csv", "X-CSRF-Token": csrf() }, body: await file.text() });
  const out = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const rows = (out.rows || []).map((r) => `row ${r.row}: ${r.reason}`).join("\n");
    $("#import-result").textContent = rows;
    notice(out.error || resp.statusText);
    return;
  }
  $("#import-result").textContent = `${out.imported} ${w("imported")}, ${out.unchanged} ${w("unchanged")} (${out.rows} ${w("rows")})`;
  refresh();
});

for (const id of ["#from", "#to", "#category", "#segment", "#layer", "#res", "#type"]) $(id).addEventListener("change", refresh);
$("#lang").onclick = () => { setLanguage(language() === "id" ? "en" : "id"); label(); refresh(); };

async function start() {
  label();
  const cfg = await api("GET", "/api/config");
  addBaseMap(map, cfg);
  await loadMeta();
  for (const p of meta.plans.values()) {
    $("#category").append(Object.assign(document.createElement("option"), { value: p.category, textContent: categoryLabel(p.category) }));
  }
  $("#type").replaceChildren(...meta.unitTypes.map((u) => Object.assign(document.createElement("option"), { value: u.type, textContent: unitTypeName(u.type) })));
  const kec = await api("GET", "/api/areas?level=kecamatan");
  L.geoJSON(kec, { style: { color: "#0b3d91", weight: 2, fill: false }, pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 0 }) }).addTo(map);
  await refresh();
  window.siagaPlanner = { refresh };
}
start().catch((e) => (e.status === 401 ? signIn() : notice(`start: ${e.message}`)));
