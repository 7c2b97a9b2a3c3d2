// MockServer from the built Node package: create, PUT, snapshot/restore, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

import { manifest, pkg, user } from "./package.mjs";

const { MockServer } = pkg;

test("the manifest names browser, node and default entries and the types", () => {
  assert.equal(manifest.name, "scim-playground-wasm");
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  const dot = manifest.exports["."];
  assert.deepEqual(Object.keys(dot), ["types", "browser", "node", "default"]);
  assert.equal(manifest.types, "./index.d.ts");
  assert.equal(typeof pkg.default, "function", "init() exists in Node too");
});

test("the wasm imports only its JS glue: no native clock, file system or env leaked in", async () => {
  for (const target of ["web", "node"]) {
    const bytes = await readFile(new URL(`../../../../dist/scim-wasm/${target}/scim_wasm_bg.wasm`, import.meta.url));
    const modules = new Set(WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => i.module));
    assert.deepEqual([...modules], ["./scim_wasm_bg.js"], target);
  }
});

test("POST creates a user: 201 with ETag, Location, parsed json and explanation", () => {
  const server = new MockServer({ deterministic: true });
  const res = server.handle({ method: "POST", path: "/scim/v2/Users", body: user("bjensen", { title: "Guide" }) });
  assert.equal(res.status, 201);
  assert.equal(res.headers["content-type"], "application/scim+json");
  assert.equal(res.headers.etag, 'W/"1"');
  assert.equal(res.headers.location, "/scim/v2/Users/00000000-0000-4000-8000-000000000001");
  assert.equal(res.json.userName, "bjensen");
  assert.equal(res.json.meta.created, "2026-01-01T00:00:00.000Z");
  assert.deepEqual(JSON.parse(res.body), res.json);
  assert.equal(Object.getPrototypeOf(res.headers), Object.prototype, "headers are a plain object");
  assert.deepEqual(
    res.explanation.entries.map((e) => [e.path, e.outcome]),
    [["userName", "added"], ["title", "added"]],
  );
});

test("PUT replaces: omitted attributes are cleared under the RFC profile, version moves", () => {
  const server = new MockServer({ deterministic: true });
  const { json: created } = server.handle({ method: "POST", path: "/Users", body: user("bjensen", { title: "Guide" }) });
  const res = server.handle({
    method: "PUT",
    path: `/Users/${created.id}`,
    headers: { "If-Match": created.meta.version },
    body: JSON.stringify(user("bjensen", { displayName: "Babs" })),
  });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.displayName, "Babs");
  // Headers may also come as a Headers object, a Map or pairs: a stale If-Match is refused.
  for (const headers of [new Headers({ "If-Match": created.meta.version }), new Map([["If-Match", 'W/"1"']]), [["If-Match", 'W/"1"']]]) {
    const stale = server.handle({ method: "PUT", path: `/Users/${created.id}`, headers, body: user("bjensen") });
    assert.equal(stale.status, 412, stale.body);
  }
  assert.equal("title" in res.json, false);
  assert.equal(res.headers.etag, 'W/"2"');
  assert.notEqual(res.json.meta.lastModified, created.meta.lastModified);
  const cleared = res.explanation.entries.find((e) => e.path === "title");
  assert.equal(cleared.outcome, "clearedOmitted");
  assert.equal(cleared.old, "Guide");
});

test("handleText, the fast path, answers as handle does, without json or explanation", () => {
  const a = new MockServer({ deterministic: true });
  const b = new MockServer({ deterministic: true });
  const requests = [
    { method: "POST", path: "/Users", body: JSON.stringify(user("bjensen", { title: "Guide" })) },
    { method: "PUT", path: "/Users/00000000-0000-4000-8000-000000000001", headers: { "If-Match": 'W/"1"' }, body: JSON.stringify(user("bjensen")) },
    { method: "PUT", path: "/Users/00000000-0000-4000-8000-000000000001", headers: [["If-Match", 'W/"1"']], body: JSON.stringify(user("bjensen")) },
    { method: "GET", path: '/Users?filter=userName eq "bjensen"' },
    { method: "POST", path: "/Users", body: "{not json" },
    { method: "DELETE", path: "/Users/00000000-0000-4000-8000-000000000001" },
  ];
  const statuses = [];
  for (const req of requests) {
    const full = a.handle(req);
    const text = b.handleText(req);
    statuses.push(text.status);
    assert.deepEqual(
      { status: text.status, headers: text.headers, body: text.body, changed: text.changed },
      { status: full.status, headers: full.headers, body: full.body, changed: full.changed },
      `${req.method} ${req.path}`,
    );
    assert.equal("json" in text, false);
    assert.equal("explanation" in text, false);
  }
  assert.deepEqual(statuses, [201, 200, 412, 200, 400, 204]);
  // The explanation is skipped only for the fast call: handle still explains afterwards.
  const later = b.handle({ method: "POST", path: "/Users", body: user("jsmith") });
  assert.equal(later.explanation.entries[0].path, "userName");
  // A request that is not one throws, as with handle, and the instance stays usable.
  assert.throws(() => b.handleText({ method: "GET" }), /path/);
  assert.equal(b.handleText({ method: "GET", path: "/Users" }).status, 200);
});

