// The web build in a real browser: web/examples/fetch-mock.html served over HTTP and driven
// in headless Chromium (playwright-core): create a user, PUT it, read the table.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";

import { chromium } from "playwright-core";

const root = new URL("../../../../", import.meta.url);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

let http;
let browser;
let origin;

before(async () => {
  http = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path.includes("..")) return res.writeHead(400).end();
    try {
      const body = await readFile(new URL(`.${path}`, root));
      const ext = path.slice(path.lastIndexOf("."));
      res.writeHead(200, { "Content-Type": TYPES[ext] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${http.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => http?.close(resolve));
});

test("the fetch-mock example lists, creates and PUTs users through the mocked fetch", { skip: !existsSync(CHROMIUM) && `no browser at ${CHROMIUM}` }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${origin}/web/examples/fetch-mock.html`);
  await page.waitForFunction(() => document.querySelector("#replace select") !== null);

  await page.fill("#create [name=userName]", "bjensen");
  await page.fill("#create [name=title]", "<b>Tour Guide</b>");
  await page.click("#create button");
  await page.waitForSelector("#users tr");
  assert.match(await page.textContent("#status"), /^201 /);
  const row = await page.$$eval("#users tr td", (tds) => tds.map((td) => td.textContent));
  assert.equal(row[1], "bjensen");
  assert.equal(row[3], "<b>Tour Guide</b>", "data is rendered as text, not HTML");
  assert.equal(await page.$$eval("#users b", (b) => b.length), 0);
  assert.equal(row[4], 'W/"1"');

  // PUT with the title emptied: the RFC profile clears it.
  await page.fill("#replace [name=title]", "");
  await page.fill("#replace [name=displayName]", "Babs");
  await page.click("#replace button");
  await page.waitForFunction(() => document.querySelector("#users tr td:nth-child(5)")?.textContent === 'W/"2"');
  assert.match(await page.textContent("#status"), /^200 /);
  const after = await page.$$eval("#users tr td", (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(after.slice(1), ["bjensen", "Babs", "", 'W/"2"']);
  assert.deepEqual(errors, []);
});
