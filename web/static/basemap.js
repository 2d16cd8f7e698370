// The page's base map: the tile server's (--tiles), the offline map the
// server draws from its OpenStreetMap extract (--osm), or the tiles with
// the offline map behind them, taken by itself when the tiles fail (a
// centre's internet is often the first thing a disaster cuts). Leaflet is
// the global L; Leaflet.VectorGrid is loaded from this server only when
// the offline map is drawn.
import { t } from "./i18n.js";

// GROUND is the land's colour: the offline map's commonest.
export const GROUND = "#ece8df";

// Roads by highway class: colour and width in pixels at zoom 16. Every
// colour stands well off the ground (≥ 70 summed RGB levels), so every
// way shows; unknown classes are grey.
const ROADS = {
  motorway: ["#e3566c", 7], motorway_link: ["#e3566c", 4], trunk: ["#f08a4b", 6.5], trunk_link: ["#f08a4b", 4],
  primary: ["#f5b041", 6], primary_link: ["#f5b041", 4], secondary: ["#e8d44d", 5.5], secondary_link: ["#e8d44d", 4],
  tertiary: ["#ffffff", 5], tertiary_link: ["#ffffff", 4], residential: ["#ffffff", 4], unclassified: ["#ffffff", 4],
  living_street: ["#f4f4f4", 4], road: ["#f4f4f4", 4], service: ["#ffffff", 3], pedestrian: ["#c8c3d6", 3],
  track: ["#8d6e3f", 2], footway: ["#d9534f", 2], path: ["#d9534f", 2], cycleway: ["#3b6fd8", 2],
  bridleway: ["#5a9e4b", 2], steps: ["#d9534f", 2.5],
};
const OTHER_ROAD = ["#7d7d7d", 2];
const LANDUSE = {
  forest: "#b5d29f", wood: "#b5d29f", scrub: "#c5d9a5", park: "#c8e6b0", garden: "#c8e6b0", grass: "#cfe8b4",
  pitch: "#aad9a0", playground: "#cfe8b4", cemetery: "#aacbaf", farmland: "#eef0c0", meadow: "#d8ebb5",
  residential: "#e2ddd6", commercial: "#ecd9de", retail: "#ecd9de", industrial: "#e3d8e6", wetland: "#c4dcd0",
  beach: "#f5e9c6", sand: "#f5e9c6",
};

// width scales a zoom-16 width to zoom z: halved every two zooms out.
const width = (w, z) => Math.max(0.8, Math.min(24, w * 2 ** ((z - 16) / 2)));

const STYLES = {
  landuse: (p) => ({ fill: true, stroke: false, fillColor: LANDUSE[p.class] ?? "#dfe3cf", fillOpacity: 1 }),
  water: () => ({ fill: true, stroke: false, fillColor: "#9ecae1", fillOpacity: 1 }),
  waterway: (p, z) => ({ color: "#6baed6", weight: width(p.class === "river" || p.class === "canal" ? 4 : 1.5, z), opacity: 1, lineCap: "round", lineJoin: "round" }),
  building: (p, z) => ({ fill: true, fillColor: "#d3c6b8", fillOpacity: 1, color: "#b9a896", weight: z >= 16 ? 0.6 : 0, stroke: z >= 16 }),
  road: (p, z) => {
    const [color, w] = ROADS[p.class] ?? OTHER_ROAD;
    return { color, weight: width(w, z), opacity: 1, lineCap: "round", lineJoin: "round" };
  },
  place: () => [], // drawn as text by labels(), not as dots
};

let vectorGrid = null;
function loadVectorGrid() {
  vectorGrid ??= new Promise((resolve, reject) => {
    if (L.vectorGrid) return resolve();
    const s = document.createElement("script");
    s.src = "/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js";
    s.onload = () => resolve();
    s.onerror = () => { vectorGrid = null; reject(new Error("Leaflet.VectorGrid did not load")); };
    document.head.append(s);
  });
  return vectorGrid;
}

