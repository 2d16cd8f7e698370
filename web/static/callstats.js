// Call statistics on the planner's page: calls per hour of the week (WIB),
// the outcomes' shares and the repeat callers, over the planner's dates.
import { api } from "./api.js";
import { language } from "./i18n.js";

const words = {
  id: { calls: "Panggilan 112", repeat: "Penelepon berulang", total: "panggilan", numbers: "nomor", repeaters: "nomor berulang",
    days: ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"], emergency: "darurat", information: "informasi", prank: "iseng", ghost: "kosong", duplicate: "ganda",
    regulated: "iseng/kosong" },
  en: { calls: "112 calls", repeat: "Repeat callers", total: "calls", numbers: "numbers", repeaters: "repeat numbers",
    days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], emergency: "emergency", information: "information", prank: "prank", ghost: "ghost", duplicate: "duplicate",
    regulated: "prank/ghost" },
};
const w = (k) => words[language()]?.[k] ?? words.id[k] ?? k;
const $ = (s) => document.querySelector(s);

function li(text) {
  const e = document.createElement("li");
  e.textContent = text;
  return e;
}

function render(st) {
  for (const e of document.querySelectorAll("[data-cs]")) e.textContent = w(e.dataset.cs);
  $("#cs-summary").textContent = `${st.total} ${w("total")} · ${st.distinct_numbers} ${w("numbers")} · ${st.repeat_callers_total} ${w("repeaters")}`;
  $("#cs-outcomes").replaceChildren(...st.outcomes.map((o) => {
    const e = li(`${w(o.outcome)}: ${o.count} (${(o.share * 100).toFixed(1)}%)`);
    e.dataset.outcome = o.outcome;
    return e;
  }));
  const max = Math.max(1, ...st.by_hour_of_week.flat());
  const head = document.createElement("tr");
  head.append(document.createElement("th"));
  for (let h = 0; h < 24; h += 1) {
    const th = document.createElement("th");
    th.textContent = h % 6 === 0 ? String(h) : "";
    head.append(th);
  }
  $("#cs-week thead").replaceChildren(head);
  $("#cs-week tbody").replaceChildren(...st.by_hour_of_week.map((hours, d) => {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = w("days")[d];
    tr.append(th);
    for (const n of hours) {
      const td = document.createElement("td");
      td.title = String(n);
      td.dataset.n = n;
      td.style.background = n ? `rgba(11, 61, 145, ${0.15 + 0.85 * (n / max)})` : "";
      tr.append(td);
    }
    return tr;
  }));
  $("#cs-repeat").replaceChildren(...st.repeat_callers.slice(0, 10).map((r) => li(`${r.number}: ${r.calls} (${w("regulated")} ${r.regulated})`)));
}

async function load() {
  const from = $("#from")?.value, to = $("#to")?.value;
  const q = new URLSearchParams();
  if (from) q.set("from", from);
  if (to) q.set("to", to);
  try {
    render(await api("GET", `/api/calls/stats?${q}`));
  } catch (e) {
    $("#cs-summary").textContent = e.message;
  }
}

for (const id of ["#from", "#to"]) $(id)?.addEventListener("change", load);
$("#lang")?.addEventListener("click", () => setTimeout(load, 0));
load();
