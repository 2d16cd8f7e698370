// Labels in Indonesian (default) and English.
const words = {
  id: {
    planner: "Perencana", feedConnecting: "Menyambung…", feedLive: "Langsung", feedDown: "Terputus — menyambung ulang…",
    feedResynced: "Tersambung kembali; data disinkronkan ulang.",
    showOffline: "Tampilkan unit offline", tabIntake: "Laporan baru", tabIncidents: "Kejadian", tabUnits: "Unit",
    place: "Tempat (jalan, gedung, kelurahan) atau klik peta", placeHint: "Ketik jalan, tempat, simpang (A & B) atau kelurahan…", point: "Titik",
    kind_street: "jalan", kind_poi: "tempat", kind_intersection: "simpang", kind_kelurahan: "kelurahan", kind_kecamatan: "kecamatan",
    kind_landmark: "penanda", kind_building: "gedung", kind_facility: "fasilitas", kind_other: "lainnya",
    category: "Kategori", caller: "Nomor penelepon", description: "Keterangan", create: "Buat laporan",
    incident: "Kejadian", recommendations: "Rekomendasi unit terdekat", dispatchPlan: "Kirim sesuai rencana",
    dispatchPicked: "Kirim unit terpilih", area: "Wilayah", status: "Status", since: "Sejak", due: "Batas SOP",
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
    ambulance: "Ambulans", fire_truck: "Damkar", hearse: "Mobil jenazah", rescue: "Rescue BPBD", police: "Polisi",
    tabHistory: "Riwayat", replaySubject: "Unit atau kejadian", from: "Dari", to: "Sampai", replay: "Tampilkan jejak",
    play: "Putar", pause: "Jeda", clear: "Hapus", regionEvents: "Masuk/keluar area", unit: "Unit", noTrack: "Tidak ada jejak pada rentang ini.",
    entered: "masuk", left: "keluar", fence_hospital: "rumah sakit", fence_station: "pos/markas", fence_depot: "depo", fence_other: "area",
    basemapFallback: "Peta daring tidak terjangkau: memakai peta dasar luring dari ekstrak OSM server.",
  },
  en: {
    planner: "Planner", feedConnecting: "Connecting…", feedLive: "Live", feedDown: "Disconnected — reconnecting…",
    feedResynced: "Reconnected; data resynchronised.",
    showOffline: "Show offline units", tabIntake: "New report", tabIncidents: "Incidents", tabUnits: "Units",
    place: "Place (street, building, kelurahan) or click the map", placeHint: "Type a street, place, crossing (A & B) or kelurahan…", point: "Point",
    kind_street: "street", kind_poi: "place", kind_intersection: "crossing", kind_kelurahan: "kelurahan", kind_kecamatan: "kecamatan",
    kind_landmark: "landmark", kind_building: "building", kind_facility: "facility", kind_other: "other",
    category: "Category", caller: "Caller's number", description: "Description", create: "Create report",
    incident: "Incident", recommendations: "Nearest units", dispatchPlan: "Dispatch by plan",
    dispatchPicked: "Dispatch selected", area: "Area", status: "Status", since: "Since", due: "SOP due",
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
    ambulance: "Ambulance", fire_truck: "Fire truck", hearse: "Hearse", rescue: "BPBD rescue", police: "Police",
    tabHistory: "History", replaySubject: "Unit or incident", from: "From", to: "To", replay: "Show tracks",
    play: "Play", pause: "Pause", clear: "Clear", regionEvents: "Area enter/leave", unit: "Unit", noTrack: "No track in this window.",
    entered: "entered", left: "left", fence_hospital: "hospital", fence_station: "station", fence_depot: "depot", fence_other: "area",
    basemapFallback: "Online map unreachable: showing the offline base map from the server's OSM extract.",
  },
};

let lang = localStorage.getItem("siaga112.lang") || "id";

export function t(key) {
  return words[lang][key] ?? words.id[key] ?? key;
}

// status words: "dispatched" is also a key of its own above.
export function st(status) {
  return t(status === "dispatched" ? "dispatched_s" : status);
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
