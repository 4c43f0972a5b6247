// Rebuilds the browser code the platform serves (run by `make js`; needs node + npm ci):
// - trading/static/vendor/hpke.js, zxcvbn.js: the vendored npm libraries as ES modules,
//   with their licences copied beside them and their versions in vendor/VERSIONS.md;
// - trading/static/js/offline.bundle.js: the offline sealing page's one script (IIFE),
//   inlined by the platform into the page it hands out. Its banner carries the SHA-256
//   of every source it was built from (tests/browser/test_bundle.py checks it).
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const staticDir = join(root, "trading", "static");
const vendorDir = join(staticDir, "vendor");
const jsDir = join(staticDir, "js");

const VENDORED = {
  "hpke.js": { entry: "vendor/hpke.mjs", minify: false,
    packages: ["@hpke/core", "@hpke/common", "@hpke/hybridkem-x-wing", "@hpke/dhkem-x25519", "mlkem"] },
  "scrypt.js": { entry: "vendor/scrypt.mjs", minify: false, packages: ["@noble/hashes"] },
  "zxcvbn.js": { entry: "vendor/zxcvbn.mjs", minify: true,
    packages: ["@zxcvbn-ts/core", "@zxcvbn-ts/language-common", "@zxcvbn-ts/language-en",
      "fastest-levenshtein"] },
};

function pkg(name) {
  const folder = join(here, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const licence = readdirSync(folder).find((f) => /^licen[cs]e/i.test(f));
  return { name, folder, version: meta.version, license: meta.license, licence };
}

async function vendor() {
  mkdirSync(join(vendorDir, "LICENSES"), { recursive: true });
  const lines = ["# Vendored browser libraries", "",
    "Built from npm by `make js` (tools/js/build.mjs, versions pinned in tools/js/package-lock.json).",
    "Served by the platform itself; nothing is loaded from a CDN.", "",
    "| file | package | version | licence |", "|---|---|---|---|"];
  for (const [file, spec] of Object.entries(VENDORED)) {
    const packages = spec.packages.map(pkg);
    const banner = `// ${file}: ${packages.map((p) => `${p.name}@${p.version} (${p.license})`).join(", ")}` +
      "\n// Licences: trading/static/vendor/LICENSES/. Rebuild: make js.";
    await build({ entryPoints: [join(here, spec.entry)], bundle: true, format: "esm",
      minify: spec.minify, legalComments: "inline", target: "es2022", charset: "utf8",
      preserveSymlinks: true,
      banner: { js: banner }, outfile: join(vendorDir, file), logLevel: "warning" });
    for (const p of packages) {
      copyFileSync(join(p.folder, p.licence), join(vendorDir, "LICENSES", `${p.name.replace("/", "__")}.txt`));
      lines.push(`| ${file} | ${p.name} | ${p.version} | ${p.license} |`);
    }
  }
  writeFileSync(join(vendorDir, "VERSIONS.md"), lines.join("\n") + "\n");
}

// The sources of the offline bundle, in a fixed order: the same list the Python test hashes.
export function bundleSources() {
  const mine = readdirSync(jsDir).filter((f) => f.endsWith(".js") && !f.endsWith(".bundle.js"))
    .map((f) => join(jsDir, f));
  const vendored = Object.keys(VENDORED).map((f) => join(vendorDir, f));
  // The 国密 suite tbid.js imports, and its library (built by make js-gm).
  const gm = [join(staticDir, "gm", "gm-suite.js"), join(vendorDir, "sm-crypto.js")];
  return [...mine, ...vendored, ...gm].sort();
}

function sourcesDigest() {
  const hash = createHash("sha256");
  for (const file of bundleSources()) {
    hash.update(relative(root, file).split("\\").join("/") + "\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

async function offline() {
  const result = await build({ entryPoints: [join(jsDir, "offline.js")], bundle: true,
    format: "iife", minify: false, legalComments: "inline", target: "es2022", charset: "utf8",
    write: false, logLevel: "warning" });
  let text = result.outputFiles[0].text;
  // Inlined into a <script> element: no "</script" may appear inside it.
  text = text.replace(/<\/(script)/gi, "<\\/$1");
  const banner = `// offline.bundle.js — built by make js from sources sha256:${sourcesDigest()}\n`;
  writeFileSync(join(jsDir, "offline.bundle.js"), banner + text);
}

if (process.argv.includes("--vendor") || !process.argv.includes("--offline")) await vendor();
await offline();
