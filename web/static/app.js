// The dispatcher's console for a whole shift (issue 26). Plain ES module, no
// build step; Leaflet is the global L loaded before this file. The names of
// categories, agencies and unit types come from GET /api/plans (meta.js);
// this file writes none of them.
import { api, signIn, asText } from "./api.js";
import { connectLive } from "./live.js";
import { t, st, language, setLanguage, applyLabels, invalid } from "./i18n.js";
import { setupHistory } from "./history.js";
import { attachPlaceSearch } from "./placesearch.js";
import { addBaseMap } from "./basemap.js";
import { meta, loadMeta, categoryLabel, unitTypeName, unitShape, shapeSVG, incidentSVG } from "./meta.js";
import { setupIntakeKeys } from "./keys.js";

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
// The board's states, in the order an incident moves through them.
const PROGRESS = ["dispatched", "en_route", "on_scene", "transporting", "at_hospital"];

// ---- state ----
const units = new Map();     // id → GeoJSON feature
const incidents = new Map(); // id → incident
let picked = null;           // the intake's point {lat, lon}
let current = null;          // the incident just created in the intake
let currentRecs = [];        // its recommendations (later copies of it lack them)
let selected = null;         // incident id shown in the detail
let dispatchTargetS = 120;   // --dispatch-target
let feedState = "connecting";
let creating = 0;            // intake POSTs in flight
const heldCreated = [];      // incidents created elsewhere while one of ours is in flight
const mine = new Set();      // incidents this page created
const lags = [];             // recent telemetry → screen delays, ms
const alertTimes = [];       // for the tests: [incident id, ms the alert showed]

// ---- notices ----
// text is a string, or a function giving it in the page's language (a
// language switch writes it again).
let noticeText = null;
function notice(text, level = "error") {
  noticeText = text;
  $("#notice-text").textContent = typeof text === "function" ? text() : text;
  $("#notice-text").title = "";
  $("#notice").dataset.level = level;
  $("#notice").hidden = false;
}
$("#notice-close").onclick = () => { $("#notice").hidden = true; };

// call: a request whose refusal becomes a notice; a 401 brings the sign-in
// form back over the page (what is typed stays).
async function call(method, path, body) {
  try {
    return await api(method, path, body);
  } catch (e) {
    if (e.status === 401) signedOut();
    else {
      notice(() => refusal(e), e.status === 403 ? "warning" : "error");
      if (e.status === 400) $("#notice-text").title = e.message; // the server's detail, secondary
    }
    throw e;
  }
}

// refusal puts a refused request in the page's words; a 400 names the
// field the server's sentence names.
function refusal(e) {
  switch (e.status) {
    case 0: return t("errNetwork");
    case 400: return invalid(e.message);
    case 403: return t("errForbidden");
    case 409: return t("errConflict");
    case 422: return t("errOutside");
    case 429: return t("errThrottled");
    default: return e.message;
  }
}

function signedOut() { signIn(() => { notice(() => t("signedBackIn"), "info"); }, "signedOut"); }

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
const markers = new Map();    // unit id → UnitMarker
const incMarkers = new Map(); // incident id → marker
const lines = new Map();      // incident/unit → polyline
const highlight = L.layerGroup().addTo(map);
let pickMarker = null;