test("handleText takes plain requests through handleParts and answers exactly as its checked path", () => {
  const checked = MockServer.prototype.handleText.checked;
  assert.equal(typeof checked, "function", "the entry puts the plain-request path in front");
  assert.equal(typeof MockServer.prototype.handleParts, "function");
  const fast = new MockServer({ deterministic: true });
  const slow = new MockServer({ deterministic: true });
  // Spy on handleParts: each request below must (or must not) take it.
  let partsCalls = 0;
  const parts = fast.handleParts;
  fast.handleParts = function (...args) {
    partsCalls++;
    return parts.apply(this, args);
  };
  const id = "00000000-0000-4000-8000-000000000001";
  const cases = [
    [true, { method: "POST", path: "/Users", body: JSON.stringify(user("bjensen", { title: "Guide \u{1F600} ünï" })) }],
    [true, { method: "GET", path: `/Users/${id}`, headers: {} }],
    [true, { method: "PUT", path: `/Users/${id}`, headers: { "If-Match": 'W/"9"', "X-Extra": "a\tb" }, body: JSON.stringify(user("bjensen")) }],
    [true, { method: "PUT", path: `/Users/${id}`, headers: { "if-match": 'W/"1"' }, body: JSON.stringify(user("bjensen")) }],
    [true, { method: "GET", path: '/Users?filter=userName eq "bjensen"&attributes=userName' }],
    [true, { method: "POST", path: "/Users", body: "" }],
    [true, { method: "POST", path: "/Users", body: "{not json", headers: { "content-type": "application/json" } }],
    [true, { method: "POST", path: "/Users", body: null }],
    [true, { method: "GET", path: "/Nowhere" }],
    [true, { method: "BREW", path: "/Users" }],
    [false, { method: "POST", path: "/Users", body: user("jsmith") }],
    [false, { method: "GET", path: `/Users/${id}`, headers: [["Accept", "application/scim+json"]] }],
    [false, { method: "GET", path: `/Users/${id}`, headers: new Map([["Accept", "application/scim+json"]]) }],
    [false, { method: "POST", path: "/Users", body: "x".repeat(1024 * 1024 + 1) }],
    [true, { method: "DELETE", path: `/Users/${id}` }],
  ];
  for (const [takesParts, req] of cases) {
    const before = partsCalls;
    const got = fast.handleText(req);
    const want = checked.call(slow, req);
    assert.deepEqual(got, want, `${req.method} ${req.path}`);
    assert.equal(partsCalls - before, takesParts ? 1 : 0, `${req.method} ${req.path}: handleParts taken`);
  }
  // Requests that are not ones keep the checked path's errors, word for word.
  for (const bad of [{ method: "GET" }, { method: "GET", path: "/Users", header: {} }, { method: 1, path: "/Users" }, { method: "GET", path: "/Users", headers: { a: 1 } }, null, "GET /Users"]) {
    let want;
    try {
      checked.call(slow, bad);
    } catch (e) {
      want = e.message;
    }
    assert.ok(want, `${JSON.stringify(bad)} is refused`);
    assert.throws(() => fast.handleText(bad), (e) => e.message === want);
  }
});

test("a SCIM error is a 400 response object, and the store is unchanged", () => {
  const server = new MockServer({ deterministic: true });
  const { json: created } = server.handle({ method: "POST", path: "/Users", body: user("bjensen") });
  const before = server.snapshot();
  const res = server.handle({ method: "PUT", path: `/Users/${created.id}`, body: { schemas: [user("x").schemas[0]], userName: 42 } });
  assert.equal(res.status, 400);
  assert.equal(res.json.status, "400");
  assert.equal(res.json.scimType, "invalidValue");
  assert.match(res.json.detail, /userName/);
  assert.deepEqual(res.json.schemas, ["urn:ietf:params:scim:api:messages:2.0:Error"]);
  assert.equal(server.snapshot(), before);
});

