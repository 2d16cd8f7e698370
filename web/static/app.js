// The dispatcher's live map. Plain ES module, no build step; Leaflet is the
// global L loaded before this file.
import { api, signIn, asText } from "./api.js";
import { connectLive } from "./live.js";
import { t, st, language, setLanguage, applyLabels } from "./i18n.js";
import { setupHistory } from "./history.js";
import { attachPlaceSearch } from "./placesearch.js";
import { addBaseMap } from "./basemap.js";

const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};

const STATUS_COLOURS = {
  available: "#1a7f37", dispatched: "#f79009", en_route: "#dc6803", on_scene: "#b42318",
  transporting: "#7a5af8", at_hospital: "#6941c6", returning: "#1570ef", out_of_service: "#667085",
};
const CATEGORY_ICONS = {
  fire: "🔥", traffic_accident: "🚗", medical: "➕", ambulance: "🚑", hearse: "⚰️", disaster: "🌊",
  fallen_tree: "🌳", animal_hazard: "🐝", stunting: "👶",
};
const SHAPES = { ambulance: "circle", fire_truck: "square", hearse: "diamond", rescue: "triangle", police: "pentagon" };

// ---- state ----
const units = new Map();     // id → GeoJSON feature
const incidents = new Map(); // id → incident
const plans = new Map();     // category → plan
let picked = null;           // the intake's point {lat, lon}
let current = null;          // the incident just created in the intake
let selected = null;         // incident id shown in the detail
const lags = [];             // recent telemetry → screen delays, ms

// ---- notices: the server's sentences, never swallowed ----
function notice(text, level = "error") {
  $("#notice-text").textContent = text;
  $("#notice").dataset.level = level;
  $("#notice").hidden = false;
}
$("#notice-close").onclick = () => { $("#notice").hidden = true; };

async function call(method, path, body) {
  try {
    return await api(method, path, body);
  } catch (e) {
    notice(e.message, e.status === 403 ? "warning" : "error");
    throw e;
  }
}

// ---- map ----
const map = L.map("map", { preferCanvas: true, zoomControl: true }).setView([-6.12, 106.16], 12);
const canvas = L.canvas({ padding: 0.5 });

// A unit drawn on the canvas: shape by type, fill by status, a tick for
// its heading. Canvas keeps 2,000 moving units smooth.
const UnitMarker = L.CircleMarker.extend({
  _updatePath() {
    const r = this._renderer;
    if (!r._drawing || this._empty()) return;
    const ctx = r._ctx, p = this._point, s = this._radius;
    ctx.beginPath();
    const poly = (n, rot) => {
      for (let i = 0; i < n; i++) {
        const a = rot + (i * 2 * Math.PI) / n;
        const x = p.x + s * Math.sin(a), y = p.y - s * Math.cos(a);
        i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
      }
      ctx.closePath();
    };
    switch (this.options.shape) {
      case "square": ctx.rect(p.x - s, p.y - s, 2 * s, 2 * s); break;
      case "diamond": poly(4, 0); break;
      case "triangle": poly(3, 0); break;
      case "pentagon": poly(5, 0); break;
      default: ctx.arc(p.x, p.y, s, 0, Math.PI * 2);
    }
    r._fillStroke(ctx, this);
    if (this.options.heading != null && !this.options.stale) {
      const a = (this.options.heading * Math.PI) / 180;
      ctx.beginPath();
      ctx.moveTo(p.x + Math.sin(a) * s, p.y - Math.cos(a) * s);
      ctx.lineTo(p.x + Math.sin(a) * (s + 7), p.y - Math.cos(a) * (s + 7));
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#1b1f24";
      ctx.setLineDash([]);
      ctx.stroke();
    }
  },
});

const unitLayer = L.layerGroup().addTo(map);
const incidentLayer = L.layerGroup().addTo(map);
const lineLayer = L.layerGroup().addTo(map);
const markers = new Map();   // unit id → UnitMarker
const incMarkers = new Map(); // incident id → marker
const lines = new Map();     // incident/unit → polyline
const highlight = L.layerGroup().addTo(map);
let pickMarker = null;