function unitStyle(f) {
  const p = f.properties;
  const stale = p.liveness !== "live";
  return {
    renderer: canvas, radius: 6, weight: 2, shape: unitShape(p.type), heading: p.heading, stale,
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
  const tip = `${p.callsign} · ${unitTypeName(p.type)} · ${st(p.status)}${p.liveness !== "live" ? " · " + t("lastKnown") : ""}`;
  if (m.tip !== tip) { m.tip = tip; m.setTooltipContent(asText(tip)); }
}

// ---- unit board: who has what ----
function age(iso) {
  if (!iso) return "—";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} ${t("minutes")}`;
  return `${Math.round(s / 3600)} ${t("hours")}`;
}

// working: unit id → the open incident it works on, kept by updateIncident.
const working = new Map();
function assignedTo(unitId) {
  return incidents.get(working.get(unitId)) ?? null;
}

// put writes a cell only when its text changes: 2,000 units a second.
function put(cell, text) {
  if (cell.textContent !== text) cell.textContent = text;
}

// unitRows: unit id → its row; a selector query per fix is too slow at
// 2,000 units a second.
const unitRows = new Map();

function unitRow(f) {
  const p = f.properties;
  let row = unitRows.get(f.id);
  if (!row) {
    row = el("tr");
    unitRows.set(f.id, row);
    row.dataset.unitId = f.id;
    row.dataset.testid = "unit-row";
    const select = el("select", { className: "unit-status", title: t("setStatus") });
    for (const s of Object.keys(STATUS_COLOURS)) select.append(el("option", { value: s, textContent: st(s) }));
    select.onchange = () => call("POST", `/api/units/${encodeURIComponent(f.id)}/status`, { status: select.value }).catch(() => {});
    row.append(el("td", { className: "callsign" }), el("td", { className: "type" }), el("td", { className: "status" }, select),
      el("td", { className: "work" }), el("td", { className: "liveness" }), el("td", { className: "age" }));
    insertSorted($("#unit-rows"), row, f.id, "unitId");
  }
  const cells = row.cells;
  if (row.dataset.status !== p.status) row.dataset.status = p.status;
  if (row.dataset.liveness !== p.liveness) row.dataset.liveness = p.liveness;
  row.dataset.reportedAt = p.reported_at || "";
  const inc = assignedTo(f.id);
  if (inc) { if (row.dataset.incidentId !== inc.id) row.dataset.incidentId = inc.id; } else if ("incidentId" in row.dataset) delete row.dataset.incidentId;
  const hide = p.liveness === "offline" && !showOffline();
  if (row.hidden !== hide) row.hidden = hide;
  put(cells[0], p.callsign);
  put(cells[1], unitTypeName(p.type));
  const sel = cells[2].firstChild;
  if (document.activeElement !== sel && sel.value !== p.status) {
    sel.value = p.status;
    sel.style.borderLeft = `6px solid ${STATUS_COLOURS[p.status] || "#999"}`;
  }
  put(cells[3], inc ? `${categoryLabel(inc.category)} · ${inc.kelurahan.name}` : "");
  put(cells[4], t(p.liveness));
  put(cells[5], age(p.reported_at));
}

// insertSorted puts row among the sorted rows by binary search.
function insertSorted(tbody, row, key, attr) {
  const rows = tbody.rows;
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].dataset[attr] > key) hi = mid;
    else lo = mid + 1;
  }
  tbody.insertBefore(row, rows[lo] ?? null);
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

function removeUnit(id) {
  units.delete(id);
  const m = markers.get(id);
  if (m) { unitLayer.removeLayer(m); markers.delete(id); }
  unitRows.get(id)?.remove();
  unitRows.delete(id);
}

// showLag writes the delay label from the last p95 measured (the interval
// measures; a language switch only rewrites the words, at once).
let lastLagP95 = null;
function showLag() {
  $("#lag").textContent = lastLagP95 == null ? "" : `${t("lag")} ${lastLagP95} ms`;
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

// boardState: received (no unit), the furthest active assignment, cleared
// (every unit cleared) or closed.
function boardState(inc) {
  if (inc.status === "closed") return "closed";
  const as = inc.assignments ?? [];
  if (!as.length) return "received";
  let best = -1;
  for (const a of as) best = Math.max(best, PROGRESS.indexOf(a.status));
  return best < 0 ? "cleared" : PROGRESS[best];
}

function late(inc) {
  return boardState(inc) === "received" && Date.now() - Date.parse(inc.received_at) > dispatchTargetS * 1000;
}

function drawIncident(inc) {
  let m = incMarkers.get(inc.id);
  if (inc.status !== "open") {
    if (m) { incidentLayer.removeLayer(m); incMarkers.delete(inc.id); }
    return;
  }
  if (!m) {
    const icon = L.divIcon({ className: "incident-icon", html: incidentSVG(inc.category), iconSize: [26, 26] });
    m = L.marker([inc.lat, inc.lon], { icon, keyboard: false }).addTo(incidentLayer);
    m.on("click", () => { showTab("incidents"); select(inc.id); });
    incMarkers.set(inc.id, m);
  }
  m.bindTooltip(asText(`${categoryLabel(inc.category)} · ${place(inc)}${inc.synthetic ? " · " + t("synthetic") : ""}`));
}

function minutes(iso) {
  return `${Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000))} ${t("minutesShort")}`;
}

function callsigns(inc) {
  return (inc.assignments ?? []).filter((a) => a.status !== "cleared")
    .map((a) => units.get(a.unit_id)?.properties.callsign || a.unit_id).join(", ");
}

// incidentRow keeps the board: open incidents, oldest first.
function incidentRow(inc) {
  let row = document.querySelector(`#incident-rows tr[data-incident-id="${CSS.escape(inc.id)}"]`);
  if (inc.status !== "open") { row?.remove(); return; }
  if (!row) {
    row = el("tr");
    row.dataset.incidentId = inc.id;
    row.dataset.testid = "incident-row";
    row.dataset.received = inc.received_at;
    row.onclick = () => select(inc.id);
    for (const c of ["category", "area", "state", "units", "since"]) row.append(el("td", { className: c }));
    const body = $("#incident-rows");
    const after = [...body.rows].find((r) => r.dataset.received > inc.received_at);
    body.insertBefore(row, after ?? null);
  }
  const state = boardState(inc);
  row.dataset.state = state;
  row.dataset.late = String(late(inc));
  row.classList.toggle("overdue", inc.overdue);
  row.classList.toggle("selected", inc.id === selected);
  row.querySelector(".category").textContent = categoryLabel(inc.category) + (inc.synthetic ? ` · ${t("synthetic")}` : "");
  row.querySelector(".area").textContent = inc.kelurahan.name;
  row.querySelector(".state").textContent = t(`state_${state}`) + (inc.overdue ? ` · ${t("overdue")}` : "");
  row.querySelector(".units").textContent = callsigns(inc);
  row.querySelector(".since").textContent = minutes(inc.received_at);
}

