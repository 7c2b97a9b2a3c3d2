// Sessions → HAR 1.2 (validated against the HAR schema by har-validator) from each adapter
// that records one (fetch mock, msw handlers, Node listener, Playwright in the example spec),
// and Postman collections out and back in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import https from "node:https";

import validate from "har-validator/lib/promise.js";
import { setupServer } from "msw/node";

import { load, manifest, user } from "./lib.mjs";

const pkg = await load();
const { scimHandlers } = await load("/msw");
const { MockServer, createSession, installFetchMock, createScimListener, toPostmanCollection, fromPostmanCollection, toHar } = pkg;
const BASE = "https://scim.test/scim/v2";
const JSON_HEADERS = { "Content-Type": "application/scim+json" };

/** The same short conversation with any fetch-like client. */
async function conversation(base, send = fetch) {
  const created = await send(`${base}/Users`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(user("bjensen", { title: "Guide" })) });
  const { id } = await created.json();
  await send(`${base}/Users/${id}?attributes=userName`);
  await send(`${base}/Users/${id}`, { method: "PUT", headers: { ...JSON_HEADERS, "If-Match": 'W/"9"' }, body: JSON.stringify(user("bjensen")) });
  await send(`${base}/Users/${id}`, { method: "PUT", headers: { ...JSON_HEADERS, Authorization: "Bearer t0ken" }, body: JSON.stringify(user("bjensen")) });
  await send(`${base}/Users/${id}`, { method: "DELETE" });
  return id;
}
const STATUSES = ["POST 201", "GET 200", "PUT 412", "PUT 200", "DELETE 204"];

async function assertValidHar(har, what) {
  try {
    await validate.har(har);
  } catch (e) {
    assert.fail(`${what}: not valid HAR 1.2: ${JSON.stringify(e.errors ?? e.message)}`);
  }
  assert.equal(har.log.creator.name, manifest.name);
  assert.equal(har.log.creator.version, manifest.version, "the HAR creator version is the package's");
}

test("a fetch mock session is valid HAR 1.2 and says what happened", async () => {
  const session = createSession();
  const uninstall = installFetchMock(new MockServer(), { baseUrl: BASE, session });
  try {
    await conversation(BASE);
  } finally {
    uninstall();
  }
  const har = session.toHar();
  await assertValidHar(har, "fetch mock");
  assert.deepEqual(har.log.entries.map((e) => `${e.request.method} ${e.response.status}`), STATUSES);
  const [post, get] = har.log.entries;
  assert.equal(post.request.postData.mimeType, "application/scim+json");
  assert.equal(JSON.parse(post.request.postData.text).userName, "bjensen");
  assert.equal(post.response.statusText, "Created");
  assert.equal(JSON.parse(post.response.content.text).title, "Guide");
  assert.equal(post.response.content.mimeType, "application/scim+json");
  assert.deepEqual(get.request.queryString, [{ name: "attributes", value: "userName" }]);
  assert.equal(har.log.entries[4].response.content.text, "");
});

test("an msw session (fetch and node:https through setupServer) is valid HAR 1.2", async () => {
  const session = createSession();
  const mock = setupServer(...scimHandlers(new MockServer(), { baseUrl: BASE, session }));
  mock.listen({ onUnhandledRequest: "error" });
  try {
    await conversation(BASE);
    const status = await new Promise((resolve, reject) => {
      https.request(`${BASE}/ServiceProviderConfig`, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      })
        .on("error", reject)
        .end();
    });
    assert.equal(status, 200);
  } finally {
    mock.close();
  }
  const har = session.toHar();
  await assertValidHar(har, "msw");
  assert.deepEqual(har.log.entries.map((e) => `${e.request.method} ${e.response.status}`), [...STATUSES, "GET 200"]);
});

test("a Node listener session is valid HAR 1.2", async () => {
  const session = createSession();
  const http = createServer(createScimListener(new MockServer(), { session }));
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  try {
    await conversation(`http://127.0.0.1:${http.address().port}/scim/v2`);
  } finally {
    await new Promise((resolve) => http.close(resolve));
  }
  const har = session.toHar();
  await assertValidHar(har, "listener");
  assert.deepEqual(har.log.entries.map((e) => `${e.request.method} ${e.response.status}`), STATUSES);
});

test("the playground's history HAR is valid HAR 1.2", { skip: !process.env.PLAYGROUND_EXPORT && "no playground export given (PLAYGROUND_EXPORT)" }, async () => {
  const { har, statuses } = JSON.parse(readFileSync(process.env.PLAYGROUND_EXPORT, "utf8"));
  try {
    await validate.har(har);
  } catch (e) {
    assert.fail(`playground: not valid HAR 1.2: ${JSON.stringify(e.errors ?? e.message)}`);
  }
  const laneA = har.log.entries.filter((e) => e.comment.startsWith("Lane A"));
  assert.deepEqual(laneA.map((e) => e.response.status), statuses);
});