function unitStyle(f) {
  const p = f.properties;
  const stale = p.liveness !== "live";
  return {
    renderer: canvas, radius: 6, weight: 2, shape: SHAPES[p.type] || "circle", heading: p.heading, stale,
    color: stale ? "#667085" : "#1b1f24",
    fillColor: stale ? "#d0d5dd" : STATUS_COLOURS[p.status] || "#999",
    fillOpacity: 0.95, dashArray: p.liveness === "offline" ? "3 3" : null,
  };
}

function showOffline() { return $("#show-offline").checked; }

function drawUnit(f) {
  const id = f.id;
  let m = markers.get(id);
  const visible = f.geometry && (f.properties.liveness !== "offline" || showOffline());
  if (!visible) {
    if (m) { unitLayer.removeLayer(m); markers.delete(id); }
    return;
  }
  const [lon, lat] = f.geometry.coordinates;
  if (!m) {
    m = new UnitMarker([lat, lon], unitStyle(f)).addTo(unitLayer);
    m.bindTooltip(asText(""));
    markers.set(id, m);
  } else {
    m.setLatLng([lat, lon]);
    L.setOptions(m, unitStyle(f));
    m.setStyle({});
  }
  const p = f.properties;
  m.setTooltipContent(asText(`${p.callsign} · ${t(p.type)} · ${st(p.status)}${p.liveness !== "live" ? " · " + t("lastKnown") : ""}`));
}

// ---- unit board ----
function age(iso) {
  if (!iso) return "—";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

function unitRow(f) {
  const p = f.properties;
  let row = document.querySelector(`#unit-rows tr[data-unit-id="${CSS.escape(f.id)}"]`);
  if (!row) {
    row = el("tr");
    row.dataset.unitId = f.id;
    const select = el("select", { className: "unit-status", title: t("setStatus") });
    for (const s of Object.keys(STATUS_COLOURS)) select.append(el("option", { value: s, textContent: st(s) }));
    select.onchange = () => call("POST", `/api/units/${encodeURIComponent(f.id)}/status`, { status: select.value }).catch(() => {});
    row.append(el("td", { className: "callsign" }), el("td", { className: "type" }), el("td", { className: "status" }, select),
      el("td", { className: "liveness" }), el("td", { className: "age" }));
    insertSorted($("#unit-rows"), row, f.id, "unitId");
  }
  row.dataset.status = p.status;
  row.dataset.liveness = p.liveness;
  row.dataset.reportedAt = p.reported_at || "";
  row.hidden = p.liveness === "offline" && !showOffline();
  row.querySelector(".callsign").textContent = p.callsign;
  row.querySelector(".type").textContent = t(p.type);
  const sel = row.querySelector("select");
  if (document.activeElement !== sel) sel.value = p.status;
  sel.style.borderLeft = `6px solid ${STATUS_COLOURS[p.status] || "#999"}`;
  row.querySelector(".liveness").textContent = t(p.liveness);
  row.querySelector(".age").textContent = age(p.reported_at);
}

function insertSorted(tbody, row, key, attr) {
  for (const r of tbody.rows) {
    if (r.dataset[attr] > key) { tbody.insertBefore(row, r); return; }
  }
  tbody.append(row);
}

function updateUnit(f, measure) {
  units.set(f.id, f);
  drawUnit(f);
  unitRow(f);
  redrawLinesOf(f.id);
  if (measure && f.properties.reported_at && f.properties.liveness === "live") {
    lags.push(Date.now() - Date.parse(f.properties.reported_at));
    if (lags.length > 50000) lags.splice(0, lags.length - 50000);
  }
}

// removeUnit drops a deleted unit from the map and the list.
function removeUnit(id) {
  units.delete(id);
  const m = markers.get(id);
  if (m) { unitLayer.removeLayer(m); markers.delete(id); }
  document.querySelector(`#unit-rows tr[data-unit-id="${CSS.escape(id)}"]`)?.remove();
}

function lagP95() {
  if (!lags.length) return null;
  const s = [...lags].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))];
}

