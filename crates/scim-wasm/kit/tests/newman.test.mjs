// Postman export against a live service: a provisioning conversation is run through the
// fetch mock (MockServer, rfc profile, deterministic) and recorded; the recording is
// exported as a Postman collection; newman runs it against scim-mock (same profile,
// deterministic, no seed) and every request must get the status the mock answered (each
// item carries a status test, and the executions are compared here too).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import newman from "newman";

import { load, user } from "./lib.mjs";

const { MockServer, createSession, installFetchMock, fromPostmanCollection } = await load();
const BASE = "https://scim.test/scim/v2";
const JSON_HEADERS = { "Content-Type": "application/scim+json" };

const mocks = [];

/** Starts scim-mock on a free port with `args`; resolves to its SCIM base URL. */
function startMock(args) {
  const bin = process.env.SCIM_MOCK_BIN;
  assert.ok(bin, "SCIM_MOCK_BIN names the scim-mock binary");
  const mock = spawn(bin, ["serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  mocks.push(mock);
  return new Promise((resolve, reject) => {
    let out = "";
    mock.stdout.on("data", (d) => {
      out += d;
      const m = /SCIM base\s+(\S+)/.exec(out);
      if (m) resolve(m[1].replace(/\/+$/, ""));
    });
    mock.on("exit", (code) => reject(new Error(`scim-mock exited (${code}) before serving:\n${out}`)));
  });
}

let liveBase;

before(async () => {
  liveBase = await startMock(["--profile", "rfc", "--seed", "none", "--deterministic"]);
});

after(() => mocks.forEach((m) => m.kill()));

/** The status each item's own request got (a pre-request lookup with pm.sendRequest shows up
 *  as an execution of the same item too: the item's request is its last one). */
function itemStatuses(summary) {
  const last = new Map();
  for (const e of summary.run.executions) last.set(e.item.id, e.response?.code);
  return [...last.values()];
}

function runNewman(collection, baseUrl, folder) {
  return new Promise((resolve, reject) => {
    newman.run({ collection, folder, envVar: [{ key: "baseUrl", value: baseUrl }], reporters: [] }, (err, summary) => (err ? reject(err) : resolve(summary)));
  });
}

async function conversation() {
  const send = (method, path, body, headers = {}) =>
    fetch(`${BASE}${path}`, { method, headers: { ...JSON_HEADERS, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const created = await (await send("POST", "/Users", user("bjensen", { title: "Guide", name: { givenName: "Barbara", familyName: "Jensen" } }))).json();
  await send("POST", "/Users", user("jsmith"));
  await send("POST", "/Users", user("BJENSEN")); // 409 uniqueness
  await send("GET", `/Users/${created.id}`);
  await send("GET", `/Users?filter=${encodeURIComponent('userName eq "jsmith"')}`);
  await send("PUT", `/Users/${created.id}`, user("bjensen"), { "If-Match": 'W/"7"' }); // 412
  await send("PUT", `/Users/${created.id}`, user("bjensen"), { "If-Match": 'W/"1"' });
  await send("PUT", `/Users/${created.id}`, { schemas: [user("x").schemas[0]], userName: "bjensen", nickName: 3 }); // 400
  await send("PATCH", `/Users/${created.id}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "title", value: "Lead" }] });
  await send("POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Admins", members: [{ value: created.id }] });
  await send("DELETE", `/Users/${created.id}`);
  await send("GET", `/Users/${created.id}`); // 404
  await send("GET", "/ServiceProviderConfig");
}

test("a recorded session exported to Postman replays on scim-mock with newman, status for status", async () => {
  const session = createSession();
  const uninstall = installFetchMock(new MockServer({ profile: "rfc", deterministic: true }), { baseUrl: BASE, session });
  try {
    await conversation();
  } finally {
    uninstall();
  }
  const shown = session.exchanges.map((x) => x.response.status);
  assert.ok(new Set(shown).size >= 6, `a varied conversation: ${shown}`);
  const collection = session.toPostman({ baseUrl: BASE, name: "kit conversation" });
  const summary = await runNewman(collection, liveBase);
  const got = itemStatuses(summary);
  assert.deepEqual(got, shown, "newman against scim-mock got the statuses the mock showed");
  assert.deepEqual(summary.run.failures.map((f) => `${f.source?.name}: ${f.error?.message}`), []);
  assert.equal(summary.run.stats.assertions.total, shown.length, "one status test per request");
  assert.equal(summary.run.stats.assertions.failed, 0);
});

test("the playground's history export replays on scim-mock with newman, status for status", { skip: !process.env.PLAYGROUND_EXPORT && "no playground export given (PLAYGROUND_EXPORT)" }, async () => {
  // Written by the playground's own code (web/examples/history_export.rs): the history as
  // Postman, lane A's statuses, and lane A's store before the history.
  const exported = JSON.parse(readFileSync(process.env.PLAYGROUND_EXPORT, "utf8"));
  const { collection, statuses, profile, folder, state } = exported;
  assert.ok(statuses.length >= 10 && new Set(statuses).size >= 6, `a varied history: ${statuses}`);
  const dir = mkdtempSync(join(tmpdir(), "scim-kit-state-"));
  const stateFile = join(dir, "store.json");
  writeFileSync(stateFile, JSON.stringify(state));
  try {
    const base = await startMock(["--profile", profile, "--state", stateFile]);
    const summary = await runNewman(collection, base, folder);
    assert.deepEqual(itemStatuses(summary), statuses, "newman got the statuses lane A showed");
    assert.deepEqual(summary.run.failures.map((f) => `${f.source?.name}: ${f.error?.message}`), []);
    assert.equal(summary.run.stats.assertions.total, statuses.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // It imports back as templates, one per request and lane.
  assert.equal(fromPostmanCollection(collection).length, statuses.length * collection.item.length);
});

test("newman is a real check: a collection expecting other statuses fails", async () => {
  const collection = {
    info: { name: "wrong", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: [{ name: "missing user", request: { method: "GET", url: "{{baseUrl}}/Users/nope" }, event: [{ listen: "test", script: { exec: ["pm.test('200', function () { pm.response.to.have.status(200); });"] } }] }],
  };
  const summary = await runNewman(collection, liveBase);
  assert.equal(summary.run.executions[0].response.code, 404);
  assert.equal(summary.run.stats.assertions.failed, 1);
});
