// Your own SCIM server: learn its behaviour profile, or replay a provisioning client's
// habits against it, with any fetch function (the global fetch, a test double, a relay's).
// Both drive the state machines of the Rust crate scim-learn (the same code as `scim-mock
// learn` and `scim-mock replay`); this file only sends what they yield and feeds back what
// comes. The token is added to each request here and never reaches the machines, so the
// results and their HAR carry no credential.
//
// The machines live in a wasm module of their own (scim-learn-wasm, in learn/): each entry
// passes `load`, an async function that loads it on the first call and returns its bindings,
// so code that only mocks a server never fetches or compiles the battery.

import { toHar } from "./archive.js";

function nonce() {
  return Math.random().toString(36).slice(2, 10);
}

function checkOptions(fetchLike, options, who) {
  if (typeof fetchLike !== "function") throw new TypeError(`${who}: the first argument must be a fetch function`);
  const baseUrl = String(options?.baseUrl ?? "").replace(/\/+$/, "");
  if (!/^https?:\/\//.test(baseUrl)) throw new TypeError(`${who}: options.baseUrl must be the server's SCIM base URL, e.g. "http://localhost:8000/scim/v2"`);
  return baseUrl;
}

async function drive(machine, fetchLike, baseUrl, token, onExchange) {
  for (;;) {
    const text = machine.next();
    if (text === undefined) break;
    const req = JSON.parse(text);
    const headers = new Headers(req.headers);
    if (token) headers.set("Authorization", `Bearer ${token}`);
    const init = { method: req.method, headers };
    if (req.body !== "") init.body = req.body;
    let answer;
    const startedAt = Date.now();
    try {
      const res = await fetchLike(baseUrl + req.path, init);
      answer = { status: res.status, headers: [...res.headers.entries()], body: await res.text() };
    } catch (err) {
      answer = { status: 0, headers: [], body: String(err?.message ?? err) };
    }
    onExchange?.({ startedAt, time: Date.now() - startedAt });
    machine.feed(JSON.stringify(answer));
  }
  return JSON.parse(machine.result());
}

/** HAR 1.2 of a run's exchanges (paths made absolute under baseUrl; no credential). */
function harOf(exchanges, baseUrl, timings) {
  return toHar(
    exchanges.map((x, i) => ({
      startedAt: timings[i]?.startedAt,
      time: timings[i]?.time,
      request: { method: x.request.method, url: baseUrl + x.request.path, headers: Object.fromEntries(x.request.headers), body: x.request.body || undefined },
      response: { status: x.response.status, headers: Object.fromEntries(x.response.headers), body: x.response.body },
    })),
  );
}

/**
 * Runs the probe battery against a live server; resolves to `{ profile, decided,
 * undecided, exchanges, leftovers, har }`. `profile` loads with `new MockServer({ profile })`.
 */
export async function learnProfile(load, fetchLike, options) {
  const baseUrl = checkOptions(fetchLike, options, "learnProfile");
  const bindings = await load();
  const machine = new bindings.ProfileLearner(options.nonce ?? nonce(), options.name ?? "my-server");
  const timings = [];
  try {
    const learned = await drive(machine, fetchLike, baseUrl, options.token, (t) => timings.push(t));
    learned.profile.basePath = new URL(baseUrl).pathname.replace(/\/+$/, "");
    learned.profile.knobSources.basePath = { basis: "inferred", url: baseUrl, quote: "the base URL the server was learned at" };
    learned.undecided = learned.undecided.filter((u) => u.knob !== "basePath");
    learned.har = harOf(learned.exchanges, baseUrl, timings);
    return learned;
  } finally {
    machine.free();
  }
}

/** The battery's probes and every request it sends, without sending anything. */
export async function learnDryRun(load) {
  const bindings = await load();
  return JSON.parse(bindings.ProfileLearner.dryRun("NONCE"));
}

/**
 * Replays a scenario (an object or its JSON text) against a live server; resolves to the
 * report `{ scenario, client, steps, passed, exchanges, har }`.
 */
export async function replayScenario(load, fetchLike, scenario, options) {
  const baseUrl = checkOptions(fetchLike, options, "replayScenario");
  const bindings = await load();
  const text = typeof scenario === "string" ? scenario : JSON.stringify(scenario);
  const machine = new bindings.ScenarioReplayer(text, options.run ?? nonce());
  const timings = [];
  try {
    const report = await drive(machine, fetchLike, baseUrl, options.token, (t) => timings.push(t));
    report.har = harOf(report.exchanges, baseUrl, timings);
    return report;
  } finally {
    machine.free();
  }
}
