// Mocking SCIM provisioning in Vitest with msw: copy this file into your project
// (npm install --save-dev vitest msw scim-playground-wasm) and run `npx vitest run`.
import https from "node:https";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { MockServer, createSession, seedScenario } from "scim-playground-wasm";
import { scimHandlers } from "scim-playground-wasm/msw";

const baseUrl = "https://scim.test/scim/v2";
const User = "urn:ietf:params:scim:schemas:core:2.0:User";

// The scenario every test starts from: a profile and fixtures, seeded once, snapshotted.
let server = new MockServer({ profile: "rfc", deterministic: true });
const seeded = seedScenario(server, {
  Users: [
    { schemas: [User], userName: "bjensen", title: "Tour Guide", emails: [{ value: "bjensen@example.com", primary: true }] },
    { schemas: [User], userName: "jsmith", active: false },
  ],
});
const scenario = server.snapshot();
const session = createSession();

const mock = setupServer(
  // Handlers you already have keep working beside the SCIM one.
  http.get("https://app.test/health", () => HttpResponse.json({ ok: true })),
  ...scimHandlers(() => server, { baseUrl, session }),
);
beforeAll(() => mock.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  server = MockServer.restore(scenario, { profile: "rfc", deterministic: true });
});
afterEach(() => mock.resetHandlers());
afterAll(() => mock.close());

const scim = (method, path, body, headers = {}) =>
  fetch(`${baseUrl}${path}`, {
    method,
    headers: { "Content-Type": "application/scim+json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("provisioning against the SCIM mock", () => {
  test("the scenario's users are there", async () => {
    const res = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "bjensen"')}`);
    expect(res.status).toBe(200);
    const list = await res.json();
    expect(list.totalResults).toBe(1);
    expect(list.Resources[0].id).toBe(seeded.Users[0].id);
  });

  test("a PUT that leaves out title clears it (rfc profile), with an ETag check", async () => {
    const id = seeded.Users[0].id;
    const stale = await scim("PUT", `/Users/${id}`, { schemas: [User], userName: "bjensen" }, { "If-Match": 'W/"999"' });
    expect(stale.status).toBe(412);
    const put = await scim("PUT", `/Users/${id}`, { schemas: [User], userName: "bjensen" }, { "If-Match": 'W/"1"' });
    expect(put.status).toBe(200);
    const body = await put.json();
    expect(body.title).toBeUndefined();
    expect(body.emails).toBeUndefined();
  });

  test("state does not leak between tests: the scenario is restored", async () => {
    const res = await scim("GET", `/Users/${seeded.Users[0].id}`);
    expect((await res.json()).title).toBe("Tour Guide");
  });

  test("SCIM errors are responses", async () => {
    const dup = await scim("POST", "/Users", { schemas: [User], userName: "BJENSEN" });
    expect(dup.status).toBe(409);
    expect((await dup.json()).scimType).toBe("uniqueness");
  });

  test("clients that do not use fetch are served too (node:https here; axios, XMLHttpRequest alike)", async () => {
    const status = await new Promise((resolve, reject) => {
      // msw patches https.request: call it through the module, not a binding imported before.
      https.request(`${baseUrl}/Users/${seeded.Users[1].id}`, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(200);
    expect((await fetch("https://app.test/health")).status).toBe(200);
  });

  test("the session exports as HAR", () => {
    const har = session.toHar();
    expect(har.log.version).toBe("1.2");
    expect(har.log.entries.length).toBeGreaterThan(0);
    expect(har.log.entries.some((e) => e.request.method === "PUT" && e.response.status === 412)).toBe(true);
  });
});
