// scimHandlers with msw's setupWorker in Chromium: the browser build of the package and
// msw's service worker, loaded by a plain page through an import map (no bundler), answer
// fetch and XMLHttpRequest from the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, normalize } from "node:path";

import { chromium } from "@playwright/test";

import { load, pkgDir } from "./lib.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const mswDir = join(process.cwd(), "node_modules/msw");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

const PAGE = `<!doctype html><meta charset="utf-8"><title>msw worker</title>
<script src="/msw/lib/iife/index.js"></script>
<script type="importmap">{ "imports": {
  "msw": "/msw-global.js",
  "scim-playground-wasm": "/pkg/web/index.js",
  "scim-playground-wasm/msw": "/pkg/msw.js"
} }</script>
<script type="module">
  import * as entry from "scim-playground-wasm";
  import { MockServer } from "scim-playground-wasm";
  window.exportNames = Object.keys(entry);
  import { scimHandlers } from "scim-playground-wasm/msw";
  const baseUrl = location.origin + "/scim/v2";
  const server = new MockServer({ profile: "rfc" });
  const worker = MockServiceWorker.setupWorker(...scimHandlers(server, { baseUrl }));
  await worker.start({ quiet: true, onUnhandledRequest: "bypass" });
  window.ready = true;
  window.server = server;
</script>`;

let http;
let browser;
let origin;

before(async () => {
  http = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/") return res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    if (path === "/msw-global.js") {
      return res.writeHead(200, { "content-type": "text/javascript" }).end("export const { http, HttpResponse } = globalThis.MockServiceWorker;\n");
    }
    if (path === "/mockServiceWorker.js") path2(res, join(mswDir, "lib/mockServiceWorker.js"));
    else if (path.startsWith("/msw/")) path2(res, join(mswDir, normalize(path.slice(5))));
    else if (path.startsWith("/pkg/")) path2(res, join(pkgDir, normalize(path.slice(5))));
    else res.writeHead(404).end("not mocked, not a file");
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${http.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
});

async function path2(res, file) {
  if (file.includes("..")) return res.writeHead(400).end();
  try {
    const body = await readFile(file);
    res.writeHead(200, { "content-type": TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
}

after(async () => {
  await browser?.close();
  await new Promise((resolve) => http?.close(resolve));
});

test("setupWorker(...scimHandlers(server, { baseUrl })) answers the page's fetch and XMLHttpRequest", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 });
  const result = await page.evaluate(async () => {
    const User = "urn:ietf:params:scim:schemas:core:2.0:User";
    const created = await fetch("/scim/v2/Users", {
      method: "POST",
      headers: { "Content-Type": "application/scim+json" },
      body: JSON.stringify({ schemas: [User], userName: "bjensen", title: "Guide" }),
    });
    const body = await created.json();
    const put = await new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", `/scim/v2/Users/${body.id}`);
      xhr.setRequestHeader("Content-Type", "application/scim+json");
      xhr.onload = () => resolve({ status: xhr.status, json: JSON.parse(xhr.responseText) });
      xhr.send(JSON.stringify({ schemas: [User], userName: "bjensen" }));
    });
    const elsewhere = await fetch("/not-scim");
    return { created: created.status, location: created.headers.get("location"), put, elsewhere: elsewhere.status, stored: window.server.handle({ method: "GET", path: "/Users" }).json.totalResults };
  });
  assert.equal(result.created, 201);
  assert.match(result.location, new RegExp(`^${origin}/scim/v2/Users/`));
  assert.equal(result.put.status, 200);
  assert.equal("title" in result.put.json, false, "rfc clears the omitted title");
  assert.equal(result.elsewhere, 404, "other paths reach the network");
  assert.equal(result.stored, 1);
  assert.deepEqual(errors, []);
  // The browser entry offers everything the Node entry does.
  const web = await page.evaluate(() => window.exportNames);
  assert.deepEqual(Object.keys(await load()).filter((n) => !web.includes(n)), []);
});
