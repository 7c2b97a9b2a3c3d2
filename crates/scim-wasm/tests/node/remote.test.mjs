// learnProfile and replayScenario (issue 16): the same state machines as `scim-mock learn`
// and `scim-mock replay`, driven with fetch against a MockServer behind the Node listener.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { pkg } from "./package.mjs";

const { MockServer, createScimListener, learnProfile, learnDryRun, replayScenario } = pkg;

async function listen(server, options) {
  const http = createServer(createScimListener(server, options));
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { http, base: `http://127.0.0.1:${http.address().port}${options?.basePath ?? "/scim/v2"}` };
}

test("learnProfile learns a vendor profile back, with evidence and a HAR", async () => {
  const server = new MockServer({ profile: "slack" });
  const { http, base } = await listen(server);
  try {
    const learned = await learnProfile(fetch, { baseUrl: base, name: "mine", nonce: "js1" });
    const knob = (name) => learned.decided.find((d) => d.knob === name)?.value;
    assert.equal(knob("behaviour.deleteMode"), "deactivate");
    assert.equal(knob("behaviour.versioning"), false);
    assert.equal(knob("behaviour.omitted"), "clear");
    assert.ok(learned.decided.length >= 20, `${learned.decided.length} decided`);
    assert.match(learned.profile.knobSources["behaviour.deleteMode"].quote, /DELETE .* → 204/);
    assert.equal(learned.profile.basePath, "/scim/v2");
    assert.equal(learned.har.log.entries.length, learned.exchanges.length);
    assert.ok(learned.har.log.entries[0].request.url.startsWith(base));
    // The learned profile serves as a mock.
    const mine = new MockServer({ profile: learned.profile });
    assert.equal(mine.handle({ method: "GET", path: "/scim/v2/Users" }).status, 200);
  } finally {
    http.close();
  }
});

test("the token goes to the server but into no result", async () => {
  const server = new MockServer({ profile: "rfc" });
  const { http, base } = await listen(server);
  let sawToken = 0;
  const counting = (url, init) => {
    if (init.headers.get("authorization") === "Bearer t0ken") sawToken += 1;
    return fetch(url, init);
  };
  try {
    const learned = await learnProfile(counting, { baseUrl: base, token: "t0ken" });
    assert.ok(sawToken > 10);
    assert.ok(!JSON.stringify(learned).includes("t0ken"));
  } finally {
    http.close();
  }
});

test("learnDryRun lists the battery and its requests without sending", async () => {
  const dry = await learnDryRun();
  assert.ok(dry.probes.some((p) => p.name === "omitted" && p.decides.includes("behaviour.omitted")));
  assert.ok(dry.requests.length > 40);
  assert.ok(dry.requests.every((r) => !r.path.startsWith("http")));
});

test("replayScenario reports per step and where a habit breaks", async () => {
  const scenario = JSON.parse(await readFile(new URL("../../../../tests/scenarios/okta-full-put.json", import.meta.url), "utf8"));
  const ok = new MockServer({ profile: "okta" });
  const a = await listen(ok);
  try {
    const report = await replayScenario(fetch, scenario, { baseUrl: a.base });
    assert.equal(report.passed, true, JSON.stringify(report.steps.filter((s) => s.outcome !== "passed")));
    assert.equal(report.har.log.entries.length, scenario.steps.length);
  } finally {
    a.http.close();
  }
  const aws = new MockServer({ profile: "aws" });
  const b = await listen(aws, { basePath: "/t1/scim/v2" });
  try {
    const report = await replayScenario(fetch, scenario, { baseUrl: b.base });
    assert.equal(report.passed, false);
    const put = report.steps.find((s) => s.name === "PUT the group with its members");
    assert.equal(put.outcome, "broken");
    assert.match(put.problems.join(" "), /status 400/);
  } finally {
    b.http.close();
  }
});
