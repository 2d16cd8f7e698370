// Labels in Indonesian (default) and English.
const words = {
  id: {
    planner: "Perencana", feedConnecting: "Menyambung…", feedLive: "Langsung", feedDown: "Terputus — menyambung ulang…",
    feedResynced: "Tersambung kembali; data disinkronkan ulang.",
    showOffline: "Tampilkan unit offline", tabIncidents: "Kejadian", tabUnits: "Unit",
    place: "Tempat (jalan, gedung, kelurahan) atau klik peta", placeHint: "Ketik jalan, tempat, simpang (A & B) atau kelurahan…", point: "Titik",
    kind_street: "jalan", kind_poi: "tempat", kind_intersection: "simpang", kind_kelurahan: "kelurahan", kind_kecamatan: "kecamatan",
    kind_landmark: "penanda", kind_building: "gedung", kind_facility: "fasilitas", kind_other: "lainnya",
    category: "Kategori", caller: "Nomor penelepon", description: "Keterangan", create: "Buat laporan",
    incident: "Kejadian", dispatchPlan: "Kirim sesuai rencana",
    area: "Wilayah", status: "Status", since: "Sejak",
    callsign: "Unit", type: "Jenis", liveness: "Sinyal", age: "Laporan terakhir",
    ack: "Tandai ditindaklanjuti", close: "Tutup kejadian", prank: "Tandai telepon iseng/kosong",
    noPoint: "Pilih titik kejadian: klik peta atau ketik nama tempat.", noRecs: "Tidak ada unit tersedia saat ini.",
    dispatched: "Unit dikirim", short: "Kurang", blocked: "Nomor diblokir sampai", pranks: "telepon iseng",
    proposed: "diusulkan blokir permanen ke kementerian", lag: "jeda p95", approximate: "lokasi perkiraan (tanpa batas resmi)",
    overdue: "LEWAT BATAS", synthetic: "SINTETIS (demo)", setStatus: "Ubah status", lastKnown: "posisi terakhir",
    live: "langsung", stale: "lama", offline: "offline",
    available: "tersedia", dispatched_s: "dikirim", en_route: "menuju lokasi", on_scene: "di lokasi",
    transporting: "mengantar", at_hospital: "di RS", returning: "kembali", out_of_service: "tidak bertugas", cleared: "selesai",
    open: "terbuka", closed: "ditutup",
    tabHistory: "Riwayat", replaySubject: "Unit atau kejadian", from: "Dari", to: "Sampai", replay: "Tampilkan jejak",
    play: "Putar", pause: "Jeda", clear: "Hapus", regionEvents: "Masuk/keluar area", unit: "Unit", noTrack: "Tidak ada jejak pada rentang ini.",
    entered: "masuk", left: "keluar", fence_hospital: "rumah sakit", fence_station: "pos/markas", fence_depot: "depo", fence_other: "area",
    basemapFallback: "Peta daring tidak terjangkau: memakai peta dasar luring dari ekstrak OSM server.",
    helpButton: "Pintasan (?)", assigned: "Unit", createHint: "Ctrl+Enter", close_: "Tutup", helpTitle: "Pintasan papan ketik",
    errNetwork: "Server tidak terjangkau; coba lagi.", errForbidden: "Ditolak: nomor penelepon diblokir atau akses tidak diizinkan.",
    errConflict: "Unit sudah ditugaskan atau kejadian sudah berubah; daftar diperbarui.", errOutside: "Titik berada di luar Kota Serang.",
    errThrottled: "Terlalu banyak permintaan; tunggu sebentar.", signedBackIn: "Sudah masuk lagi.",
    minutes: "mnt", hours: "jam", minutesShort: "mnt",
    state_received: "diterima", state_dispatched: "dikirim", state_en_route: "menuju lokasi", state_on_scene: "di lokasi",
    state_transporting: "mengantar", state_at_hospital: "di RS", state_cleared: "unit selesai", state_closed: "ditutup",
    moreUnits: "Tambah unit sesuai rencana", dismiss: "Tutup peringatan", newIncident: "Kejadian baru",
    noPlace: "Tempat tidak ditemukan; periksa ejaan atau klik peta.", noCategory: "Pilih kategori (angka 1–9).", noCaller: "Isi nomor penelepon.",
    notPersisted: "belum tersimpan", dispatchOne: "Kirim", legendUnits: "Unit", legendIncidents: "Kejadian", legendStatus: "Status unit",
    keyPlace: "cari tempat", keyPick: "pilih tempat pertama", keyCategory: "pilih kategori ke-N", keyNext: "nomor penelepon, lalu keterangan",
    keySubmit: "kirim laporan", keyEscape: "tutup bantuan atau peringatan", keyHelp: "bantuan ini",
    sopOverdue: "Lewat batas SOP", sopWarning: "Peringatan batas SOP",
    signInNeeded: "Belum masuk.", signInTitle: "Masuk", signInName: "Nama", signInPassword: "Kata sandi", signIn: "Masuk",
    signInWrong: "Nama atau kata sandi salah.", signInThrottled: "Terlalu banyak percobaan. Tunggu sebentar, lalu coba lagi.",
    signInNoServer: "Server tidak terjangkau. Periksa jaringan, lalu coba lagi.", signInFailed: "Gagal masuk. Coba lagi.",
    signedOut: "Sesi berakhir: masuk lagi. Isian laporan tetap tersimpan.",
    errPhone: "Nomor penelepon tidak valid: 3–16 angka (boleh spasi, tanda hubung, kurung, awalan +62, 62, 0062 atau 0).",
    errControl: "{field}: berisi karakter kendali (tak terlihat); hapus lalu ketik ulang.",
    errTooLong: "{field} terlalu panjang: {n} byte, paling banyak {max}.", errFieldType: "{field}: isian tidak valid.",
    errInvalid: "Isian tidak valid; periksa formulir.", errCategory: "Kategori tidak dikenal.",
    field_caller: "Nomor penelepon", field_description: "Keterangan", field_category: "Kategori", field_lat: "Titik", field_lon: "Titik",
    field_text: "Catatan", field_outcome: "Hasil penanganan", field_name: "Nama", field_status: "Status",
  },
  en: {
    planner: "Planner", feedConnecting: "Connecting…", feedLive: "Live", feedDown: "Disconnected — reconnecting…",
    feedResynced: "Reconnected; data resynchronised.",
    showOffline: "Show offline units", tabIncidents: "Incidents", tabUnits: "Units",
    place: "Place (street, building, kelurahan) or click the map", placeHint: "Type a street, place, crossing (A & B) or kelurahan…", point: "Point",
    kind_street: "street", kind_poi: "place", kind_intersection: "crossing", kind_kelurahan: "kelurahan", kind_kecamatan: "kecamatan",
    kind_landmark: "landmark", kind_building: "building", kind_facility: "facility", kind_other: "other",
    category: "Category", caller: "Caller's number", description: "Description", create: "Create report",
    incident: "Incident", dispatchPlan: "Dispatch by plan",
    area: "Area", status: "Status", since: "Since",
    callsign: "Unit", type: "Type", liveness: "Signal", age: "Last report",
    ack: "Mark acted on", close: "Close incident", prank: "Mark prank/ghost call",
    noPoint: "Pick the incident's point: click the map or type a place.", noRecs: "No unit available now.",
    dispatched: "Dispatched", short: "Short of", blocked: "Number blocked until", pranks: "prank calls",
    proposed: "proposed to the ministry for a permanent block", lag: "lag p95", approximate: "approximate location (no official boundaries)",
    overdue: "OVERDUE", synthetic: "SYNTHETIC (demo)", setStatus: "Set status", lastKnown: "last known",
    live: "live", stale: "stale", offline: "offline",
    available: "available", dispatched_s: "dispatched", en_route: "en route", on_scene: "on scene",
    transporting: "transporting", at_hospital: "at hospital", returning: "returning", out_of_service: "out of service", cleared: "cleared",
    open: "open", closed: "closed",
    tabHistory: "History", replaySubject: "Unit or incident", from: "From", to: "To", replay: "Show tracks",
    play: "Play", pause: "Pause", clear: "Clear", regionEvents: "Area enter/leave", unit: "Unit", noTrack: "No track in this window.",
    entered: "entered", left: "left", fence_hospital: "hospital", fence_station: "station", fence_depot: "depot", fence_other: "area",
    basemapFallback: "Online map unreachable: showing the offline base map from the server's OSM extract.",
    helpButton: "Shortcuts (?)", assigned: "Units", createHint: "Ctrl+Enter", close_: "Close", helpTitle: "Keyboard shortcuts",
    errNetwork: "The server cannot be reached; try again.", errForbidden: "Refused: the caller's number is blocked or this is not allowed.",
    errConflict: "A unit was assigned already or the incident changed; the list is up to date.", errOutside: "The point is outside Kota Serang.",
    errThrottled: "Too many requests; wait a moment.", signedBackIn: "Signed in again.",
    minutes: "min", hours: "h", minutesShort: "min",
    state_received: "received", state_dispatched: "dispatched", state_en_route: "en route", state_on_scene: "on scene",
    state_transporting: "transporting", state_at_hospital: "at hospital", state_cleared: "units cleared", state_closed: "closed",
    moreUnits: "More units by plan", dismiss: "Dismiss alert", newIncident: "New incident",
    noPlace: "No such place; check the spelling or click the map.", noCategory: "Choose a category (keys 1–9).", noCaller: "Enter the caller's number.",
    notPersisted: "not saved yet", dispatchOne: "Dispatch", legendUnits: "Units", legendIncidents: "Incidents", legendStatus: "Unit status",
    keyPlace: "search a place", keyPick: "pick the first place", keyCategory: "choose the N-th category", keyNext: "caller's number, then description",
    keySubmit: "send the report", keyEscape: "close the help or an alert", keyHelp: "this help",
    sopOverdue: "SOP deadline passed", sopWarning: "SOP deadline warning",
    signInNeeded: "Not signed in.", signInTitle: "Sign in", signInName: "Name", signInPassword: "Password", signIn: "Sign in",
    signInWrong: "Wrong name or password.", signInThrottled: "Too many attempts. Wait a moment, then try again.",
    signInNoServer: "The server cannot be reached. Check the network, then try again.", signInFailed: "Sign-in failed. Try again.",
    signedOut: "Session ended: sign in again. The report you were typing is kept.",
    errPhone: "Invalid caller's number: 3–16 digits (spaces, dashes, parentheses and a leading +62, 62, 0062 or 0 allowed).",
    errControl: "{field}: holds a control character (invisible); delete it and type again.",
    errTooLong: "{field} is too long: {n} bytes, at most {max}.", errFieldType: "{field}: not a valid value.",
    errInvalid: "Invalid input; check the form.", errCategory: "Unknown category.",
    field_caller: "Caller's number", field_description: "Description", field_category: "Category", field_lat: "Point", field_lon: "Point",
    field_text: "Note", field_outcome: "Outcome", field_name: "Name", field_status: "Status",
  },
};