// ---- incidents ----
function place(inc) {
  return `${inc.kelurahan.name}, ${inc.kecamatan.name}${inc.approximate ? " (~)" : ""}`;
}

function drawIncident(inc) {
  let m = incMarkers.get(inc.id);
  if (inc.status !== "open") {
    if (m) { incidentLayer.removeLayer(m); incMarkers.delete(inc.id); }
    return;
  }
  if (!m) {
    const icon = L.divIcon({ className: "incident-icon", html: CATEGORY_ICONS[inc.category] || "❗", iconSize: [24, 24] });
    m = L.marker([inc.lat, inc.lon], { icon }).addTo(incidentLayer);
    m.on("click", () => { showTab("incidents"); select(inc.id); });
    incMarkers.set(inc.id, m);
  }
  m.bindTooltip(asText(`${plans.get(inc.category)?.label || inc.category} · ${place(inc)}${inc.synthetic ? " · " + t("synthetic") : ""}`));
}

function incidentRow(inc) {
  let row = document.querySelector(`#incident-rows tr[data-incident-id="${CSS.escape(inc.id)}"]`);
  if (!row) {
    row = el("tr");
    row.dataset.incidentId = inc.id;
    row.onclick = () => select(inc.id);
    for (const c of ["category", "area", "status", "since", "due"]) row.append(el("td", { className: c }));
    $("#incident-rows").prepend(row);
  }
  row.dataset.status = inc.status;
  row.classList.toggle("overdue", inc.overdue);
  row.querySelector(".category").textContent = (plans.get(inc.category)?.label || inc.category) + (inc.synthetic ? ` · ${t("synthetic")}` : "");
  row.querySelector(".area").textContent = place(inc);
  row.querySelector(".status").textContent = t(inc.status);
  row.querySelector(".since").textContent = age(inc.received_at);
  row.querySelector(".due").textContent = inc.overdue ? t("overdue") : new Date(inc.agency_due_at).toLocaleString(language());
}

function updateIncident(inc) {
  incidents.set(inc.id, inc);
  drawIncident(inc);
  incidentRow(inc);
  drawLines(inc);
  if (selected === inc.id) detail(inc);
}

// ---- assignment lines: unit → incident, labelled with the ETA ----
function drawLines(inc) {
  for (const [key, line] of lines) {
    if (key.startsWith(inc.id + "/")) { lineLayer.removeLayer(line); lines.delete(key); }
  }
  if (inc.status !== "open") return;
  for (const a of inc.assignments ?? []) {
    if (a.status === "cleared") continue;
    const u = units.get(a.unit_id);
    if (!u?.geometry) continue;
    const [lon, lat] = u.geometry.coordinates;
    const line = L.polyline([[lat, lon], [inc.lat, inc.lon]], { renderer: canvas, color: STATUS_COLOURS[u.properties.status] || "#f79009", weight: 3, dashArray: "6 4" });
    line.bindTooltip(asText(`${u.properties.callsign} · ETA ${Math.round(a.eta_s / 60)} min`), { permanent: true, className: "eta-label", direction: "center" });
    line.addTo(lineLayer);
    lines.set(`${inc.id}/${a.unit_id}`, line);
  }
}

function redrawLinesOf(unitId) {
  for (const [key, line] of lines) {
    const [incId, uid] = key.split("/");
    if (uid !== unitId) continue;
    const u = units.get(unitId), inc = incidents.get(incId);
    if (!u?.geometry || !inc) continue;
    line.setLatLngs([[u.geometry.coordinates[1], u.geometry.coordinates[0]], [inc.lat, inc.lon]]);
    line.setStyle({ color: STATUS_COLOURS[u.properties.status] || "#f79009" });
  }
}