function updateIncident(inc) {
  const before = incidents.get(inc.id);
  incidents.set(inc.id, inc);
  for (const a of before?.assignments ?? []) if (working.get(a.unit_id) === inc.id) working.delete(a.unit_id);
  if (inc.status === "open") for (const a of inc.assignments ?? []) if (a.status !== "cleared") working.set(a.unit_id, inc.id);
  drawIncident(inc);
  incidentRow(inc);
  drawLines(inc);
  // the units on it, and those it let go, show who has what
  const ids = new Set([...(inc.assignments ?? []), ...(before?.assignments ?? [])].map((a) => a.unit_id));
  for (const id of ids) { const f = units.get(id); if (f) unitRow(f); }
  if (selected === inc.id) detail(inc);
  if (current?.id === inc.id) current = inc;
  if (current) refreshDispatchButtons(); // another incident may have taken a recommended unit
  if (inc.status !== "open") dropAlert(inc.id);
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

// ---- the incident's detail ----
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
    el("h3", { textContent: `${categoryLabel(inc.category)} · ${inc.id}` }),
    el("p", { textContent: `${place(inc)} · ${t(inc.status)} · ${t("caller")}: ${inc.caller}` }),
    el("p", { textContent: inc.description || "" }),
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
    const more = el("button", { type: "button", textContent: t("moreUnits") });
    more.onclick = async () => {
      // a deliberate step: the plan's vehicles again, from where the fleet is now
      const res = await call("POST", `/api/incidents/${inc.id}/dispatch`, { unit_ids: [] }).catch(() => null);
      if (res) dispatched(res);
    };
    const ack = el("button", { type: "button", textContent: t("ack"), disabled: !!inc.agency_acted_at });
    ack.onclick = async () => updateIncident(await call("POST", `/api/incidents/${inc.id}/ack`));
    const close = el("button", { type: "button", textContent: t("close") });
    close.onclick = async () => updateIncident(await call("POST", `/api/incidents/${inc.id}/close`));
    const prank = el("button", { type: "button", textContent: t("prank"), className: "prank" });
    prank.onclick = async () => callerNotice(await call("POST", `/api/calls/${encodeURIComponent(inc.caller)}/prank`, { incident_id: inc.id }));
    buttons.append(more, ack, close, prank);
    d.append(buttons);
  }
}

function callerNotice(c) {
  notice(() => {
    const parts = [`${c.number}: ${c.prank_calls} ${t("pranks")}`];
    if (c.blocked_until) parts.push(`${t("blocked")} ${new Date(c.blocked_until).toLocaleString(language())}`);
    if (c.proposed_permanent_block) parts.push(t("proposed"));
    return parts.join(" · ");
  }, c.blocked_until ? "warning" : "info");
}

