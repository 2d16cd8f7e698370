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

// signIn shows a sign-in form over the page and reloads once signed in.
export function signIn(message) {
  const box = document.createElement("form");
  box.className = "signin";
  box.innerHTML = `<h2>Serang Siaga 112</h2><p class="why"></p>
    <label>Nama / Name <input name="name" autocomplete="username" required></label>
    <label>Kata sandi / Password <input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit">Masuk / Sign in</button><p class="err" role="alert"></p>`;
  box.querySelector(".why").textContent = message || "";
  box.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api("POST", "/api/login", { name: box.name.value, password: box.password.value });
      location.reload();
    } catch (err) {
      box.querySelector(".err").textContent = err.message;
    }
  });
  document.body.append(box);
}
