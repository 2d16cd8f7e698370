// The agency's page: its queue of cases ordered by time left on the SOP
// clock, the clock ticking, and its acts (acknowledge, note, done). Every
// string from the server goes in as text, never as markup.
import { api, signIn } from "./api.js";
import { language, setLanguage, invalid } from "./i18n.js";
import { connectLive } from "./live.js";
import { meta, loadMeta, categoryLabel } from "./meta.js";

const words = {
  id: {
    title: "Antrean OPD", queue: "Kasus untuk ditindaklanjuti", hint: "Urut menurut sisa waktu batas SOP (3×24 jam).",
    clock: "Sisa waktu", incident: "Kejadian", category: "Kategori", area: "Wilayah", caller: "Penelepon", state: "Status",
    empty: "Tidak ada kasus terbuka.", received: "Diterima", due: "Batas SOP", ack: "Terima / tindak lanjuti",
    note: "Catatan perkembangan", addNote: "Tambah catatan", outcome: "Hasil penanganan", done: "Tandai selesai",
    notes: "Catatan", acked: "sudah ditindaklanjuti", overdue: "LEWAT BATAS", warning: "segera", doneState: "selesai",
    waiting: "menunggu", feedConnecting: "Menyambung…", feedLive: "Langsung", feedDown: "Terputus — menyambung ulang…", ackedOk: "Kasus diterima.",
    noteOk: "Catatan ditambahkan.", doneOk: "Bagian OPD ditandai selesai.", deadlineWarning: "Peringatan batas SOP",
    deadlineOverdue: "Lewat batas SOP", late: "terlambat",
  },
  en: {
    title: "Agency queue", queue: "Cases to act on", hint: "Ordered by time left on the SOP deadline (3×24 h).",
    clock: "Time left", incident: "Incident", category: "Category", area: "Area", caller: "Caller", state: "State",
    empty: "No open case.", received: "Received", due: "SOP due", ack: "Acknowledge",
    note: "Progress note", addNote: "Add note", outcome: "Outcome", done: "Mark done",
    notes: "Notes", acked: "acknowledged", overdue: "OVERDUE", warning: "soon", doneState: "done",
    waiting: "waiting", feedConnecting: "Connecting…", feedLive: "Live", feedDown: "Disconnected — reconnecting…", ackedOk: "Case acknowledged.",
    noteOk: "Note added.", doneOk: "The agency's part is marked done.", deadlineWarning: "SOP deadline warning",
    deadlineOverdue: "SOP deadline passed", late: "late",
  },
};
const w = (k) => words[language()]?.[k] ?? words.id[k] ?? k;
const $ = (s) => document.querySelector(s);

let queue = { agency: "", deadline_s: 259200, incidents: [] };
let skew = 0; // server clock − page clock, ms
let selected = "";
let feedState = "connecting"; // the live feed's state, re-rendered in the page's language

function showFeed() {
  $("#feed").dataset.state = feedState;
  $("#feed").textContent = w(feedState === "down" ? "feedDown" : feedState === "live" ? "feedLive" : "feedConnecting");
}

function labels() {
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = w(el.dataset.t);
  $("#lang").textContent = language() === "id" ? "EN" : "ID";
  showFeed();
  document.title = `Serang Siaga 112 — ${w("title")}`;
}

function notice(text, level = "info") {
  $("#notice").hidden = false;
  $("#notice").dataset.level = level;
  $("#notice-text").textContent = text;
}