// fitTo shows the points in the part of the map nothing covers: clear of
// the controls at the top and of the legend's band at the bottom.
function fitTo(points) {
  if (!points.length) return;
  const legendBand = $("#legend").offsetHeight + 24;
  map.fitBounds(L.latLngBounds(points), { paddingTopLeft: [56, 40], paddingBottomRight: [40, legendBand], maxZoom: 16, animate: false });
}

// ---- alerts: incidents this page did not create ----
function alertFor(inc) {
  if (mine.has(inc.id) || document.querySelector(`#alerts [data-incident-id="${CSS.escape(inc.id)}"]`)) return;
  const box = el("div", { className: "alert" });
  box.dataset.testid = "alert";
  box.dataset.incidentId = inc.id;
  box.setAttribute("role", "status");
  const text = el("span", { className: "alert-text" });
  const x = el("button", { type: "button", className: "alert-close", textContent: "×", tabIndex: -1 });
  x.setAttribute("aria-label", t("dismiss"));
  x.onclick = (e) => { e.stopPropagation(); box.remove(); };
  box.append(el("span", { className: "alert-swatch", innerHTML: incidentSVG(inc.category, 18) }), text, x);
  box.onclick = () => {
    box.remove();
    const now = incidents.get(inc.id) ?? inc;
    fitTo([[now.lat, now.lon]]);
    showTab("incidents");
    select(inc.id);
  };
  box.onmousedown = (e) => e.preventDefault(); // never takes focus
  $("#alerts").prepend(box);
  labelAlert(box);
  alertTimes.push([inc.id, Date.now()]);
}

function labelAlert(box) {
  const inc = incidents.get(box.dataset.incidentId);
  if (!inc) return;
  const time = new Date(inc.received_at).toLocaleTimeString(language() === "id" ? "id-ID" : "en-GB", { hour: "2-digit", minute: "2-digit" });
  box.querySelector(".alert-text").textContent = `${t("newIncident")}: ${categoryLabel(inc.category)} · ${inc.kelurahan.name} · ${time}`;
  box.querySelector(".alert-close").setAttribute("aria-label", t("dismiss"));
}

function dropAlert(id) {
  document.querySelector(`#alerts [data-incident-id="${CSS.escape(id)}"]`)?.remove();
}

// ---- intake ----
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
  pick(lat, lng);
  api("GET", `/api/places/reverse?lat=${lat}&lon=${lng}`)
    .then((r) => {
      const parts = [];
      if (r.street) parts.push(`${r.street.name}, ${r.street.distance_m} m`);
      if (r.place) parts.push(`${r.place.name}, ${r.place.distance_m} m`);
      parts.push(`${r.kelurahan.name}, ${r.kecamatan.name}`);
      pick(lat, lng, parts.join(" · "));
    })
    .catch((err) => notice(() => refusal(err), "warning"));
});

const search = attachPlaceSearch($("#place"), {
  bias: () => { const c = map.getCenter(); return { lat: c.lat, lon: c.lng }; },
  label: (kind) => t(`kind_${kind}`),
  onError: (err) => notice(() => refusal(err), "warning"),
  onNone: () => notice(() => t("noPlace"), "warning"),
  local: (q) => kelurahanMatches(q),
  onPick: (f) => {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    const area = [p.kelurahan?.name, p.kecamatan?.name].filter(Boolean).join(", ");
    pick(lat, lon, [p.name, area].filter(Boolean).join(" · "), p.name);
    map.setView([lat, lon], Math.max(map.getZoom(), 14), { animate: false });
    $("#category").focus();
  },
});

const intake = setupIntakeKeys({
  form: $("#intake-form"), place: $("#place"), chooser: $("#category"), help: $("#help"),
  submit: () => createIncident(),
  onEscape: () => {
    const a = $("#alerts .alert");
    if (a) { a.remove(); return true; }
    return false;
  },
});