// The language: ?lang=en|id, else the saved choice, else Indonesian.
const asked = new URLSearchParams(location.search).get("lang");
let lang = asked === "en" || asked === "id" ? asked : localStorage.getItem("siaga112.lang") === "en" ? "en" : "id";
if (asked === lang) localStorage.setItem("siaga112.lang", lang);
document.documentElement.lang = lang;


export function t(key) {
  return words[lang][key] ?? words.id[key] ?? key;
}

// status words: "dispatched" is also a key of its own above.
export function st(status) {
  return t(status === "dispatched" ? "dispatched_s" : status);
}

// invalid puts the server's 400 sentence (English, for API clients) in the
// page's words, naming the field it names; the sentence's shapes are those of
// web/errors.go and tracking's phone check.
export function invalid(sentence = "") {
  const field = (f) => (words[lang][`field_${f}`] || words.id[`field_${f}`] ? t(`field_${f}`) : f);
  const fill = (key, v) => t(key).replace(/\{(\w+)\}/g, (_, k) => v[k] ?? "");
  let m;
  if (/^phone number /.test(sentence)) return t("errPhone");
  if ((m = /^field "([^"]+)" holds a control character/.exec(sentence))) return fill("errControl", { field: field(m[1]) });
  if ((m = /^field "([^"]+)" is (\d+) bytes long; at most (\d+)/.exec(sentence))) return fill("errTooLong", { field: field(m[1]), n: m[2], max: m[3] });
  if ((m = /^field "([^"]+)" must be /.exec(sentence))) return fill("errFieldType", { field: field(m[1]) });
  if (/^unknown category /.test(sentence)) return t("errCategory");
  return t("errInvalid");
}

export function language() {
  return lang;
}

export function setLanguage(l) {
  lang = l;
  localStorage.setItem("siaga112.lang", l);
  document.documentElement.lang = l;
  applyLabels();
}

export function applyLabels(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
}