test("snapshot/restore round-trips; reset empties", () => {
  const server = new MockServer({ seed: 42 });
  const { json: a } = server.handle({ method: "POST", path: "/Users", body: user("alice") });
  server.handle({ method: "POST", path: "/Users", body: user("bob") });
  const snap = server.snapshot();
  assert.equal(typeof snap, "string");
  assert.equal(JSON.parse(snap).resources.User.length, 2);

  const copy = MockServer.restore(snap, { seed: 42 });
  assert.equal(copy.snapshot(), snap);
  assert.equal(copy.handle({ method: "GET", path: `/Users/${a.id}` }).json.userName, "alice");
  assert.equal(MockServer.restore(JSON.parse(snap)).snapshot(), snap, "an object works too");

  server.reset();
  assert.equal(JSON.parse(server.snapshot()).resources.User.length, 0);
  assert.equal(copy.handle({ method: "GET", path: `/Users/${a.id}` }).status, 200, "the copy is independent");
});

test("a restored server continues its id sequence and clock exactly (both travel in the snapshot)", () => {
  for (const options of [{ deterministic: true }, { seed: 7 }]) {
    const first = new MockServer(options);
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(first.handle({ method: "POST", path: "/Users", body: user(`u${i}`) }).json.id);
    first.handle({ method: "DELETE", path: `/Users/${ids[19]}` });
    const next = first.handle({ method: "POST", path: "/Users", body: user("next") }).json.id;

    const restored = MockServer.restore(first.snapshot(), options);
    for (const s of [first, restored]) s.handle({ method: "DELETE", path: `/Users/${next}` });
    const original = first.handle({ method: "POST", path: "/Users", body: user("again") });
    const again = restored.handle({ method: "POST", path: "/Users", body: user("again") });
    assert.equal(again.status, 201, again.body);
    assert.ok(!ids.includes(again.json.id), `fresh id, not one of the first run's: ${again.json.id}`);
    assert.equal(again.json.id, original.json.id, "the same next id as the original server");
    if (options.deterministic) {
      // One second per write: 20 POSTs, a DELETE, a POST, a DELETE, then this POST.
      assert.equal(again.json.meta.created, "2026-01-01T00:00:23.000Z");
      assert.equal(again.body, original.body);
      assert.equal(restored.snapshot(), first.snapshot());
    }
  }
});

test("boundary errors throw with the detail", () => {
  assert.throws(() => new MockServer({ profile: "nope" }), /no built-in profile "nope"; built-in profiles: rfc/);
  assert.throws(() => new MockServer({ determinstic: true }), /unknown field "determinstic"/);
  assert.throws(() => MockServer.restore("{}"), /format/);
  assert.throws(() => new MockServer({ seed: -1 }), /"seed" must be a non-negative integer/);
  assert.throws(() => new MockServer({ deterministic: "yes" }), /"deterministic" must be a boolean/);
  assert.throws(() => new MockServer({ profile: { name: "x" } }), /missing field `schemas`/);
  const server = new MockServer();
  assert.throws(() => server.handle({ path: "/Users" }), /"method" must be a string/);
  assert.throws(() => server.handle("GET /Users"), /expected an object/);
  assert.throws(() => server.handle({ method: "GET", path: "/Users", header: {} }), /unknown field "header"/);
  assert.throws(() => server.handle({ method: "GET", path: "/Users", headers: { Accept: 1 } }), /header "Accept" must be a string/);
  assert.throws(() => server.handle({ method: "GET", path: "/Users", headers: [["Accept"]] }), /"headers" must be an object of strings or \[name, value\] pairs/);
  assert.throws(() => server.handle({ method: "GET", path: "/Users", headers: "Accept: */*" }), /"headers" must be/);
});

test("profiles() lists the built-ins; compare() shows where two profiles differ", async () => {
  const profiles = MockServer.profiles();
  assert.ok(profiles.some((p) => p.name === "rfc" && p.title && p.description));

  const rfc = new MockServer({ deterministic: true });
  const source = JSON.parse(await readFile(new URL("../../../scim-core/profiles/rfc.json", import.meta.url), "utf8"));
  const keepProfile = { ...source, name: "keep", behaviour: { ...source.behaviour, omitted: "keep" } };
  const keep = new MockServer({ deterministic: true, profile: keepProfile });
  const created = rfc.compare({ method: "POST", path: "/Users", body: user("bjensen", { title: "Guide" }) }, keep);
  assert.equal(created.diff.differences, 0, JSON.stringify(created.diff));
  const put = rfc.compare({ method: "PUT", path: `/Users/${created.left.json.id}`, body: user("bjensen") }, keep);
  assert.ok(put.diff.significantDifferences >= 1);
  assert.deepEqual(
    put.diff.entries.find((e) => e.section === "body" && e.path === "title"),
    { section: "body", path: "title", kind: "added", right: "Guide", volatile: false },
  );
  assert.equal(put.left.status, 200);
  assert.equal("title" in put.left.json, false);
  assert.throws(() => rfc.compare({ method: "GET", path: "/Users" }, rfc), /two different MockServers/);
  assert.equal(rfc.handle({ method: "GET", path: "/Users" }).status, 200, "still usable");
});