async function createIncident() {
  const missing = !picked ? $("#place") : !intake.category() ? $("#category") : !$("#caller").value.trim() ? $("#caller") : null;
  if (missing) {
    missing.focus();
    const key = missing.id === "place" ? "noPoint" : missing.id === "category" ? "noCategory" : "noCaller";
    notice(() => t(key), "warning");
    return;
  }
  const body = {
    category: intake.category(), lat: picked.lat, lon: picked.lon,
    caller: $("#caller").value, description: $("#description").value,
  };
  creating++;
  let inc = null;
  try {
    inc = await call("POST", "/api/incidents", body).catch(() => null);
    if (inc) mine.add(inc.id);
  } finally {
    creating--;
    if (!creating) for (const other of heldCreated.splice(0)) alertFor(other);
  }
  if (!inc) return; // the form is kept
  // the form empties for the next call; the result stays beside it
  for (const f of [$("#place"), $("#caller"), $("#description")]) f.value = "";
  intake.reset();
  picked = null;
  $("#point").textContent = "—";
  if (pickMarker) { map.removeLayer(pickMarker); pickMarker = null; }
  $("#notice").hidden = true;
  current = inc;
  currentRecs = inc.recommendations ?? [];
  updateIncident(inc);
  showResult(inc);
}

function showResult(inc) {
  $("#result").hidden = false;
  $("#result-id").textContent = inc.id;
  $("#result-place").textContent = `· ${categoryLabel(inc.category)} · ${place(inc)}${inc.persisted === false ? " · " + t("notPersisted") : ""}`;
  const list = $("#recommendations");
  list.dataset.incidentId = inc.id;
  list.replaceChildren();
  highlight.clearLayers();
  if (!inc.recommendations.length) list.append(el("li", { textContent: t("noRecs") }));
  const points = [[inc.lat, inc.lon]];
  for (const r of inc.recommendations) {
    const b = el("button", { type: "button", textContent: t("dispatchOne"), className: "dispatch-one" });
    b.dataset.testid = "dispatch-button";
    b.dataset.unitType = r.type;
    b.onclick = () => dispatch([r.unit_id]);
    const li = el("li", {}, el("span", { textContent: `${r.callsign} · ${unitTypeName(r.type)} · ${(r.distance_m / 1000).toFixed(1)} km · ETA ${Math.round(r.eta_s / 60)} min` }), b);
    li.dataset.testid = "recommendation";
    li.dataset.unitId = r.unit_id;
    li.dataset.recUnit = r.unit_id;
    list.append(li);
    const u = units.get(r.unit_id);
    const at = u?.geometry ? [u.geometry.coordinates[1], u.geometry.coordinates[0]] : r.lat != null ? [r.lat, r.lon] : null;
    if (at) {
      points.push(at);
      L.circleMarker(at, { radius: 12, color: "#1570ef", weight: 3, fill: false }).addTo(highlight);
    }
  }
  fitTo(points);
  refreshDispatchButtons();
}

// kelurahanMatches: the kelurahan whose names hold q, at their label points.
let kelurahan = [];
function kelurahanMatches(q) {
  const n = q.toLowerCase();
  return kelurahan.filter((f) => f.properties.name.toLowerCase().includes(n)).map((f) => ({
    type: "Feature", id: `kelurahan:${f.properties.code ?? f.properties.name}`,
    geometry: { type: "Point", coordinates: f.properties.label_point },
    properties: { name: f.properties.name, kind: "kelurahan", kecamatan: f.properties.kecamatan },
  }));
}

// ---- one click, one dispatch ----
let dispatching = false;

function dispatchButtons() {
  return [...document.querySelectorAll(`#recommendations button[data-testid="dispatch-button"]`), $("#dispatch-plan")];
}

// refreshDispatchButtons: a button returns only while the plan still lacks
// a unit of its type, never for a unit assigned already.
function refreshDispatchButtons() {
  const inc = current;
  if (!inc || dispatching) return;
  const open = inc.status === "open";
  const assigned = new Set((inc.assignments ?? []).map((a) => a.unit_id));
  const lacking = (type) => {
    const need = meta.plans.get(inc.category)?.needs.find((n) => n.type === type)?.count ?? 0;
    const have = (inc.assignments ?? []).filter((a) => a.type === type && a.status !== "cleared").length;
    return have < need;
  };
  // a unit sent elsewhere (another console, the API) or no longer available
  // is not offered again: recommendations are of available units only
  const busy = (id) => {
    const elsewhere = working.get(id);
    const status = units.get(id)?.properties.status;
    return (elsewhere && elsewhere !== inc.id) || (status && status !== "available");
  };
  for (const li of document.querySelectorAll("#recommendations li[data-unit-id]")) {
    const b = li.querySelector("button");
    const ok = open && !assigned.has(li.dataset.unitId) && !busy(li.dataset.unitId) && lacking(b.dataset.unitType);
    b.disabled = !ok;
    li.classList.toggle("assigned", assigned.has(li.dataset.unitId));
  }
  const needs = meta.plans.get(inc.category)?.needs ?? [];
  $("#dispatch-plan").disabled = !open || !needs.some((n) => lacking(n.type));
}

