// Issue 12, item 1: no input, however hostile, may leave a MockServer unusable. Each case
// sends a request whose getters or Proxy traps throw (or a revoked Proxy, a Symbol, a
// BigInt, a cycle, an endless iterator, a huge body) and then, on the same instance, a
// normal request and snapshot(). Before the fix the first thrown getter left the instance's
// borrow held: every later call threw "recursive use of an object detected".
import { test } from "node:test";
import assert from "node:assert/strict";

import { pkg, user } from "./package.mjs";

const { MockServer } = pkg;

const throwing = (message = "x") => ({
  get() {
    throw new Error(message);
  },
});

function revoked() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const endless = {
  [Symbol.iterator]() {
    return { next: () => ({ done: false, value: ["X-A", "b"] }) };
  },
};

const cyclic = user("cycle");
cyclic.self = cyclic;

// name → a request (or a function making one: some are costly to build).
const hostile = {
  "a throwing getter in headers (the issue's reproduction)": {
    method: "GET",
    path: "/Users",
    headers: Object.defineProperty({}, "Accept", { enumerable: true, ...throwing() }),
  },
  "a throwing getter on the request": Object.defineProperty({ method: "GET" }, "path", { enumerable: true, ...throwing() }),
  "a throwing getter for the body": Object.defineProperty({ method: "POST", path: "/Users" }, "body", {
    enumerable: true,
    ...throwing(),
  }),
  "a Proxy whose get trap throws": new Proxy({ method: "GET", path: "/Users" }, throwing("get trap")),
  "a Proxy whose ownKeys trap throws": new Proxy(
    { method: "GET", path: "/Users" },
    {
      ownKeys() {
        throw new Error("ownKeys trap");
      },
    },
  ),
  "headers as a Proxy whose ownKeys trap throws": {
    method: "GET",
    path: "/Users",
    headers: new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("ownKeys trap");
        },
      },
    ),
  },
  "a revoked Proxy as the request": revoked(),
  "a revoked Proxy as headers": { method: "GET", path: "/Users", headers: revoked() },
  "a revoked Proxy as the body": { method: "POST", path: "/Users", body: revoked() },
  "a Symbol as the method": { method: Symbol("GET"), path: "/Users" },
  "a Symbol as a header value": { method: "GET", path: "/Users", headers: { Accept: Symbol("x") } },
  "a BigInt body": { method: "POST", path: "/Users", body: { userName: 1n } },
  "a BigInt path": { method: "GET", path: 1n },
  "a cyclic body": { method: "POST", path: "/Users", body: cyclic },
  "a body whose toJSON throws": {
    method: "POST",
    path: "/Users",
    body: {
      toJSON() {
        throw new Error("toJSON");
      },
    },
  },
  "an endless headers iterator": { method: "GET", path: "/Users", headers: endless },
  "a headers iterator whose next throws": {
    method: "GET",
    path: "/Users",
    headers: {
      [Symbol.iterator]() {
        return {
          next() {
            throw new Error("next");
          },
        };
      },
    },
  },
  "a header pair that is a throwing Proxy": {
    method: "GET",
    path: "/Users",
    headers: [new Proxy(["Accept", "application/json"], throwing("pair"))],
  },
};

/// A normal POST, GET and snapshot on `server` after a hostile call.
function stillServes(server, name) {
  const n = server.handle({ method: "GET", path: "/Users" }).json.totalResults;
  const created = server.handle({ method: "POST", path: "/Users", body: user(`after-${n}`) });
  assert.equal(created.status, 201, `${name}: POST after it: ${created.body}`);
  const listed = server.handle({ method: "GET", path: "/Users" });
  assert.equal(listed.json.totalResults, n + 1, name);
  const snap = JSON.parse(server.snapshot());
  assert.equal(snap.resources.User.length, n + 1, name);
}

test("hostile requests throw a clear error and leave the instance usable", () => {
  const server = new MockServer({ deterministic: true });
  for (const [name, request] of Object.entries(hostile)) {
    assert.throws(
      () => server.handle(request),
      (e) => e instanceof Error && !/recursive use|unreachable/.test(e.message) && e.message.length < 1000,
      name,
    );
    stillServes(server, name);
  }
});

test("hostile requests to compare() leave both instances usable", () => {
  const a = new MockServer({ deterministic: true });
  const b = new MockServer({ deterministic: true });
  for (const [name, request] of Object.entries(hostile)) {
    assert.throws(() => a.compare(request, b), Error, name);
    stillServes(a, name);
    stillServes(b, name);
  }
  assert.throws(() => a.compare({ method: "GET", path: "/Users" }, a), /two different MockServers/);
  stillServes(a, "compare with itself");
});

test("hostile options throw from the constructor and restore()", () => {
  assert.throws(() => new MockServer(Object.defineProperty({}, "profile", { enumerable: true, ...throwing() })), /profile/);
  assert.throws(() => new MockServer(revoked()), Error);
  assert.throws(() => MockServer.restore(cyclic), /JSON/);
  const server = new MockServer();
  assert.throws(() => MockServer.restore(server.snapshot(), new Proxy({}, throwing())), Error);
});

test("a body over 1 MiB is a 413 SCIM error, also at hundreds of megabytes", () => {
  const server = new MockServer({ deterministic: true });
  const cases = [
    ["a 2 MiB string", () => "x".repeat(2 * 1024 * 1024)],
    ["a 400 MB string", () => " ".repeat(400_000_000)],
    ["an object that stringifies to 30 MB", () => ({ ...user("big"), title: "t".repeat(30_000_000) })],
    ["a string of 600,000 three-byte characters (1.8 MB of UTF-8)", () => "€".repeat(600_000)],
  ];
  for (const [name, body] of cases) {
    const res = server.handle({ method: "POST", path: "/Users", body: body() });
    assert.equal(res.status, 413, `${name}: ${res.body.slice(0, 200)}`);
    assert.equal(res.json.status, "413");
    assert.match(res.json.detail, /limit of 1048576 bytes/);
    stillServes(server, name);
  }
  // Just under the limit is served (here a 400: a string of spaces is no JSON value).
  const under = server.handle({ method: "POST", path: "/Users", body: " ".repeat(1024 * 1024 - 10) });
  assert.equal(under.status, 400, under.body);
});

test("restore() refuses a snapshot that breaks the schema, naming resource and attribute", () => {
  const server = new MockServer({ deterministic: true });
  server.handle({ method: "POST", path: "/Users", body: user("bjensen") });
  const good = JSON.parse(server.snapshot());
  const edits = {
    "active: \"yes\"": [(u) => (u.active = "yes"), /resources\.User\[0\].*'active'/],
    "no userName": [(u) => delete u.userName, /'userName' is required/],
    "userName: 12345": [(u) => (u.userName = 12345), /'userName'.*string/],
    "meta.version: \"garbage\"": [(u) => (u.meta.version = "garbage"), /meta\.version/],
    "an unknown attribute": [(u) => (u.favouriteColour = "teal"), /favouriteColour/],
  };
  for (const [name, [edit, message]] of Object.entries(edits)) {
    const bad = structuredClone(good);
    edit(bad.resources.User[0]);
    assert.throws(() => MockServer.restore(JSON.stringify(bad), { deterministic: true }), message, name);
  }
  const again = MockServer.restore(JSON.stringify(good), { deterministic: true });
  assert.equal(again.snapshot(), server.snapshot());
});
