// The intake by keyboard (issue 26 item 4): "/" or Ctrl+K to the place,
// Enter picks (placesearch.js), digits 1–9 choose the category in its one
// tab stop, Tab to the caller and the description, Ctrl+Enter submits,
// "?" the help, Esc closes it.
import { meta, categoryLabel } from "./meta.js";

export function isTextField(e) {
  if (!e) return false;
  if (e.isContentEditable || e.tagName === "TEXTAREA" || e.tagName === "SELECT") return true;
  return e.tagName === "INPUT" && !["checkbox", "radio", "button", "submit", "range", "file", "reset"].includes(e.type);
}

export function setupIntakeKeys({ form, place, chooser, help, submit, onEscape }) {
  let chosen = "";

  function choose(cat) {
    chosen = cat;
    for (const r of chooser.querySelectorAll("[role=radio]")) r.setAttribute("aria-checked", String(r.dataset.category === cat));
  }

  function fill() {
    const radios = [...meta.plans.values()].map((p, i) => {
      const r = document.createElement("span");
      r.setAttribute("role", "radio");
      r.dataset.category = p.category;
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = categoryLabel(p.category);
      if (i < 9) {
        r.setAttribute("aria-keyshortcuts", String(i + 1));
        const k = document.createElement("kbd");
        k.textContent = String(i + 1);
        k.setAttribute("aria-hidden", "true");
        r.append(k, " ");
      }
      r.append(label);
      r.addEventListener("mousedown", (e) => { e.preventDefault(); choose(p.category); chooser.focus(); });
      return r;
    });
    chooser.replaceChildren(...radios);
    choose(chosen);
  }

  chooser.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    const cats = [...meta.plans.keys()];
    if (/^[1-9]$/.test(e.key)) {
      e.preventDefault();
      const cat = cats[Number(e.key) - 1];
      if (cat) choose(cat);
    } else if (["ArrowDown", "ArrowRight", "ArrowUp", "ArrowLeft"].includes(e.key)) {
      e.preventDefault();
      const step = e.key === "ArrowDown" || e.key === "ArrowRight" ? 1 : -1;
      const i = cats.indexOf(chosen);
      choose(cats[(i + step + cats.length) % cats.length]);
    } else if (e.key === "Enter" && !e.ctrlKey) {
      e.preventDefault();
    }
  });

  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    } else if (e.key === "Enter" && e.target.tagName === "INPUT") {
      e.preventDefault(); // Enter alone never sends the report
    }
  });
  form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });

  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      if (!help.hidden) { help.hidden = true; e.preventDefault(); return; }
      if (!isTextField(document.activeElement) || document.activeElement === place && !place.value) {
        if (onEscape()) e.preventDefault();
      }
      return;
    }
    if (isTextField(document.activeElement)) return;
    if ((e.key === "/" && !e.ctrlKey && !e.altKey && !e.metaKey) || (e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey))) {
      e.preventDefault();
      place.value = "";
      place.dispatchEvent(new Event("input"));
      place.focus();
    } else if (e.key === "?") {
      e.preventDefault();
      help.hidden = false;
    }
  });

  return { category: () => chosen, reset: () => choose(""), fill };
}
