// Rebuilds trading/static/vendor/sm-crypto.js (make js-gm; needs node + npm ci): the
// vendored sm-crypto-v2 with its @noble dependencies as one ES module, its licences
// beside it in vendor/LICENSES/ and its versions in vendor/VERSIONS-gm.md.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const vendorDir = join(here, "..", "..", "trading", "static", "vendor");
const PACKAGES = ["sm-crypto-v2", "@noble/curves", "@noble/hashes", "@noble/ciphers"];

function pkg(name) {
  const folder = join(here, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const licence = readdirSync(folder).find((f) => /^licen[cs]e/i.test(f));
  return { name, folder, version: meta.version, license: meta.license, licence };
}

const packages = PACKAGES.map(pkg);
mkdirSync(join(vendorDir, "LICENSES"), { recursive: true });
const banner = `// sm-crypto.js: ${packages.map((p) => `${p.name}@${p.version} (${p.license})`).join(", ")}` +
  "\n// Licences: trading/static/vendor/LICENSES/. Rebuild: make js-gm.";
await build({ entryPoints: [join(here, "entry.mjs")], bundle: true, format: "esm",
  minify: false, legalComments: "inline", target: "es2022", charset: "utf8",
  banner: { js: banner }, outfile: join(vendorDir, "sm-crypto.js"), logLevel: "warning" });
const lines = ["# Vendored 国密 library", "",
  "Built from npm by `make js-gm` (tools/js-gm/build.mjs, versions pinned in its package-lock.json).",
  "Served by the platform itself; nothing is loaded from a CDN.", "",
  "| file | package | version | licence |", "|---|---|---|---|"];
for (const p of packages) {
  copyFileSync(join(p.folder, p.licence), join(vendorDir, "LICENSES", `${p.name.replace("/", "__")}.txt`));
  lines.push(`| sm-crypto.js | ${p.name} | ${p.version} | ${p.license} |`);
}
writeFileSync(join(vendorDir, "VERSIONS-gm.md"), lines.join("\n") + "\n");
