// What the playground's browser scripts share (the e2e spec and measure.mjs): a loopback
// static server for a dist directory, headless Chromium, and saved state with many users.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
};

/** Serves `root` on a free loopback port, uncached; resolves to the `http.Server`. */
export function serveDir(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Headless Chromium (Debian's, or $CHROMIUM) with the quiet flags every script uses. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * `keys` (a copy of the playground's localStorage, both lanes saved) with `n` generated users
 * added to each lane's store (`user0`…), ids continuing the lane's sequence. Each lane's store
 * is its own key (since state version 3).
 */
export function withExtraUsers(keys, n) {
  const out = { ...keys };
  for (const k of ["scim-playground:lane0", "scim-playground:lane1"]) {
    const laneDoc = JSON.parse(out[k]);
    const users = laneDoc.store.resources.User;
    const start = laneDoc.store.ids.counting;
    for (let i = 0; i < n; i++) {
      users.push({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        id: `00000000-0000-4000-8000-${(start + i).toString(16).padStart(12, "0")}`,
        meta: { resourceType: "User", created: "2026-01-01T00:00:00.000Z", lastModified: "2026-01-01T00:00:00.000Z", version: 'W/"1"' },
        userName: `user${i}`,
      });
    }
    laneDoc.store.ids.counting = start + n;
    out[k] = JSON.stringify(laneDoc);
  }
  return out;
}

/** Writes `items` into a context's localStorage once, before the app reads it, and counts in
 *  `window.__written` the characters every later `setItem` writes. */
export function seedStorage(ctx, items) {
  return ctx.addInitScript((items) => {
    if (!sessionStorage.getItem("seeded")) {
      for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v);
      sessionStorage.setItem("seeded", "1");
    }
    window.__written = 0;
    const real = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      window.__written += String(key).length + String(value).length;
      return real.call(this, key, value);
    };
  }, items);
}