// addBaseMap puts the base map /api/config names under the page's layers
// and returns { layer, offline }: offline resolves to the offline map's
// layer once it is drawn (at once with --osm alone; after a fall back).
export function addBaseMap(map, cfg) {
  const bm = cfg.basemap;
  if (!cfg.tiles) {
    return { layer: null, offline: bm ? showOffline(map, bm, null) : Promise.resolve(null) };
  }
  const online = L.tileLayer(cfg.tiles, { attribution: cfg.tiles_attribution, maxZoom: 19 }).addTo(map);
  if (!bm) return { layer: online, offline: Promise.resolve(null) };
  loadVectorGrid().catch(() => {}); // ready before the tiles have failed
  let fallback;
  const offline = new Promise((resolve) => { fallback = resolve; });
  let loaded = 0, failedInARow = 0, timer = null, gone = false;
  const fallBack = () => {
    if (gone) return;
    gone = true;
    clearTimeout(timer);
    map.removeLayer(online);
    fallback(showOffline(map, bm, "basemapFallback"));
  };
  online.on("tileloadstart", () => {
    // A cut network often swallows requests instead of refusing them.
    timer ??= setTimeout(() => { if (!loaded) fallBack(); }, 8000);
  });
  online.on("tileload", () => { loaded++; failedInARow = 0; });
  online.on("tileerror", () => {
    if (++failedInARow >= (loaded ? 6 : 2)) fallBack();
  });
  return { layer: online, offline };
}

async function showOffline(map, bm, why) {
  await loadVectorGrid();
  map.getContainer().style.background = GROUND;
  const layer = L.vectorGrid.protobuf(bm.url, {
    rendererFactory: L.canvas.tile, vectorTileLayerStyles: STYLES, interactive: false,
    maxZoom: 20, attribution: bm.attribution, className: "basemap-offline",
  });
  labels(layer);
  layer.addTo(map);
  if (why) notice(map, why);
  return layer;
}

// labels draws place names on the tile canvases, as plain text (the
// server sends only names of letters, digits and punctuation). Each name
// comes in the one tile that holds its point and is kept inside it.
function labels(layer) {
  const byTile = new Map();
  const key = (c) => `${c.z}/${c.x}/${c.y}`;
  const fetchTile = layer._getVectorTilePromise;
  layer._getVectorTilePromise = function (coords, ...rest) {
    return fetchTile.call(this, coords, ...rest).then((vt) => {
      const places = vt.layers?.place;
      if (places) {
        delete vt.layers.place;
        const s = 256 / places.extent;
        byTile.set(key(coords), places.features.map((f) => ({
          name: String(f.properties.name ?? ""), cls: f.properties.class, x: f.geometry[0][0].x * s, y: f.geometry[0][0].y * s,
        })));
      }
      return vt;
    });
  };
  layer.on("tileload", (e) => {
    const list = byTile.get(key(e.coords));
    const ctx = e.tile.getContext?.("2d");
    if (!list || !ctx) return;
    for (const p of list) {
      const big = p.cls === "city" || p.cls === "town" || p.cls === "suburb";
      ctx.font = `${big ? "600 14px" : "500 12px"} sans-serif`;
      const w = ctx.measureText(p.name).width;
      const x = Math.max(3, Math.min(253 - w, p.x - w / 2));
      const y = Math.max(16, Math.min(251, p.y + 5));
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.lineJoin = "round";
      ctx.strokeText(p.name, x, y);
      ctx.fillStyle = "#3b3b3b";
      ctx.fillText(p.name, x, y);
    }
  });
  layer.on("tileunload", (e) => byTile.delete(key(e.coords)));
}

// notice says on the map why it is the offline one, in the page's
// language (applyLabels re-renders it when the language changes).
function notice(map, why) {
  const Notice = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd() {
      const el = L.DomUtil.create("div", "basemap-notice");
      el.dataset.testid = "basemap-notice";
      el.dataset.i18n = why;
      el.setAttribute("role", "status");
      el.textContent = t(why);
      Object.assign(el.style, { background: "#fff8e1", color: "#5d4300", padding: "4px 8px", borderRadius: "4px", border: "1px solid #e0c36a", maxWidth: "28em" });
      return el;
    },
  });
  new Notice().addTo(map);
}
