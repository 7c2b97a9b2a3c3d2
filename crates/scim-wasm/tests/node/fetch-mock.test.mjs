// installFetchMock from the built Node package, with real fetch Request/Response objects.
import { test } from "node:test";
import assert from "node:assert/strict";

import { pkg, user } from "./package.mjs";

const { MockServer, installFetchMock } = pkg;
const BASE = "https://scim.test/scim/v2";
const JSON_HEADERS = { "Content-Type": "application/scim+json" };

/** Runs `body` with a recording stub as the "real" fetch, then puts the real one back. */
async function withStubFetch(body) {
  const real = globalThis.fetch;
  const calls = [];
  const stub = async (input, init) => {
    calls.push({ input, init });
    return new Response("from the network", { status: 299 });
  };
  globalThis.fetch = stub;
  try {
    await body({ stub, calls });
  } finally {
    globalThis.fetch = real;
  }
}

test("mocked URLs are answered with real Responses; others pass through; uninstall restores", async () => {
  await withStubFetch(async ({ stub, calls }) => {
    const server = new MockServer({ deterministic: true });
    const uninstall = installFetchMock(server, { baseUrl: BASE });
    assert.notEqual(globalThis.fetch, stub);

    const created = await fetch(`${BASE}/Users`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(user("bjensen", { title: "Guide" })),
    });
    assert.ok(created instanceof Response);
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("content-type"), "application/scim+json");
    assert.equal(created.headers.get("etag"), 'W/"1"');
    const id = "00000000-0000-4000-8000-000000000001";
    assert.equal(created.headers.get("location"), `${BASE}/Users/${id}`);
    const body = await created.json();
    assert.equal(body.meta.location, `${BASE}/Users/${id}`);

    // A Request object, a URL object, a lower-case method.
    const put = await fetch(
      new Request(`${BASE}/Users/${id}`, {
        method: "put",
        headers: { ...JSON_HEADERS, "If-Match": 'W/"1"' },
        body: JSON.stringify(user("bjensen")),
      }),
    );
    assert.equal(put.status, 200);
    assert.equal("title" in (await put.json()), false);
    const got = await fetch(new URL(`${BASE}/Users/${id}?attributes=userName`));
    assert.deepEqual(Object.keys(await got.json()).sort(), ["id", "schemas", "userName"]);

    // Errors are SCIM responses too; a text body is sent as text/plain, as a real fetch would.
    const bad = await fetch(`${BASE}/Users/${id}`, { method: "PUT", headers: JSON_HEADERS, body: "{nope" });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).scimType, "invalidSyntax");
    const plain = await fetch(`${BASE}/Users/${id}`, { method: "PUT", body: JSON.stringify(user("bjensen")) });
    assert.equal(plain.status, 415);

    const gone = await fetch(`${BASE}/Users/${id}`, { method: "DELETE" });
    assert.equal(gone.status, 204);
    assert.equal(await gone.text(), "");

    // Other origins, and paths outside the base path, go to the real fetch untouched.
    const init = { method: "POST", body: "x" };
    const other = await fetch("https://elsewhere.test/scim/v2/Users", init);
    assert.equal(other.status, 299);
    const outside = await fetch(new Request("https://scim.test/health"));
    assert.equal(outside.status, 299);
    assert.equal(calls.length, 2);
    assert.equal(calls[0].input, "https://elsewhere.test/scim/v2/Users");
    assert.equal(calls[0].init, init);
    assert.ok(calls[1].input instanceof Request);

    uninstall();
    assert.equal(globalThis.fetch, stub);
    assert.equal((await fetch(`${BASE}/Users`)).status, 299);
    uninstall(); // idempotent
    assert.equal(globalThis.fetch, stub);
  });
});

test("installFetchMock checks its arguments", () => {
  assert.throws(() => installFetchMock({}, { baseUrl: BASE }), /MockServer/);
  assert.throws(() => installFetchMock(new MockServer(), {}), /baseUrl is required/);
});
