// Copies the built files of the front-end libraries from node_modules into
// static/vendor, with their licences: the server embeds them, so `go run`
// needs no Node. Run with `npm run vendor` after changing package.json.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const dest = join(web, "static", "vendor", "leaflet");
const src = join(web, "node_modules", "leaflet");
rmSync(dest, { recursive: true, force: true });
mkdirSync(dest, { recursive: true });
for (const f of ["leaflet.js", "leaflet.css", "images"]) {
  cpSync(join(src, "dist", f), join(dest, f), { recursive: true });
}
cpSync(join(src, "LICENSE"), join(dest, "LICENSE"));
cpSync(join(src, "package.json"), join(dest, "package.json"));
console.log("copied leaflet into", dest);
