// Copies the built files of the front-end libraries from node_modules into
// static/vendor, with their licences: the server embeds them, so `go run`
// needs no Node. Run with `npm run vendor` after changing package.json.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(web, "node_modules");
const dest = join(web, "static", "vendor", "leaflet");
const src = join(modules, "leaflet");
rmSync(dest, { recursive: true, force: true });
mkdirSync(dest, { recursive: true });
for (const f of ["leaflet.js", "leaflet.css", "images"]) {
  cpSync(join(src, "dist", f), join(dest, f), { recursive: true });
}
cpSync(join(src, "LICENSE"), join(dest, "LICENSE"));
cpSync(join(src, "package.json"), join(dest, "package.json"));
console.log("copied leaflet into", dest);

// Leaflet.VectorGrid draws the offline base map's vector tiles. Its
// bundled build carries pbf, vector-tile, ieee754 and @mapbox/point-geometry
// (and geojson-vt and topojson-client, unused here): the package ships no
// LICENSE file, so LICENSE gathers its README's licence section and each
// bundled library's own licence.
const vg = join(modules, "leaflet.vectorgrid");
const vgDest = join(web, "static", "vendor", "leaflet.vectorgrid");
rmSync(vgDest, { recursive: true, force: true });
mkdirSync(vgDest, { recursive: true });
cpSync(join(vg, "dist", "Leaflet.VectorGrid.bundled.min.js"), join(vgDest, "Leaflet.VectorGrid.bundled.min.js"));
cpSync(join(vg, "package.json"), join(vgDest, "package.json"));
const readme = readFileSync(join(vg, "README.md"), "utf8");
const legalese = readme.slice(readme.indexOf("## Legalese"));
const parts = [`leaflet.vectorgrid ${JSON.parse(readFileSync(join(vg, "package.json"), "utf8")).version} (from its README)\n\n${legalese.trim()}\n`];
for (const [name, file] of [["pbf", "LICENSE"], ["vector-tile", "LICENSE.txt"], ["ieee754", "LICENSE"], ["topojson-client", "LICENSE.md"], ["whatwg-fetch", "LICENSE"]]) {
  parts.push(`${name}\n\n${readFileSync(join(modules, name, file), "utf8").trim()}\n`);
}
parts.push("@mapbox/point-geometry and geojson-vt: ISC licence (their package.json; the npm packages ship no licence file).\n");
writeFileSync(join(vgDest, "LICENSE"), parts.join("\n" + "-".repeat(76) + "\n\n"));
console.log("copied leaflet.vectorgrid into", vgDest);
