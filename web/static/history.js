// History on the map: geofences drawn, region events as they happen, and
// the replay of a unit's or an incident's units' tracks with a time slider
// (GET /api/units/{id}/track, /api/units/{id}/events, /api/geofences).
import { api, asText } from "./api.js";
import { t } from "./i18n.js";

const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};
const FENCE_COLOURS = { hospital: "#b42318", station: "#1a7f37", depot: "#667085", other: "#0b3d91" };
const TRACK_COLOURS = ["#1570ef", "#dc6803", "#7a5af8", "#1a7f37", "#b42318", "#0e9384"];

// setupHistory wires the history tab; ctx is what app.js shares.
export function setupHistory({ map, units, incidents, notice }) {
  const fenceLayer = L.layerGroup().addTo(map);
  const replayLayer = L.layerGroup().addTo(map);
  const fences = new Map(); // id → layer
  let tracks = [];          // [{unit, callsign, points: [{t, lat, lon, speed, heading}], marker}]
  let span = null;          // {from, to} ms
  let timer = null;

  // ---- geofences ----
  async function loadFences() {
    const fc = await api("GET", "/api/geofences").catch(() => null);
    if (!fc) return;
    fenceLayer.clearLayers();
    fences.clear();
    for (const f of fc.features) {
      const p = f.properties, colour = FENCE_COLOURS[p.kind] || "#0b3d91";
      const style = { color: colour, weight: 2, dashArray: "4 3", fillOpacity: 0.08, className: "geofence" };
      const layer = f.geometry.type === "Point"
        ? L.circle([f.geometry.coordinates[1], f.geometry.coordinates[0]], { ...style, radius: p.radius_m })
        : L.geoJSON(f, { style });
      layer.bindTooltip(asText(`${p.name} · ${t("fence_" + p.kind)}`));
      layer.addTo(fenceLayer);
      fences.set(f.id, layer);
    }
  }

  // ---- region events, live ----
  function regionEvent(e) {
    const u = units.get(e.unit_id);
    const who = u?.properties.callsign || e.unit_id;
    const li = el("li", { textContent: `${new Date(e.at).toLocaleTimeString()} · ${who} ${t(e.kind === "enter" ? "entered" : "left")} ${e.region}` });
    li.dataset.regionUnit = e.unit_id;
    li.dataset.regionKind = e.kind;
    li.dataset.regionId = e.region_id;
    const log = $("#region-log");
    log.prepend(li);
    while (log.children.length > 50) log.lastChild.remove();
  }

  // ---- replay ----
  function fillChoices() {
    const sel = $("#replay-subject");
    const keep = sel.value;
    const opts = [el("option", { value: "", textContent: "—" })];
    for (const [id, f] of [...units].sort()) opts.push(el("option", { value: `unit:${id}`, textContent: `${t("unit")} ${f.properties.callsign || id}` }));
    for (const [id, inc] of incidents) opts.push(el("option", { value: `incident:${id}`, textContent: `${t("incident")} ${id}` }));
    sel.replaceChildren(...opts);
    sel.value = keep;
  }

  function localInput(ms) { // a datetime-local value in the browser's zone
    const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
    return d.toISOString().slice(0, 16);
  }

  $("#replay-subject").addEventListener("focus", fillChoices);
  $("#replay-subject").addEventListener("change", () => {
    const [kind, id] = $("#replay-subject").value.split(/:(.*)/);
    const now = Date.now();
    let from = now - 3600e3, to = now + 60e3;
    if (kind === "incident") {
      const inc = incidents.get(id);
      from = Date.parse(inc.received_at) - 10 * 60e3;
      to = inc.closed_at ? Date.parse(inc.closed_at) + 60e3 : now + 60e3;
    }
    $("#replay-from").value = localInput(from);
    $("#replay-to").value = localInput(to);
  });

  async function replay() {
    stop();
    const [kind, id] = $("#replay-subject").value.split(/:(.*)/);
    if (!kind) return;
    const ids = kind === "unit" ? [id] : [...new Set((incidents.get(id)?.assignments ?? []).map((a) => a.unit_id))];
    const from = new Date($("#replay-from").value).toISOString(), to = new Date($("#replay-to").value).toISOString();
    replayLayer.clearLayers();
    tracks = [];
    const bounds = L.latLngBounds([]);
    for (const [i, uid] of ids.entries()) {
      const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
      const fc = await api("GET", `/api/units/${encodeURIComponent(uid)}/track?${q}`).catch((e) => { notice(e.message, "warning"); return null; });
      if (!fc) continue;
      const points = fc.features.filter((f) => f.properties.kind === "fix").map((f) => ({
        t: Date.parse(f.properties.at), lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1],
        speed: f.properties.speed_kmh, heading: f.properties.heading,
      }));
      if (!points.length) continue;
      const colour = TRACK_COLOURS[i % TRACK_COLOURS.length];
      const ll = points.map((p) => [p.lat, p.lon]);
      L.polyline(ll, { color: colour, weight: 3, opacity: 0.7, className: "replay-track" }).addTo(replayLayer);
      const marker = L.circleMarker(ll[0], { radius: 8, color: "#1b1f24", weight: 2, fillColor: colour, fillOpacity: 1, className: "replay-marker" }).addTo(replayLayer);
      const callsign = units.get(uid)?.properties.callsign || uid;
      marker.bindTooltip(asText(callsign), { permanent: true, direction: "top", offset: [0, -8] });
      ll.forEach((p) => bounds.extend(p));
      const evs = await api("GET", `/api/units/${encodeURIComponent(uid)}/events?${q}`).catch(() => ({ events: [] }));
      for (const e of evs.events) {
        if (e.lat == null) continue;
        L.circleMarker([e.lat, e.lon], { radius: 4, color: e.kind === "enter" ? "#1a7f37" : "#b42318", weight: 2, className: "replay-region" })
          .bindTooltip(asText(`${t(e.kind === "enter" ? "entered" : "left")} ${e.region} · ${new Date(e.at).toLocaleTimeString()}`)).addTo(replayLayer);
      }
      tracks.push({ unit: uid, callsign, points, marker });
    }
    const slider = $("#replay-slider");
    if (!tracks.length) {
      slider.disabled = true;
      $("#replay-time").textContent = t("noTrack");
      $("#replay-panel").dataset.points = "0";
      return;
    }
    span = { from: Math.min(...tracks.map((k) => k.points[0].t)), to: Math.max(...tracks.map((k) => k.points.at(-1).t)) };
    slider.disabled = false;
    slider.min = 0;
    slider.max = Math.max(1, Math.round((span.to - span.from) / 1000));
    slider.value = 0;
    $("#replay-panel").dataset.points = String(tracks.reduce((n, k) => n + k.points.length, 0));
    map.fitBounds(bounds.pad(0.2), { maxZoom: 16 });
    seek(0);
  }

  // seek puts each unit where it was s seconds into the replay (its last
  // fix at or before that time; before its first, its first).
  function seek(s) {
    if (!span) return;
    const at = span.from + s * 1000;
    for (const k of tracks) {
      let i = 0;
      while (i + 1 < k.points.length && k.points[i + 1].t <= at) i++;
      const p = k.points[i];
      k.marker.setLatLng([p.lat, p.lon]);
      k.shown = p;
    }
    const p = tracks[0]?.shown;
    $("#replay-time").textContent = `${new Date(at).toLocaleString()}${p?.speed != null ? ` · ${Math.round(p.speed)} km/j` : ""}`;
    $("#replay-panel").dataset.at = new Date(at).toISOString();
    // The markers are drawn on the canvas: the panel says where the first is.
    $("#replay-panel").dataset.markerAt = p ? new Date(p.t).toISOString() : "";
  }

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    $("#replay-play").textContent = t("play");
  }

  $("#replay-go").onclick = () => replay();
  $("#replay-slider").addEventListener("input", (e) => { stop(); seek(Number(e.target.value)); });
  $("#replay-play").onclick = () => {
    if (timer) { stop(); return; }
    const slider = $("#replay-slider");
    if (slider.disabled) return;
    $("#replay-play").textContent = t("pause");
    const step = Math.max(1, Math.round(Number(slider.max) / 200)); // the whole track in ~20 s
    timer = setInterval(() => {
      const v = Math.min(Number(slider.max), Number(slider.value) + step);
      slider.value = v;
      seek(v);
      if (v >= Number(slider.max)) stop();
    }, 100);
  };
  $("#replay-clear").onclick = () => { stop(); replayLayer.clearLayers(); tracks = []; span = null; $("#replay-slider").disabled = true; };

  loadFences();
  return { regionEvent, loadFences, fences, tracks: () => tracks, seek };
}
