// compareAll from the built Node package against the shared expected-outcomes file
// tests/compare-all/cases.json (the table scim-core, `scim-mock compare --all` and the
// playground's "All profiles" view are checked against too).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

import { pkg } from "./package.mjs";

const { compareAll } = pkg;
const cases = JSON.parse(await readFile(new URL("../../../../tests/compare-all/cases.json", import.meta.url), "utf8"));

const table = (all) => ({
  attributes: all.attributes,
  rows: all.rows.map((r) => ({ profile: r.profile, status: r.status, outcomes: r.outcomes })),
});

for (const c of cases.cases) {
  test(`compareAll gives the shared table: ${c.name}`, () => {
    assert.deepEqual(table(compareAll(c.request)), c.expect);
  });
}

test("compareAll adds custom profiles after the built-ins and checks its options", () => {
  const request = cases.cases[0].request;
  const mine = { extends: "rfc", name: "mine", behaviour: { omitted: "keep" } };
  const all = compareAll(request, { profiles: [mine, "zoom"] });
  const names = all.rows.map((r) => r.profile);
  assert.deepEqual(names.slice(-2), ["mine", "zoom"]);
  assert.equal(all.rows.at(-2).outcomes.name, "kept");
  assert.equal(all.rows.find((r) => r.profile === "rfc").outcomes.name, "cleared");
  const failed = all.rows.find((r) => r.profile === "entra");
  assert.equal(failed.status, 405);
  assert.match(failed.detail, /PUT is not supported/);
  assert.throws(() => compareAll(request, { profile: "rfc" }), /profiles/);
  assert.throws(() => compareAll(request, { profiles: [{ extends: "rfc", behaviour: { omitted: "sometimes" } }] }), /omitted/);
});
