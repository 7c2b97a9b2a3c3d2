// Benchmark, not a test (run by `cargo xtask bench`, part `kit`, inside the kit's consumer project,
// under Node 22): the packed package's size, and each adapter's time per request against
// calling MockServer.handleText (the adapters' fast path) directly. Every side sends the same two requests (GET a user;
// PUT it with a new title) to its own rfc MockServer holding 100 users; the time is the
// median over ROUNDS rounds of BATCH requests. The Playwright row is a fetch in the page
// (Chromium), answered by routeScim through Playwright's protocol.
//
//   node bench.mjs [--write | --smoke]      (--write replaces the "Front-end kit" section of docs/benchmarks.md)

import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";

import { http as mswHttp, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { chromium } from "@playwright/test";

import { MockServer, createScimListener, installFetchMock } from "scim-playground-wasm";
import { scimHandlers } from "scim-playground-wasm/msw";
import { routeScim } from "scim-playground-wasm/playwright";

const repo = process.env.SCIM_REPO;
// --smoke (the bench-smoke test stage): one short round per row, nothing written.
const SMOKE = process.argv.includes("--smoke");
const WRITE = process.argv.includes("--write") && !SMOKE;
const ROUNDS = SMOKE ? 1 : 15;
const BATCH = SMOKE ? 4 : 200;
const HEADING = "## Front-end kit (package size, adapter overhead)";
const BASE = "https://scim.test/scim/v2";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const HEADERS = { "content-type": "application/scim+json" };

function setUp() {
  const server = new MockServer({ seed: 1 });
  const ids = [];
  for (let i = 0; i < 100; i++) ids.push(server.handle({ method: "POST", path: "/Users", body: { schemas: [USER], userName: `user${i}` } }).json.id);
  return { server, ids };
}
const putBody = (i) => JSON.stringify({ schemas: [USER], userName: `user${i % 100}`, title: `T${i}` });

/** Median microseconds per request of `op(i)` (which sends one request and reads the body). */
async function time(op) {
  for (let i = 0; i < BATCH; i++) await op(i); // warm-up
  const per = [];
  let n = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < BATCH; i++) await op(n++);
    per.push(((performance.now() - start) * 1000) / BATCH);
  }
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)];
}

/** Median microseconds per request of two setups measured in alternating rounds (so that
 *  load from other processes and JIT warm-up fall on both alike). Each side is
 *  `{ on(), off(), op(i) }`: `on` installs it before its round, `off` removes it after. */
async function timePair(a, b) {
  const per = { a: [], b: [] };
  let n = 0;
  for (let r = -1; r < ROUNDS; r++) {
    for (const [key, side] of [["a", a], ["b", b]]) {
      await side.on();
      const start = performance.now();
      for (let i = 0; i < BATCH; i++) await side.op(n++);
      const us = ((performance.now() - start) * 1000) / BATCH;
      if (r >= 0) per[key].push(us); // round -1 warms up
      await side.off();
    }
  }
  const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return [median(per.a), median(per.b)];
}

/** GET and PUT through fetch at `base`, each checked. */
function viaFetch(base, ids) {
  return async (i) => {
    const id = ids[i % 100];
    const res = i % 2 === 0 ? await fetch(`${base}/Users/${id}`) : await fetch(`${base}/Users/${id}`, { method: "PUT", headers: HEADERS, body: putBody(i) });
    await res.text();
    if (res.status !== 200) throw new Error(`${res.status}`);
  };
}