// ---- incident detail: status, ack, close, prank ----
function select(id) {
  selected = id;
  for (const r of $("#incident-rows").rows) r.classList.toggle("selected", r.dataset.incidentId === id);
  const inc = incidents.get(id);
  if (inc) detail(inc);
}

function detail(inc) {
  const d = $("#detail");
  d.hidden = false;
  d.replaceChildren(
    el("h2", { textContent: `${plans.get(inc.category)?.label || inc.category} · ${inc.id}` }),
    el("p", { textContent: `${place(inc)} · ${t("caller")}: ${inc.caller} · ${t(inc.status)}` }),
    el("p", { textContent: inc.description }),
  );
  for (const a of inc.assignments ?? []) {
    const u = units.get(a.unit_id);
    const row = el("div", { className: "assignment" }, el("span", { textContent: `${u?.properties.callsign || a.unit_id}: ${st(a.status)}` }));
    row.dataset.assignmentUnit = a.unit_id;
    if (a.status !== "cleared") {
      const s = el("select");
      for (const v of ["en_route", "on_scene", "transporting", "at_hospital", "cleared"]) s.append(el("option", { value: v, textContent: st(v) }));
      s.value = a.status === "dispatched" ? "en_route" : a.status;
      const b = el("button", { type: "button", textContent: t("setStatus") });
      b.onclick = async () => updateIncident(await call("POST", `/api/incidents/${inc.id}/units/${encodeURIComponent(a.unit_id)}/status`, { status: s.value }));
      row.append(s, b);
    }
    d.append(row);
  }
  if (inc.status === "open") {
    const buttons = el("div", { className: "buttons" });
    const ack = el("button", { type: "button", textContent: t("ack"), disabled: !!inc.agency_acted_at });
    ack.onclick = async () => updateIncident(await call("POST", `/api/incidents/${inc.id}/ack`));
    const close = el("button", { type: "button", textContent: t("close") });
    close.onclick = async () => updateIncident(await call("POST", `/api/incidents/${inc.id}/close`));
    const prank = el("button", { type: "button", textContent: t("prank"), className: "prank" });
    prank.onclick = async () => {
      const c = await call("POST", `/api/calls/${encodeURIComponent(inc.caller)}/prank`, { incident_id: inc.id });
      callerNotice(c);
    };
    buttons.append(ack, close, prank);
    d.append(buttons);
  }
}

function callerNotice(c) {
  const parts = [`${c.number}: ${c.prank_calls} ${t("pranks")}`];
  if (c.blocked_until) parts.push(`${t("blocked")} ${new Date(c.blocked_until).toLocaleString(language())}`);
  if (c.proposed_permanent_block) parts.push(t("proposed"));
  notice(parts.join(" · "), c.blocked_until ? "warning" : "info");
}

// ---- intake ----
// pick sets the incident's point; name, when given, labels its marker.
function pick(lat, lon, label, name) {
  picked = { lat, lon };
  $("#point").textContent = `${lat.toFixed(5)}, ${lon.toFixed(5)}${label ? " — " + label : ""}`;
  if (pickMarker) pickMarker.setLatLng([lat, lon]);
  else pickMarker = L.circleMarker([lat, lon], { radius: 9, color: "#b42318", weight: 3, fill: false }).addTo(map);
  pickMarker.unbindTooltip();
  if (name) pickMarker.bindTooltip(asText(name), { permanent: true, direction: "top", offset: [0, -8], className: "place-label" }).openTooltip();
}

// A map click names the point: the nearest street and place, the areas.
map.on("click", (e) => {
  const { lat, lng } = e.latlng;
  showTab("intake");
  pick(lat, lng);
  api("GET", `/api/places/reverse?lat=${lat}&lon=${lng}`)
    .then((r) => {
      const parts = [];
      if (r.street) parts.push(`${r.street.name}, ${r.street.distance_m} m`);
      if (r.place) parts.push(`${r.place.name}, ${r.place.distance_m} m`);
      parts.push(`${r.kelurahan.name}, ${r.kecamatan.name}`);
      pick(lat, lng, parts.join(" · "));
    })
    .catch((err) => notice(err.message, "warning"));
});

