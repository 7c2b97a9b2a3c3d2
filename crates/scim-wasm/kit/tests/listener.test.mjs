// createScimListener: a Node http server and an Express-style middleware chain served by a
// MockServer, over real HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";

import { load, user } from "./lib.mjs";

const { MockServer, createScimListener, createSession } = await load();

async function listen(handler) {
  const http = createServer(handler);
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${http.address().port}`, close: () => new Promise((r) => http.close(r)) };
}

const JSON_HEADERS = { "Content-Type": "application/scim+json" };

test("http.createServer(createScimListener(server)): CRUD over HTTP, absolute locations, 404 outside the base path", async () => {
  const server = new MockServer({ deterministic: true });
  const session = createSession();
  const http = await listen(createScimListener(server, { session }));
  try {
    const created = await fetch(`${http.origin}/scim/v2/Users`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(user("bjensen", { title: "Guide" })) });
    assert.equal(created.status, 201);
    const id = "00000000-0000-4000-8000-000000000001";
    assert.equal(created.headers.get("location"), `${http.origin}/scim/v2/Users/${id}`);
    assert.equal(created.headers.get("etag"), 'W/"1"');
    const put = await fetch(`${http.origin}/scim/v2/Users/${id}`, { method: "PUT", headers: { ...JSON_HEADERS, "If-Match": 'W/"1"' }, body: JSON.stringify(user("bjensen")) });
    assert.equal(put.status, 200);
    assert.equal("title" in (await put.json()), false, "rfc clears the omitted title");
    const del = await fetch(`${http.origin}/scim/v2/Users/${id}`, { method: "DELETE" });
    assert.equal(del.status, 204);
    assert.equal((await fetch(`${http.origin}/scim/v2/Users/${id}`)).status, 404);
    const outside = await fetch(`${http.origin}/health`);
    assert.equal(outside.status, 404);
    assert.match(await outside.text(), /Not under \/scim\/v2/);
    // Forwarded scheme (behind a TLS proxy).
    const proxied = await fetch(`${http.origin}/scim/v2/Users`, { method: "POST", headers: { ...JSON_HEADERS, "X-Forwarded-Proto": "https" }, body: JSON.stringify(user("b2")) });
    assert.match(proxied.headers.get("location"), /^https:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Users\//);
    assert.deepEqual(
      session.exchanges.map((x) => `${x.request.method} ${x.response.status}`),
      ["POST 201", "PUT 200", "DELETE 204", "GET 404", "POST 201"],
    );
  } finally {
    await http.close();
  }
});

test("as middleware: other paths go to next(); a body parser's result is used; errors go to next(err)", async () => {
  const server = new MockServer({ profile: "veeva" });
  const scim = createScimListener(server, { basePath: "/api/v23.1/scim/v2" });
  // A tiny Express-like chain: a JSON body parser, the SCIM middleware, a fallback.
  const http = await listen(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString("utf8");
    req.body = text ? JSON.parse(text) : {};
    await scim(req, res, (err) => {
      res.writeHead(err ? 500 : 418, { "content-type": "text/plain" }).end(err ? String(err) : "next");
    });
  });
  try {
    const created = await fetch(`${http.origin}/api/v23.1/scim/v2/Users`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(user("babs", { title: "Guide" })) });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = await created.json();
    assert.match(id, /^\d+$/, "veeva ids are numeric");
    const put = await fetch(`${http.origin}/api/v23.1/scim/v2/Users/${id}`, { method: "PUT", headers: JSON_HEADERS, body: JSON.stringify(user("babs")) });
    assert.equal(put.status, 200);
    assert.equal((await put.json()).title, "Guide", "veeva keeps the omitted title");
    assert.equal(put.headers.get("content-type"), "application/json");
    const other = await fetch(`${http.origin}/index.html`);
    assert.equal(other.status, 418);
    assert.equal(await other.text(), "next");
  } finally {
    await http.close();
  }
});

test("createScimListener checks its arguments", () => {
  assert.throws(() => createScimListener({}), /MockServer/);
  assert.throws(() => createScimListener(new MockServer(), { basePath: "scim" }), /basePath must be a path/);
});