const rows = [];
{
  const { server, ids } = setUp();
  // The adapters call the fast path (js/core.js): so does the baseline.
  rows.push(["`MockServer.handleText` (direct)", await time(async (i) => {
    const id = ids[i % 100];
    const res = i % 2 === 0 ? server.handleText({ method: "GET", path: `/Users/${id}`, headers: HEADERS }) : server.handleText({ method: "PUT", path: `/Users/${id}`, headers: HEADERS, body: putBody(i) });
    if (res.status !== 200) throw new Error(`${res.status}`);
  })]);
}
{
  const { server, ids } = setUp();
  const uninstall = installFetchMock(server, { baseUrl: BASE });
  rows.push(["`installFetchMock` (fetch)", await time(viaFetch(BASE, ids))]);
  uninstall();
}
{
  // msw alone (a handler that does nothing) beside the adapter, in alternating rounds.
  const { server, ids } = setUp();
  const withEngine = setupServer(...scimHandlers(server, { baseUrl: BASE }));
  const alone = setupServer(mswHttp.all(() => true, () => new HttpResponse("{}", { headers: HEADERS })));
  const side = (mock) => ({ on: () => mock.listen({ onUnhandledRequest: "error" }), off: () => mock.close(), op: viaFetch(BASE, ids) });
  const [adapter, baseline] = await timePair(side(withEngine), side(alone));
  rows.push(["`scimHandlers` (msw 3 `setupServer`, fetch)", adapter]);
  rows.push(["msw 3 `setupServer` with an empty handler (msw alone, no engine)", baseline]);
}
{
  const { server, ids } = setUp();
  const http = createServer(createScimListener(server));
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  rows.push(["`createScimListener` (node:http over loopback, fetch)", await time(viaFetch(`http://127.0.0.1:${http.address().port}/scim/v2`, ids))]);
  await new Promise((resolve) => http.close(resolve));
}
{
  const { server, ids } = setUp();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const page = await browser.newPage();
  await page.route("https://scim.test/", (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><title>bench</title>" }));
  await page.goto("https://scim.test/");
  // Time in the page: one batch per call, so Node↔browser calls do not count per request.
  let from = 0;
  const batchOp = {
    op: async () => {
      from += BATCH;
      return page.evaluate(async ({ from, ids, BATCH, USER }) => {
        for (let i = from; i < from + BATCH; i++) {
          const id = ids[i % 100];
          const res = i % 2 === 0 ? await fetch(`/scim/v2/Users/${id}`) : await fetch(`/scim/v2/Users/${id}`, { method: "PUT", headers: { "content-type": "application/scim+json" }, body: JSON.stringify({ schemas: [USER], userName: `user${i % 100}`, title: `T${i}` }) });
          await res.text();
          if (res.status !== 200) throw new Error(String(res.status));
        }
      }, { from, ids, BATCH, USER });
    },
  };
  // Each round is one page.evaluate of BATCH requests: time it as one op of a batch of 1.
  const pagePair = async (a, b) => {
    const per = { a: [], b: [] };
    for (let r = -1; r < ROUNDS; r++) {
      for (const [key, side] of [["a", a], ["b", b]]) {
        const off = await side.on();
        const start = performance.now();
        await batchOp.op();
        if (r >= 0) per[key].push(((performance.now() - start) * 1000) / BATCH);
        await off();
      }
    }
    const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    return [median(per.a), median(per.b)];
  };
  const fixed = (route) => route.fulfill({ status: 200, contentType: "application/scim+json", body: "{}" });
  const matcher = (url) => url.pathname.startsWith("/scim/v2/");
  const [adapter, baseline] = await pagePair(
    { on: () => routeScim(page, server, { baseUrl: BASE }) },
    { on: async () => { await page.route(matcher, fixed); return () => page.unroute(matcher, fixed); } },
  );
  rows.push(["`routeScim` (Playwright `page.route`, fetch in Chromium)", adapter]);
  rows.push(["Playwright `page.route` with a fixed `fulfill` (Playwright alone, no engine)", baseline]);
  await browser.close();
}

const pack = JSON.parse(readFileSync(process.env.KIT_PACK, "utf8"));
const pkgDir = join(process.cwd(), "node_modules/scim-playground-wasm");
const wasm = readFileSync(join(pkgDir, "web/scim_wasm_bg.wasm"));
const learner = readFileSync(join(pkgDir, "learn/web/scim_learn_wasm_bg.wasm"));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const direct = rows[0][1];
const cpus = os.cpus();
const section = [
  HEADING,
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus[0]?.model?.trim() ?? "unknown CPU"} (${cpus.length} logical CPUs), Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)} at the end (other jobs share the CPUs), by \`cargo xtask bench\` (\`crates/scim-wasm/kit/bench.mjs\`).`,
  "",
  `Package \`${pack.name}@${pack.version}\` from \`npm pack\`: ${kib(pack.size)} packed, ${kib(pack.unpackedSize)} unpacked, ${pack.entryCount} files; the wasm module is ${kib(wasm.length)} (${kib(gzipSync(wasm, { level: 9 }).length)} gzip), shipped twice (browser and Node builds); the learner's module, loaded on the first learnProfile, learnDryRun or replayScenario call, ${kib(learner.length)} (${kib(gzipSync(learner, { level: 9 }).length)} gzip), also twice.`,
  "",
  `Time per request, median of ${ROUNDS} rounds of ${BATCH} requests (msw and Playwright rows: each adapter and its \"alone\" baseline in alternating rounds) (GET and PUT of one of 100 users, alternating; the body read as text). Overhead = the adapter's time minus calling \`MockServer.handleText\` (the fast path the adapters use) directly with the same request.`,
  "",
  "| path | µs per request | overhead vs direct |",
  "| --- | ---: | ---: |",
  ...rows.map(([name, us], i) => `| ${name} | ${us.toFixed(1)} | ${i === 0 ? "—" : `+${(us - direct).toFixed(1)} µs (${(us / direct).toFixed(1)}×)`} |`),
  "",
  "The Node listener row includes a real HTTP round trip over loopback (client and server in one process); the Playwright rows include Chromium's fetch and Playwright's interception protocol for every request. The two \"alone\" rows answer the same requests without the engine: what msw and Playwright cost by themselves, so the adapter's own share is its row minus the matching \"alone\" row, compared with the direct row.",
  "",
].join("\n");
console.log(section);

if (WRITE) {
  const file = join(repo, "docs/benchmarks.md");
  let text = readFileSync(file, "utf8");
  const start = text.indexOf(HEADING);
  if (start >= 0) {
    const next = text.indexOf("\n## ", start + HEADING.length);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next) : "");
  } else {
    text = text.replace(/\n*$/, "\n\n") + section;
  }
  writeFileSync(file, text);
  console.log("wrote docs/benchmarks.md");
}
