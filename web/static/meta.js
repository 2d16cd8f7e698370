// The page's one list of names, from GET /api/plans: the categories with
// their labels in both languages, the agencies, the unit types with their
// names and shapes. Shapes are drawn, never font glyphs.
import { api } from "./api.js";
import { language } from "./i18n.js";

export const meta = {
  plans: new Map(),    // category → plan, in the plans file's order
  agencies: new Map(), // code → agency
  unitTypes: [],       // [{type, name, name_en, shape}]
  agencyName(code) {
    const a = this.agencies.get(code);
    return a ? (language() === "en" ? a.name_en || a.name : a.name) : code;
  },
};

export async function loadMeta() {
  const p = await api("GET", "/api/plans");
  meta.plans.clear();
  for (const pl of p.plans) meta.plans.set(pl.category, pl);
  meta.agencies.clear();
  for (const a of p.agencies) meta.agencies.set(a.code, a);
  meta.unitTypes = p.unit_types ?? [];
  return meta;
}

export function categoryLabel(cat) {
  const p = meta.plans.get(cat);
  return p ? (language() === "en" ? p.label_en || p.label : p.label) : cat;
}

export function unitTypeName(type) {
  const u = meta.unitTypes.find((x) => x.type === type);
  return u ? (language() === "en" ? u.name_en : u.name) : type;
}

export function unitShape(type) {
  return meta.unitTypes.find((x) => x.type === type)?.shape ?? "circle";
}

const PALETTE = ["#d92d20", "#e04f16", "#2e90fa", "#1570ef", "#475467", "#7a5af8", "#039855", "#c11574", "#854a0e", "#0e9384", "#4e5ba6", "#b54708"];

// categoryIndex: the category's place in the plans file (its key is N+1).
export function categoryIndex(cat) {
  return [...meta.plans.keys()].indexOf(cat);
}

export function categoryColour(cat) {
  const i = categoryIndex(cat);
  return i < 0 ? "#b42318" : PALETTE[i % PALETTE.length];
}

function points(n, r, c, rot = 0) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const a = rot + (i * 2 * Math.PI) / n;
    out.push(`${(c + r * Math.sin(a)).toFixed(2)},${(c - r * Math.cos(a)).toFixed(2)}`);
  }
  return out.join(" ");
}

// shapeSVG draws a unit type's shape as the map's canvas does.
export function shapeSVG(shape, fill, stroke, size = 14) {
  const c = size / 2, r = size / 2 - 1.5;
  let body;
  switch (shape) {
    case "square": body = `<rect x="${c - r * 0.8}" y="${c - r * 0.8}" width="${r * 1.6}" height="${r * 1.6}"/>`; break;
    case "diamond": body = `<polygon points="${points(4, r, c)}"/>`; break;
    case "triangle": body = `<polygon points="${points(3, r, c + 1)}"/>`; break;
    case "pentagon": body = `<polygon points="${points(5, r, c)}"/>`; break;
    default: body = `<circle cx="${c}" cy="${c}" r="${r}"/>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" fill="${fill}" stroke="${stroke}" stroke-width="1.5" aria-hidden="true">${body}</svg>`;
}

// incidentSVG: an octagon in the category's colour with its key digit.
export function incidentSVG(cat, size = 26) {
  const c = size / 2, i = categoryIndex(cat);
  const digit = i >= 0 && i < 9 ? String(i + 1) : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" aria-hidden="true">` +
    `<polygon points="${points(8, size / 2 - 1, c, Math.PI / 8)}" fill="${categoryColour(cat)}" stroke="#ffffff" stroke-width="2"/>` +
    (digit ? `<text x="${c}" y="${c}" dy="0.35em" text-anchor="middle" font-size="${Math.round(size * 0.5)}" font-weight="700" font-family="sans-serif" fill="#ffffff">${digit}</text>` : "") +
    `</svg>`;
}