// hms writes seconds as "2 j 05 m 07 d" (Indonesian) or "2 h 05 m 07 s".
function hms(s) {
  s = Math.abs(Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const [uh, us] = language() === "id" ? ["j", "d"] : ["h", "s"];
  return `${h} ${uh} ${String(m).padStart(2, "0")} m ${String(sec).padStart(2, "0")} ${us}`;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  return td;
}

function clockState(inc, left) {
  if (left === null) return "acked";
  if (left < 0) return "overdue";
  if (left < queue.deadline_s / 3) return "warning";
  return "waiting";
}

function render() {
  const rows = queue.incidents.map((inc) => {
    const tr = document.createElement("tr");
    tr.dataset.incidentId = inc.id;
    const clock = cell("");
    clock.className = "clock";
    const mine = inc.mine;
    const state = mine?.done_at ? w("doneState") : inc.agency_acted_at || mine?.acked_at ? w("acked") : w("waiting");
    tr.append(clock, cell(inc.id), cell(categoryLabel(inc.category)), cell(`${inc.kelurahan?.name ?? ""}, ${inc.kecamatan?.name ?? ""}`), cell(inc.caller), cell(state));
    tr.addEventListener("click", () => select(inc.id));
    return tr;
  });
  $("#queue-rows").replaceChildren(...rows);
  $("#empty").hidden = rows.length > 0;
  tick();
  if (selected) detail();
}

// tick redraws every clock from the server's due time, once a second.
function tick() {
  const now = Date.now() + skew;
  for (const tr of document.querySelectorAll("#queue-rows tr")) {
    const inc = queue.incidents.find((i) => i.id === tr.dataset.incidentId);
    if (!inc) continue;
    const left = inc.left_s === null ? null : (Date.parse(inc.agency_due_at) - now) / 1000;
    tr.dataset.clock = clockState(inc, left);
    tr.querySelector(".clock").textContent = left === null ? w("acked") : left < 0 ? `${w("overdue")} ${hms(-left)}` : hms(left);
  }
}

function select(id) {
  selected = id;
  for (const tr of document.querySelectorAll("#queue-rows tr")) tr.classList.toggle("selected", tr.dataset.incidentId === id);
  detail();
}

function detail() {
  const inc = queue.incidents.find((i) => i.id === selected);
  $("#detail").hidden = !inc;
  if (!inc) return;
  $("#d-id").textContent = inc.id;
  $("#d-desc").textContent = inc.description;
  $("#d-received").textContent = new Date(inc.received_at).toLocaleString(language());
  $("#d-due").textContent = new Date(inc.agency_due_at).toLocaleString(language());
  $("#ack").disabled = !!inc.mine?.acked_at;
  $("#done-form button").disabled = !!inc.mine?.done_at;
  $("#notes").replaceChildren(...(inc.notes ?? []).map((n) => {
    const li = document.createElement("li");
    li.textContent = `${new Date(n.at).toLocaleString(language())} — ${n.by}: ${n.text}`;
    return li;
  }));
}

async function load() {
  const before = Date.now();
  queue = await api("GET", "/api/agency/queue");
  skew = Date.parse(queue.now) - (before + Date.now()) / 2;
  $("#agency-code").textContent = meta.agencyName(queue.agency);
  render();
}

async function act(path, body, ok) {
  try {
    await api("POST", `/api/incidents/${encodeURIComponent(selected)}/${path}`, body);
    notice(w(ok), "info");
    await load();
  } catch (e) {
    notice(e.status === 400 ? invalid(e.message) : e.message, "error");
  }
}

async function start() {
  labels();
  $("#lang").addEventListener("click", () => {
    setLanguage(language() === "id" ? "en" : "id");
    labels();
    $("#agency-code").textContent = meta.agencyName(queue.agency);
    render();
  });
  $("#notice-close").addEventListener("click", () => { $("#notice").hidden = true; });
  $("#ack").addEventListener("click", () => act("ack", undefined, "ackedOk"));
  $("#note-form").addEventListener("submit", (e) => {
    e.preventDefault();
    act("notes", { text: $("#note").value }, "noteOk").then(() => { $("#note").value = ""; });
  });
  $("#done-form").addEventListener("submit", (e) => {
    e.preventDefault();
    act("done", { outcome: $("#outcome").value }, "doneOk");
  });
  await loadMeta(); // category labels and agency names, never codes
  await load();
  setInterval(tick, 1000);
  setInterval(() => load().catch(() => {}), 30000);
  connectLive({
    onMessage: (msg) => {
      if (msg.type !== "incident") return;
      if (msg.action === "deadline_warning" || msg.action === "overdue") {
        notice(`${w(msg.action === "overdue" ? "deadlineOverdue" : "deadlineWarning")}: ${msg.incident.id}`, "warning");
      }
      load().catch(() => {});
    },
    onState: (state) => {
      feedState = state === "resynced" ? "live" : state;
      showFeed();
      if (state === "resynced") load().catch(() => {});
    },
  });
}

start().catch((e) => (e.status === 401 ? signIn() : notice(e.message, "error")));