// The place field: a typeahead on /api/places, biased to the map's centre.
attachPlaceSearch($("#place"), {
  bias: () => { const c = map.getCenter(); return { lat: c.lat, lon: c.lng }; },
  label: (kind) => t(`kind_${kind}`),
  onError: (err) => notice(err.message, "warning"),
  onPick: (f) => {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    const area = [p.kelurahan?.name, p.kecamatan?.name].filter(Boolean).join(", ");
    pick(lat, lon, [p.name, area].filter(Boolean).join(" · "), p.name);
    map.setView([lat, lon], Math.max(map.getZoom(), 16));
  },
});

$("#intake-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!picked) { notice(t("noPoint"), "warning"); return; }
  const body = {
    category: $("#category").value, lat: picked.lat, lon: picked.lon,
    caller: $("#caller").value, description: $("#description").value,
  };
  const inc = await call("POST", "/api/incidents", body).catch(() => null);
  if (!inc) return;
  current = inc;
  updateIncident(inc);
  $("#result").hidden = false;
  $("#result-id").textContent = inc.id;
  $("#result-place").textContent = `${place(inc)}${inc.persisted === false ? " · not persisted yet" : ""}`;
  const list = $("#recommendations");
  list.replaceChildren();
  highlight.clearLayers();
  if (!inc.recommendations.length) list.append(el("li", { textContent: t("noRecs") }));
  for (const r of inc.recommendations) {
    const box = el("input", { type: "checkbox", value: r.unit_id });
    const li = el("li", {}, el("label", {}, box, ` ${r.callsign} · ${t(r.type)} · ${(r.distance_m / 1000).toFixed(1)} km · ETA ${Math.round(r.eta_s / 60)} min`));
    li.dataset.recUnit = r.unit_id;
    list.append(li);
    const u = units.get(r.unit_id);
    if (u?.geometry) L.circleMarker([u.geometry.coordinates[1], u.geometry.coordinates[0]], { radius: 12, color: "#1570ef", weight: 3, fill: false }).addTo(highlight);
  }
});

async function dispatch(unitIds) {
  if (!current) return;
  const res = await call("POST", `/api/incidents/${current.id}/dispatch`, { unit_ids: unitIds }).catch(() => null);
  if (!res) return;
  highlight.clearLayers();
  updateIncident(res.incident);
  let msg = `${t("dispatched")}: ${res.assigned.map((a) => units.get(a.unit_id)?.properties.callsign || a.unit_id).join(", ")}`;
  if (res.shortfall.length) msg += ` · ${t("short")}: ${res.shortfall.map((n) => `${n.count} ${t(n.type)}`).join(", ")}`;
  notice(msg, res.shortfall.length ? "warning" : "info");
}
$("#dispatch-plan").onclick = () => dispatch([]);
$("#dispatch-picked").onclick = () => dispatch([...document.querySelectorAll("#recommendations input:checked")].map((b) => b.value));

