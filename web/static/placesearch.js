// Place typeahead on GET /api/places: from 2 characters, debounced, biased
// to the map's centre, stale answers dropped; ↑/↓/Enter/Esc and the mouse.
// Self-contained (the dispatcher console reuses it): every string from the
// server goes in as text, never as markup.
import { api } from "./api.js";

// DEBOUNCE_MS: a pause this long in typing asks the server.
export const DEBOUNCE_MS = 120;
export const MIN_CHARS = 2;

// attachPlaceSearch turns input into a typeahead. Options:
//   bias()      → {lat, lon} or null: the point answers are ranked near
//   onPick(f)   ← the chosen GeoJSON Feature
//   onError(e)  ← a failed search (the server's sentence)
//   label(key)  → a word for a kind ("street", "poi", …)
//   limit       answers asked for (default 8)
// It returns {close(), search(q)} for the page and the tests.
//   onNone()    ← a search found nothing, or Enter with no match
//   local(q)    → Features matched in the page (the kelurahan), used when
//                 the server has no /api/places
// Enter while the answer is on its way picks its first match when it comes.
export function attachPlaceSearch(input, { bias = () => null, onPick, onError = () => {}, onNone = () => {}, local = () => [], label = (k) => k, limit = 8 } = {}) {
  const list = document.createElement("ul");
  list.className = "place-results";
  list.id = `${input.id || "place"}-results`;
  list.setAttribute("role", "listbox");
  list.dataset.testid = "place-results";
  list.hidden = true;
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.autocomplete = "off";

  let features = [];
  let active = -1;
  let timer = null;
  let seq = 0; // the latest search asked: older answers are dropped
  let pending = false; // a search is asked or due
  let enterWaiting = false; // Enter came before the answer

  function close() {
    list.hidden = true;
    list.replaceChildren();
    features = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function setActive(i) {
    const rows = list.children;
    if (!rows.length) return;
    active = (i + rows.length) % rows.length;
    for (let j = 0; j < rows.length; j++) rows[j].setAttribute("aria-selected", String(j === active));
    input.setAttribute("aria-activedescendant", rows[active].id);
    rows[active].scrollIntoView({ block: "nearest" });
  }

  function text(tag, cls, s) {
    const e = document.createElement(tag);
    e.className = cls;
    e.textContent = s ?? "";
    return e;
  }

  function render(fc, q) {
    // the exact name first, a kelurahan before a kecamatan of the same name
    // (Enter files the incident at the first's point, which the server
    // locates in that kelurahan; a kecamatan's point may lie in another);
    // the server's order otherwise.
    const rank = (f) => {
      if ((f.properties.name || "").toLowerCase() !== q.toLowerCase()) return 0;
      return f.properties.kind === "kelurahan" ? 2 : 1;
    };
    features = [...(fc.features || [])].sort((a, b) => rank(b) - rank(a));
    list.replaceChildren();
    active = -1;
    features.forEach((f, i) => {
      const p = f.properties;
      const li = document.createElement("li");
      li.id = `${list.id}-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.testid = "place-option";
      li.dataset.placeId = f.id;
      li.append(text("span", "name", p.name));
      if (p.matched) li.append(text("span", "matched", `“${p.matched}”`));
      li.append(text("span", "kind", label(p.kind)));
      const area = [p.kelurahan?.name, p.kecamatan?.name].filter(Boolean).join(", ");
      if (area) li.append(text("span", "area", area));
      // mousedown, not click: it comes before the input's blur.
      li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(i); });
      li.addEventListener("mousemove", () => { if (active !== i) setActive(i); });
      list.append(li);
    });
    list.hidden = features.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
  }

  function pick(i) {
    const f = features[i];
    if (!f) return;
    // a search still due or on its way must not reopen the list over the pick
    clearTimeout(timer);
    seq++;
    pending = enterWaiting = false;
    close();
    input.value = f.properties.name;
    onPick?.(f);
  }

  async function search(q) {
    const mine = ++seq;
    const params = new URLSearchParams({ q, limit: String(limit) });
    const b = bias();
    if (b) { params.set("lat", b.lat.toFixed(6)); params.set("lon", b.lon.toFixed(6)); }
    try {
      const fc = await api("GET", `/api/places?${params}`);
      if (mine !== seq) return; // a newer search was asked meanwhile
      pending = false;
      render(fc, q);
      if (!features.length) { enterWaiting = false; onNone(); } else if (enterWaiting) { enterWaiting = false; pick(0); }
    } catch (e) {
      if (mine !== seq) return;
      if (e.status === 404) { // no place search on this server: the kelurahan alone
        pending = false;
        render({ features: local(q).slice(0, limit) }, q);
        if (!features.length) { enterWaiting = false; onNone(); } else if (enterWaiting) { enterWaiting = false; pick(0); }
        return;
      }
      pending = enterWaiting = false;
      close();
      onError(e);
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    enterWaiting = false;
    if (q.length < MIN_CHARS) { seq++; pending = false; close(); return; }
    pending = true;
    timer = setTimeout(() => search(q), DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (e) => {
    switch (e.key) {
      case "ArrowDown": e.preventDefault(); if (!list.hidden) setActive(active + 1); break;
      case "ArrowUp": e.preventDefault(); if (!list.hidden) setActive(active - 1); break;
      case "Enter":
        e.preventDefault(); // never submits a form
        if (!list.hidden) pick(active < 0 ? 0 : active);
        else if (pending) enterWaiting = true;
        else if (input.value.trim()) onNone();
        break;
      case "Escape": if (!list.hidden) { e.preventDefault(); seq++; close(); } break;
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 0));
  return { close, search };
}