async function dispatch(unitIds) {
  const inc = current;
  if (!inc || dispatching) return;
  dispatching = true;
  for (const b of dispatchButtons()) b.disabled = true; // before the request leaves
  let res = null;
  try {
    res = await call("POST", `/api/incidents/${inc.id}/dispatch`, { unit_ids: unitIds }).catch(() => null);
    if (!res) {
      // what was assigned, and where the asked units are now, as the server
      // has it, before any button returns: a 409 may mean a unit was sent
      // elsewhere and the feed has not told us yet
      const [now, ...asked] = await Promise.all([
        api("GET", `/api/incidents/${inc.id}`).catch(() => null),
        ...unitIds.map((id) => api("GET", `/api/units/${encodeURIComponent(id)}`).catch(() => null)),
      ]);
      dispatching = false;
      for (const f of asked) if (f?.id && units.has(f.id)) updateUnit(f, false);
      if (now) updateIncident(now);
      refreshDispatchButtons();
      return;
    }
  } finally {
    dispatching = false;
  }
  dispatched(res);
}

function dispatched(res) {
  highlight.clearLayers();
  updateIncident(res.incident);
  const msg = () => `${t("dispatched")}: ${res.assigned.map((a) => units.get(a.unit_id)?.properties.callsign || a.unit_id).join(", ")}` +
    (res.shortfall.length ? ` · ${t("short")}: ${res.shortfall.map((n) => `${n.count} ${unitTypeName(n.type)}`).join(", ")}` : "");
  notice(msg, res.shortfall.length ? "warning" : "info");
  refreshDispatchButtons();
}
$("#dispatch-plan").onclick = () => dispatch([]);

