// The playground's weight and speed in headless Chromium, for `cargo xtask bench` (part
// `browser`). Measures, asserts nothing:
//
//   node tests/e2e/measure.mjs [--smoke] [--out FILE] [--package DIR] [--toy DIR]
//
// - sizes: what the page loads (JS + wasm, gzip -9 and brotli 11 as Node's zlib makes them),
//   the learner's lazily loaded module, the npm package's browser wasm (--package: the
//   dist/scim-wasm directory) and a toy leptos app built the same way (--toy: its
//   wasm-bindgen output), the peer the playground's weight is read against;
// - time to interactive: navigation start to mounted (`data-ready-ms` on <html>), loopback,
//   five cold loads (a new browser context each) of the page without saved state;
// - scale: each lane (rfc, rfc keep omitted) restored from saved state holding N generated
//   users besides the documented ones; five cold loads, then five Sends of the minimal PUT of
//   bjensen, timed from the click to the Differences region's first change and to the main
//   thread's next free turn; the longest task after one more Send (the deferred save) and the
//   characters that save writes to localStorage.
//
// --smoke: one load and one Send per row, 100 users: proves the script still runs.
// Serves dist/playground (PLAYGROUND_DIST=DIR for another build) from a loopback server.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

import { launchChromium, seedStorage, serveDir, withExtraUsers } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const root = path.resolve(process.env.PLAYGROUND_DIST ?? path.join(repo, "dist/playground"));
const arg = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : null;
};
const smoke = process.argv.includes("--smoke");
const loads = smoke ? 1 : 5;
const sendsPerRow = smoke ? 1 : 5;
const scaleUsers = smoke ? [100] : [0, 2000, 10000];

if (!fs.existsSync(path.join(root, "index.html"))) {
  console.error(`${root}/index.html is missing: run \`cargo xtask dist scim-playground\` first`);
  process.exit(2);
}

// --- sizes ---------------------------------------------------------------------------------

const gzip = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const brotli = (file) =>
  zlib.brotliCompressSync(fs.readFileSync(file), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
/** raw, gzip and brotli bytes of the files, summed. */
function weigh(files) {
  const sum = (f) => files.reduce((a, file) => a + f(file), 0);
  return { files: files.map((f) => path.relative(repo, f)), raw: sum((f) => fs.statSync(f).size), gzip: sum(gzip), brotli: sum(brotli) };
}
/** The JS glue and the wasm module wasm-bindgen wrote into `dir` for `name`. */
const glueAndWasm = (dir, name) => [path.join(dir, `${name}.js`), path.join(dir, `${name}_bg.wasm`)];

const sizes = { playground: weigh(glueAndWasm(root, "scim_playground")) };
const learner = path.join(root, "learn/scim_learn_wasm_bg.wasm");
if (fs.existsSync(learner)) sizes.learner = weigh([learner]);
const pkg = arg("--package");
if (pkg) sizes.packageWasm = weigh([path.join(pkg, "web/scim_wasm_bg.wasm")]);
const toy = arg("--toy");
if (toy) sizes.toy = weigh(glueAndWasm(toy, "leptos_toy"));

// --- the page ------------------------------------------------------------------------------

const server = await serveDir(root);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium();

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

async function coldLoad(ctxInit) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (ctxInit) await ctxInit(context);
  const page = await context.newPage();
  await page.goto(base);
  await page.waitForSelector("html[data-ready-ms]", { timeout: 60000 });
  return { context, page, ms: Number(await page.getAttribute("html", "data-ready-ms")) };
}

const ttis = [];
for (let i = 0; i < loads; i++) {
  const { context, ms } = await coldLoad();
  ttis.push(ms);
  await context.close();
}

/** The saved state of a page whose lanes (rfc, rfc keep omitted) hold n extra users each. */
async function savedStateWithUsers(n) {
  const { context, page } = await coldLoad();
  const lane = (name) => page.getByRole("region", { name, exact: true });
  await lane("Lane A").getByRole("combobox", { name: "Profile" }).selectOption("rfc");
  await lane("Lane B").getByRole("combobox", { name: "Profile" }).selectOption("rfc (keep omitted)");
  await page.waitForFunction(() => localStorage.getItem("scim-playground:state")?.includes("keep omitted"));
  const keys = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
  await context.close();
  return withExtraUsers(keys, n);
}

const seeded = (keys) => (ctx) => seedStorage(ctx, keys);

async function scale(n) {
  const keys = await savedStateWithUsers(n);
  const loadsMs = [];
  let last;
  for (let i = 0; i < loads; i++) {
    if (last) await last.context.close();
    last = await coldLoad(seeded(keys));
    loadsMs.push(last.ms);
  }
  const pg = last.page;
  const usersListed = await pg.getByRole("region", { name: "Users in Lane A" }).locator("li").count();
  const sends = [];
  for (let i = 0; i < sendsPerRow; i++) {
    sends.push(
      await pg.evaluate(
        () =>
          new Promise((resolve) => {
            const diff = document.querySelector("section.differences");
            const t0 = performance.now();
            let tDiff = null;
            const mo = new MutationObserver(() => {
              if (tDiff === null) tDiff = performance.now() - t0;
            });
            mo.observe(diff, { childList: true, subtree: true, characterData: true });
            [...document.querySelectorAll("button")].find((b) => b.textContent === "Send").click();
            setTimeout(() => {
              mo.disconnect();
              resolve({ diff: tDiff, free: performance.now() - t0 });
            }, 0);
          }),
      ),
    );
  }
  // The save that follows 250 ms after the last change: the longest task in the next 1.5 s,
  // and the characters it writes to storage.
  await pg.waitForTimeout(400);
  await pg.evaluate(() => (window.__written = 0));
  const saveTask = await pg.evaluate(
    () =>
      new Promise((resolve) => {
        let longest = 0;
        const po = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
        });
        po.observe({ type: "longtask" });
        [...document.querySelectorAll("button")].find((b) => b.textContent === "Send").click();
        setTimeout(() => {
          po.disconnect();
          resolve(longest);
        }, 1500);
      }),
  );
  const written = await pg.evaluate(() => window.__written);
  const domNodes = await pg.evaluate(() => document.getElementsByTagName("*").length);
  await last.context.close();
  return {
    users: n,
    timeToInteractive: spread(loadsMs),
    sendToDifferences: spread(sends.map((x) => x.diff ?? x.free)),
    sendToIdle: spread(sends.map((x) => x.free)),
    saveTask,
    written,
    usersListed,
    domNodes,
  };
}

const rows = [];
for (const n of scaleUsers) rows.push(await scale(n));
const chromiumVersion = browser.version();
await browser.close();
server.close();

const result = { smoke, chromium: chromiumVersion, sizes, timeToInteractive: spread(ttis), scale: rows };
const text = JSON.stringify(result, null, 2);
const out = arg("--out");
if (out) fs.writeFileSync(out, text + "\n");
console.log(text);