// ---- tabs, language, offline toggle ----
function showTab(name) {
  for (const b of document.querySelectorAll("nav button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== `tab-${name}`;
}
for (const b of document.querySelectorAll("nav button")) b.onclick = () => showTab(b.dataset.tab);

function relabel() {
  applyLabels();
  $("#lang").textContent = language() === "id" ? "EN" : "ID";
  fillCategories();
  for (const f of units.values()) updateUnit(f, false);
  for (const inc of incidents.values()) updateIncident(inc);
}
$("#lang").onclick = () => { setLanguage(language() === "id" ? "en" : "id"); relabel(); };
$("#show-offline").onchange = () => { for (const f of units.values()) updateUnit(f, false); };

function fillCategories() {
  const sel = $("#category");
  const keep = sel.value;
  sel.replaceChildren(...[...plans.values()].map((p) => el("option", { value: p.category, textContent: p.label })));
  if (keep) sel.value = keep;
}

// ---- live feed ----
function setFeed(state, reason) {
  const f = $("#feed");
  f.dataset.state = state === "resynced" ? "live" : state;
  f.textContent = t(state === "down" ? "feedDown" : "feedLive");
  if (state === "resynced") notice(t("feedResynced"), "info");
  if (state === "down" && reason) f.title = reason;
}

function onLive(msg) {
  switch (msg.type) {
    case "snapshot":
      units.clear();
      unitLayer.clearLayers(); markers.clear();
      $("#unit-rows").replaceChildren();
      for (const f of msg.units ?? []) updateUnit(f, false);
      for (const inc of msg.incidents ?? []) updateIncident(inc);
      break;
    case "units":
      for (const f of msg.units ?? []) updateUnit(f, true);
      for (const id of msg.removed ?? []) removeUnit(id);
      break;
    case "incident":
      updateIncident(msg.incident);
      if (msg.action === "deadline_warning" || msg.action === "overdue") {
        notice(`${language() === "id" ? (msg.action === "overdue" ? "Lewat batas SOP" : "Peringatan batas SOP") : (msg.action === "overdue" ? "SOP deadline passed" : "SOP deadline warning")}: ${msg.incident.id} (${msg.incident.lead_agency})`, "warning");
      }
      break;
    case "region":
      history?.regionEvent(msg.region);
      break;
  }
}

let history = null; // history.js: geofences, region events, replay

// ---- start ----
async function start() {
  applyLabels();
  $("#lang").textContent = language() === "id" ? "EN" : "ID";
  const cfg = await api("GET", "/api/config"); // a 401 here means: sign in
  const baseMap = addBaseMap(map, cfg);
  const p = await call("GET", "/api/plans");
  for (const pl of p.plans) plans.set(pl.category, pl);
  fillCategories();
  // District outlines and names: the map stays useful when tiles fail.
  const [kel, kec] = await Promise.all([call("GET", "/api/areas?level=kelurahan"), call("GET", "/api/areas?level=kecamatan")]);
  L.geoJSON(kel, {
    style: { color: "#0b3d91", weight: 1, opacity: 0.5, fill: false },
    pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 2, color: "#0b3d91", renderer: canvas }),
    onEachFeature: (f, layer) => layer.bindTooltip(asText(f.properties.name), { sticky: true }),
  }).addTo(map);
  L.geoJSON(kec, {
    style: { color: "#0b3d91", weight: 3, opacity: 0.8, fill: false },
    pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 0, opacity: 0 }),
  }).addTo(map);
  for (const f of kec.features) {
    const [lon, lat] = f.properties.label_point;
    L.tooltip({ permanent: true, direction: "center", className: "area-label" }).setLatLng([lat, lon]).setContent(asText(f.properties.name)).addTo(map);
  }
  if (cfg.approximate) $("#lag").title = t("approximate");
  history = setupHistory({ map, units, incidents, notice });
  const live = connectLive({ onMessage: onLive, onState: setFeed });
  // For the operator's console and the browser tests.
  window.siaga = { live, lagP95, lagSamples: () => [...lags], units, incidents, lines, markers, incMarkers, history, map, baseMap };
  setInterval(() => {
    for (const row of $("#unit-rows").rows) row.querySelector(".age").textContent = age(row.dataset.reportedAt);
    for (const inc of incidents.values()) incidentRow(inc);
    const p95 = lagP95();
    $("#lag").textContent = p95 == null ? "" : `${t("lag")} ${p95} ms`;
  }, 1000);
}

start().catch(async (e) => {
  if (e.status === 401) return signIn(e.message);
  // Agency users have a page of their own.
  if (e.status === 403 && (await api("GET", "/api/me").catch(() => ({})))?.role === "agency") return location.assign("/agency.html");
  notice(`start: ${e.message}`);
});