// ---- tabs, legend, language, offline toggle ----
function showTab(name) {
  for (const b of document.querySelectorAll("nav button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== `tab-${name}`;
}
for (const b of document.querySelectorAll("nav button")) b.onclick = () => showTab(b.dataset.tab);

function legend() {
  const box = $("#legend");
  const section = (title, items) => el("div", { className: "legend-section" }, el("h4", { textContent: title }), ...items);
  const item = (svg, text, attrs = {}) => {
    const d = el("div", { className: "legend-item" }, el("span", { className: "legend-swatch", innerHTML: svg }), el("span", { textContent: text }));
    Object.assign(d.dataset, attrs);
    return d;
  };
  box.replaceChildren(
    section(t("legendUnits"), meta.unitTypes.map((u) => item(shapeSVG(u.shape, "#ffffff", "#1b1f24", 14), language() === "en" ? u.name_en : u.name, { unitType: u.type }))),
    section(t("legendIncidents"), [...meta.plans.values()].map((p) => item(incidentSVG(p.category, 16), categoryLabel(p.category), { category: p.category }))),
    section(t("legendStatus"), Object.entries(STATUS_COLOURS).map(([s, c]) => item(shapeSVG("circle", c, "#1b1f24", 12), st(s), { status: s }))),
  );
}

function relabel() {
  applyLabels();
  $("#lang").textContent = language() === "id" ? "EN" : "ID";
  intake.fill();
  legend();
  setFeed(feedState);
  showLag();
  if ($("#lag").title) $("#lag").title = t("approximate");
  for (const o of document.querySelectorAll("#unit-rows select option")) o.textContent = st(o.value);
  for (const f of units.values()) unitRow(f);
  for (const f of units.values()) drawUnit(f);
  for (const inc of incidents.values()) { drawIncident(inc); incidentRow(inc); }
  for (const a of document.querySelectorAll("#alerts .alert")) labelAlert(a);
  if (selected && incidents.get(selected)) detail(incidents.get(selected));
  if (current) {
    const keep = [...document.querySelectorAll("#recommendations button")].map((b) => b.disabled);
    showResultLabels();
    document.querySelectorAll("#recommendations button").forEach((b, i) => { b.disabled = keep[i]; });
  }
  help();
  if (typeof noticeText === "function") $("#notice-text").textContent = noticeText();
}

function showResultLabels() {
  const inc = current;
  $("#result-place").textContent = `· ${categoryLabel(inc.category)} · ${place(inc)}`;
  for (const li of document.querySelectorAll("#recommendations li[data-unit-id]")) {
    const r = currentRecs.find((x) => x.unit_id === li.dataset.unitId);
    if (!r) continue;
    li.querySelector("span").textContent = `${r.callsign} · ${unitTypeName(r.type)} · ${(r.distance_m / 1000).toFixed(1)} km · ETA ${Math.round(r.eta_s / 60)} min`;
    li.querySelector("button").textContent = t("dispatchOne");
  }
}

function help() {
  const keys = [["/  Ctrl+K", "keyPlace"], ["Enter", "keyPick"], ["1–9", "keyCategory"], ["Tab", "keyNext"], ["Ctrl+Enter", "keySubmit"], ["Esc", "keyEscape"], ["?", "keyHelp"]];
  $("#help-keys").replaceChildren(...keys.flatMap(([k, w]) => [el("dt", {}, el("kbd", { textContent: k })), el("dd", { textContent: t(w) })]));
}

$("#lang").onclick = () => { setLanguage(language() === "id" ? "en" : "id"); relabel(); };
$("#show-offline").onchange = () => { for (const f of units.values()) updateUnit(f, false); };
$("#help-open").onclick = () => { $("#help").hidden = false; };
$("#help-close").onclick = () => { $("#help").hidden = true; };

// ---- live feed ----
function setFeed(state, reason) {
  feedState = state === "resynced" ? "live" : state;
  const f = $("#feed");
  f.dataset.state = feedState;
  f.textContent = t(feedState === "down" ? "feedDown" : feedState === "live" ? "feedLive" : "feedConnecting");
  if (state === "resynced") notice(() => t("feedResynced"), "info");
  if (state === "down") {
    if (reason) f.title = reason;
    // signed out (elsewhere, or the session ended): the form comes back
    api("GET", "/api/me").catch((e) => { if (e.status === 401) signedOut(); });
  }
}

function onLive(msg) {
  switch (msg.type) {
    case "snapshot":
      units.clear();
      unitLayer.clearLayers(); markers.clear();
      $("#unit-rows").replaceChildren();
      unitRows.clear();
      working.clear();
      for (const f of msg.units ?? []) updateUnit(f, false);
      for (const inc of msg.incidents ?? []) updateIncident(inc);
      break;
    case "units":
      for (const f of msg.units ?? []) updateUnit(f, true);
      for (const id of msg.removed ?? []) removeUnit(id);
      break;
    case "incident":
      updateIncident(msg.incident);
      if (msg.action === "created" && !mine.has(msg.incident.id)) {
        if (creating) heldCreated.push(msg.incident); // ours, maybe: decided when our POST answers
        else alertFor(msg.incident);
      }
      if (msg.action === "deadline_warning" || msg.action === "overdue") {
        const inc = msg.incident, key = msg.action === "overdue" ? "sopOverdue" : "sopWarning";
        notice(() => `${t(key)}: ${inc.id} · ${categoryLabel(inc.category)} · ${inc.kelurahan.name} (${meta.agencyName(inc.lead_agency)})`, "warning");
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
  setFeed("connecting");
  const cfg = await api("GET", "/api/config"); // a 401 here means: sign in
  dispatchTargetS = cfg.dispatch_target_s || dispatchTargetS;
  const baseMap = addBaseMap(map, cfg);
  await loadMeta();
  intake.fill();
  legend();
  help();
  // District outlines and names: the map stays useful when tiles fail.
  const [kel, kec] = await Promise.all([call("GET", "/api/areas?level=kelurahan"), call("GET", "/api/areas?level=kecamatan")]);
  kelurahan = kel.features.filter((f) => f.properties.label_point);
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
  window.siaga = { live, lagP95, lagSamples: () => [...lags], alertTimes, units, incidents, lines, markers, incMarkers, history, map, baseMap, search };
  setInterval(() => {
    for (const row of $("#unit-rows").rows) put(row.cells[5], age(row.dataset.reportedAt));
    for (const inc of incidents.values()) incidentRow(inc);
    lastLagP95 = lagP95();
    showLag();
  }, 1000);
}

start().catch(async (e) => {
  if (e.status === 401) return signIn();
  // Agency users have a page of their own.
  if (e.status === 403 && (await api("GET", "/api/me").catch(() => ({})))?.role === "agency") return location.assign("/agency.html");
  notice(() => `start: ${refusal(e)}`);
});