test("the validator is real: a HAR missing a response status is rejected", async () => {
  const har = toHar([{ request: { method: "GET", url: `${BASE}/Users` }, response: { status: 200, body: "{}" } }]);
  await assertValidHar(har, "minimal");
  delete har.log.entries[0].response.status;
  await assert.rejects(validate.har(har));
});

test("Postman: a session exports with {{baseUrl}}, {{authorization}} and status tests, and imports back as templates", async () => {
  const session = createSession();
  const uninstall = installFetchMock(new MockServer({ deterministic: true }), { baseUrl: BASE, session });
  try {
    await conversation(BASE);
  } finally {
    uninstall();
  }
  const collection = session.toPostman({ baseUrl: BASE, name: "Provisioning" });
  assert.equal(collection.info.schema, "https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
  assert.deepEqual(collection.variable, [
    { key: "baseUrl", value: BASE, type: "string" },
    { key: "authorization", value: "Bearer t0ken", type: "string" },
  ]);
  const items = collection.item;
  assert.equal(items.length, 5);
  assert.ok(items.every((i) => i.request.url.startsWith("{{baseUrl}}/Users")), JSON.stringify(items.map((i) => i.request.url)));
  assert.deepEqual(items[3].request.header.find((h) => h.key === "authorization"), { key: "authorization", value: "{{authorization}}" });
  assert.ok(items.every((i) => !i.request.header.some((h) => h.key === "host")));
  assert.deepEqual(items[2].event[0].script.exec.slice(1, 2), ["  pm.response.to.have.status(412);"]);

  // Back in as templates, replayed on a fresh server: the same statuses.
  const templates = fromPostmanCollection(JSON.stringify(collection));
  assert.equal(templates[3].request.headers.authorization, "Bearer t0ken", "variables take the collection's values");
  assert.equal(templates[1].request.path, "/Users/00000000-0000-4000-8000-000000000001?attributes=userName");
  const replay = new MockServer({ deterministic: true });
  assert.deepEqual(
    templates.map((t) => `${t.request.method} ${replay.handle(t.request).status}`),
    STATUSES,
  );
});

test("Postman import: folders flatten in order, URL objects and disabled headers are understood, other hosts are marked external", () => {
  const templates = fromPostmanCollection({
    info: { name: "Vendor SCIM", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    variable: [{ key: "scimBase", value: "https://vendor.example/scim/v2" }, { key: "token", value: "abc" }],
    item: [
      {
        name: "Users",
        item: [
          {
            name: "Create",
            request: {
              method: "POST",
              header: [{ key: "Authorization", value: "Bearer {{token}}" }, { key: "X-Debug", value: "1", disabled: true }],
              url: { raw: "{{scimBase}}/Users", host: ["{{scimBase}}"], path: ["Users"] },
              body: { mode: "raw", raw: JSON.stringify(user("alice")) },
            },
          },
          { name: "List", request: { method: "GET", url: { host: ["{{scimBase}}"], path: ["Users"], query: [{ key: "count", value: "2" }] } } },
        ],
      },
      { name: "Elsewhere", request: "https://status.example/ping" },
    ],
  }, { baseVariable: "scimBase" });
  assert.deepEqual(templates, [
    { name: "Users / Create", request: { method: "POST", path: "/Users", headers: { Authorization: "Bearer abc" }, body: JSON.stringify(user("alice")) } },
    { name: "Users / List", request: { method: "GET", path: "/Users?count=2", headers: {} } },
    { name: "Elsewhere", request: { method: "GET", path: "https://status.example/ping", headers: {} }, external: true },
  ]);
  const server = new MockServer();
  assert.equal(server.handle(templates[0].request).status, 201);
  assert.equal(server.handle(templates[1].request).json.totalResults, 1);
  assert.throws(() => fromPostmanCollection({ info: {} }), /not a Postman collection/);
});

test("any list of requests exports, with expected statuses as tests", () => {
  const c = toPostmanCollection(
    [{ method: "get", path: "/Users", status: 200, name: "list" }, { method: "POST", url: "https://other.test/x", body: { a: 1 } }],
    { baseUrl: `${BASE}/` },
  );
  assert.equal(c.item[0].name, "list");
  assert.equal(c.item[0].request.url, "{{baseUrl}}/Users");
  assert.equal(c.item[0].request.method, "GET");
  assert.equal(c.item[1].request.url, "https://other.test/x");
  assert.equal(c.item[1].request.body.raw, '{"a":1}');
  assert.deepEqual(c.item[1].request.header, [{ key: "content-type", value: "application/scim+json" }]);
  assert.equal(c.item[1].event, undefined);
  assert.throws(() => toPostmanCollection([], {}), /baseUrl is required/);
});
