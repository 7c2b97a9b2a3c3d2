// Benchmark, not a test (run by `cargo xtask bench-kit`, inside the kit's consumer project,
// under Node 22): the packed package's size, and each adapter's time per request against
// calling MockServer.handle directly. Every side sends the same two requests (GET a user;
// PUT it with a new title) to its own rfc MockServer holding 100 users; the time is the
// median over ROUNDS rounds of BATCH requests. The Playwright row is a fetch in the page
// (Chromium), answered by routeScim through Playwright's protocol.
//
//   node bench.mjs [--write]      (--write replaces the "Front-end kit" section of docs/benchmarks.md)

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
const WRITE = process.argv.includes("--write");
const ROUNDS = 15;
const BATCH = 200;
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
  rows.push(["`MockServer.handle` (direct)", await time(async (i) => {
    const id = ids[i % 100];
    const res = i % 2 === 0 ? server.handle({ method: "GET", path: `/Users/${id}`, headers: HEADERS }) : server.handle({ method: "PUT", path: `/Users/${id}`, headers: HEADERS, body: putBody(i) });
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
  const { server, ids } = setUp();
  const mock = setupServer(...scimHandlers(server, { baseUrl: BASE }));
  mock.listen({ onUnhandledRequest: "error" });
  rows.push(["`scimHandlers` (msw 3 `setupServer`, fetch)", await time(viaFetch(BASE, ids))]);
  mock.close();
}
{
  // msw's own cost: the same requests answered by a handler that does nothing.
  const { ids } = setUp();
  const mock = setupServer(mswHttp.all(() => true, () => new HttpResponse("{}", { headers: HEADERS })));
  mock.listen({ onUnhandledRequest: "error" });
  rows.push(["msw 3 `setupServer` with an empty handler (msw alone, no engine)", await time(viaFetch(BASE, ids))]);
  mock.close();
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
  await routeScim(page, server, { baseUrl: BASE });
  await page.goto("https://scim.test/");
  // Time in the page: one batch per call, so Node↔browser calls do not count per request.
  const batch = (from) =>
    page.evaluate(async ({ from, ids, BATCH, USER }) => {
      const start = performance.now();
      for (let i = from; i < from + BATCH; i++) {
        const id = ids[i % 100];
        const res = i % 2 === 0 ? await fetch(`/scim/v2/Users/${id}`) : await fetch(`/scim/v2/Users/${id}`, { method: "PUT", headers: { "content-type": "application/scim+json" }, body: JSON.stringify({ schemas: [USER], userName: `user${i % 100}`, title: `T${i}` }) });
        await res.text();
        if (res.status !== 200) throw new Error(String(res.status));
      }
      return ((performance.now() - start) * 1000) / BATCH;
    }, { from, ids, BATCH, USER });
  await batch(0);
  const per = [];
  for (let r = 0; r < ROUNDS; r++) per.push(await batch((r + 1) * BATCH));
  per.sort((a, b) => a - b);
  rows.push(["`routeScim` (Playwright `page.route`, fetch in Chromium)", per[Math.floor(per.length / 2)]]);
  // Playwright's own cost: the same requests fulfilled with a fixed body, no engine.
  await page.unrouteAll();
  await page.route((url) => url.pathname.startsWith("/scim/v2/"), (route) => route.fulfill({ status: 200, contentType: "application/scim+json", body: "{}" }));
  per.length = 0;
  for (let r = 0; r < ROUNDS; r++) per.push(await batch((r + 1) * BATCH));
  per.sort((a, b) => a - b);
  rows.push(["Playwright `page.route` with a fixed `fulfill` (Playwright alone, no engine)", per[Math.floor(per.length / 2)]]);
  await browser.close();
}

const pack = JSON.parse(readFileSync(process.env.KIT_PACK, "utf8"));
const pkgDir = join(process.cwd(), "node_modules/scim-playground-wasm");
const wasm = readFileSync(join(pkgDir, "web/scim_wasm_bg.wasm"));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const direct = rows[0][1];
const cpus = os.cpus();
const section = [
  HEADING,
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus[0]?.model?.trim() ?? "unknown CPU"} (${cpus.length} logical CPUs), Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)} at the end (other jobs share the CPUs), by \`cargo xtask bench-kit\` (\`crates/scim-wasm/kit/bench.mjs\`).`,
  "",
  `Package \`${pack.name}@${pack.version}\` from \`npm pack\`: ${kib(pack.size)} packed, ${kib(pack.unpackedSize)} unpacked, ${pack.entryCount} files; the wasm module is ${kib(wasm.length)} (${kib(gzipSync(wasm, { level: 9 }).length)} gzip), shipped twice (browser and Node builds).`,
  "",
  `Time per request, median of ${ROUNDS} rounds of ${BATCH} requests (GET and PUT of one of 100 users, alternating; the body read as text). Overhead = the adapter's time minus calling \`MockServer.handle\` directly with the same request.`,
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
