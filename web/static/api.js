import { t } from "./i18n.js";

// A fetch wrapper that turns the server's {"error": sentence} into thrown
// errors carrying that sentence and the status.
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// csrf is the session's CSRF token, which the server set in a readable
// cookie; every request that changes something echoes it.
export function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)siaga112_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (method !== "GET") opts.headers["X-CSRF-Token"] = csrf();
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, opts);
  } catch (e) {
    throw new APIError(0, `server unreachable: ${e.message}`);
  }
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  // not signed in: words for the page, not the server's how-to for clients
  if (resp.status === 401) throw new APIError(401, t("signInNeeded"));
  if (!resp.ok) throw new APIError(resp.status, data?.error || `${resp.status} ${resp.statusText}`);
  return data;
}

// asText wraps a string for Leaflet's tooltips and popups, which insert a
// string as HTML: an element goes in as it is, so the string stays text.
export function asText(s) {
  const span = document.createElement("span");
  span.textContent = s ?? "";
  return span;
}

// signIn shows the sign-in form (data-testid="login-form") over the page,
// in the page's language; the server's sentences and API paths stay out of
// it. Signed in, it goes away and done() runs (default: reload the page).
let signInBox = null;
export function signIn(done = () => location.reload(), why = "") {
  if (signInBox) return;
  const box = document.createElement("form");
  signInBox = box;
  box.className = "signin";
  box.dataset.testid = "login-form";
  box.noValidate = true;
  const h = document.createElement("h2");
  const p = document.createElement("p");
  p.className = "why";
  const field = (key, type, auto) => {
    const label = document.createElement("label");
    const span = document.createElement("span");
    span.textContent = t(key);
    const input = document.createElement("input");
    input.type = type;
    input.name = type === "password" ? "password" : "name";
    input.autocomplete = auto;
    input.required = true;
    label.append(span, " ", input);
    return label;
  };
  const button = document.createElement("button");
  button.type = "submit";
  const err = document.createElement("p");
  err.className = "err";
  err.setAttribute("role", "alert");
  h.textContent = `Serang Siaga 112 — ${t("signInTitle")}`;
  p.textContent = why ? t(why) : "";
  button.textContent = t("signIn");
  box.append(h, p, field("signInName", "text", "username"), field("signInPassword", "password", "current-password"), button, err);
  box.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = "";
    try {
      await api("POST", "/api/login", { name: box.querySelector("input[name=name]").value, password: box.querySelector("input[type=password]").value });
    } catch (x) {
      err.textContent = t(x.status === 401 || x.status === 400 ? "signInWrong" : x.status === 429 ? "signInThrottled" : x.status === 0 ? "signInNoServer" : "signInFailed");
      return;
    }
    box.remove();
    signInBox = null;
    done();
  });
  document.body.append(box);
  box.querySelector("input").focus();
}
