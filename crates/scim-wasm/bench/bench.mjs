// Benchmark, not a test: the wasm MockServer (from dist/scim-wasm, Node entry) against npm
// `scimmy` with the in-memory store its docs suggest (ingress/egress handlers over a Map).
// Operations: PUT replace, GET by id, filter `userName eq "..."`, at 1k and 10k users.
// Each side turns a request into a response body string (scimmy's result objects are
// JSON.stringify'd, as an HTTP layer over it would).
//
//   node crates/scim-wasm/bench/bench.mjs [--write] [--doc FILE] [--json FILE] [--seconds S] [--rounds N] [--smoke]
//
// Run by `cargo xtask bench` (part `node`). Each cell is the median of N rounds (default 5;
// the two sides alternate within each round) with min–max. --write replaces the
// "Node (wasm vs scimmy)" section of --doc (default docs/benchmarks.md); --json writes the
// rows for the summary; --smoke runs every operation briefly at 100 users (no numbers kept).

import { readFile, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import { performance } from "node:perf_hooks";

import SCIMMY from "scimmy";

const root = new URL("../../../", import.meta.url);
const dist = new URL("dist/scim-wasm/", root);
const manifest = JSON.parse(await readFile(new URL("package.json", dist), "utf8"));
const { MockServer } = await import(new URL(manifest.exports["."].node, dist).href);

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const SMOKE = args.includes("--smoke");
const WRITE = args.includes("--write") && !SMOKE;
const ROUNDS = SMOKE ? 1 : Math.max(5, Number(opt("--rounds")) || 5);
const SECONDS = SMOKE ? 0.02 : Number(opt("--seconds")) || 0.5;
const SIZES = SMOKE ? [100] : [1_000, 10_000];
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const HEADING = "## Node (wasm vs scimmy)";

const userBody = (i, title = "Guide") => ({
  schemas: [USER],
  userName: `user${i}`,
  name: { givenName: `Given${i}`, familyName: `Family${i}` },
  title,
  emails: [{ value: `user${i}@example.com`, type: "work", primary: true }],
});

/** Runs `op(i)` for about `seconds`; returns [operations, milliseconds]. */
async function run(op, seconds, from) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let k = 0; k < 100; k++) await op(from + n++);
  }
  return [n, performance.now() - start];
}

/** Median and min–max of per-round ops/s. */
function spread(xs) {
  const v = [...xs].sort((a, b) => a - b);
  return { median: v[Math.floor((v.length - 1) / 2)] + (v.length % 2 ? 0 : (v[v.length / 2] - v[v.length / 2 - 1]) / 2), min: v[0], max: v[v.length - 1], rounds: v.length };
}

/** ops/s of `a` and `b` per round (after a warm-up), the two sides alternating within each
 *  round so that load from other processes falls on both alike; `SECONDS` per side and round. */
async function timePair(a, b) {
  for (let i = 0; i < (SMOKE ? 5 : 200); i++) {
    await a(i);
    await b(i);
  }
  const per = { a: [], b: [] };
  const from = { a: 0, b: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [key, op] of [["a", a], ["b", b]]) {
      const [n, ms] = await run(op, SECONDS, from[key]);
      from[key] += n;
      per[key].push(n / (ms / 1000));
    }
  }
  return [spread(per.a), spread(per.b)];
}

/** ops/s of one side alone, per round. */
async function timeOne(op) {
  for (let i = 0; i < (SMOKE ? 5 : 200); i++) await op(i);
  const per = [];
  let from = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const [n, ms] = await run(op, SECONDS, from);
    from += n;
    per.push(n / (ms / 1000));
  }
  return spread(per);
}

// --- wasm ---------------------------------------------------------------------------------

function wasmSide(size) {
  const server = new MockServer({ seed: 1 });
  const ids = [];
  for (let i = 0; i < size; i++) {
    const res = server.handle({ method: "POST", path: "/scim/v2/Users", body: userBody(i) });
    if (res.status !== 201) throw new Error(`wasm set-up: ${res.status} ${res.body}`);
    ids.push(res.json.id);
  }
  const check = (res, op) => {
    if (res.status !== 200) throw new Error(`wasm ${op}: ${res.status} ${res.body}`);
    return res.body;
  };
  const filter = (i) => `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${i % size}"`)}`;
  const probe = server.handle({ method: "GET", path: filter(0) });
  // The fast path (`handleText`): the body as JSON text (JSON.stringify is inside the timed
  // operation), the response as text.
  const h = (req) => server.handleText(req);
  return {
    put: (i) =>
      check(h({ method: "PUT", path: `/scim/v2/Users/${ids[i % size]}`, body: JSON.stringify(userBody(i % size, `T${i}`)) }), "PUT"),
    get: (i) => check(h({ method: "GET", path: `/scim/v2/Users/${ids[i % size]}` }), "GET"),
    filter: probe.status === 200 ? (i) => check(h({ method: "GET", path: filter(i) }), "filter") : null,
    filterStatus: probe.status,
  };
}

// --- scimmy -------------------------------------------------------------------------------

let store = new Map();
let nextId = 1;
SCIMMY.Resources.declare(SCIMMY.Resources.User)
  .ingress((resource, instance) => {
    const now = new Date().toISOString();
    if (resource.id) {
      const old = store.get(resource.id);
      if (!old) throw new SCIMMY.Types.Error(404, null, `User ${resource.id} not found`);
      const updated = { ...instance, id: resource.id, meta: { ...old.meta, lastModified: now } };
      store.set(resource.id, updated);
      return updated;
    }
    const id = String(nextId++);
    const created = { ...instance, id, meta: { created: now, lastModified: now } };
    store.set(id, created);
    return created;
  })
  .egress((resource) => {
    if (resource.id) {
      const found = store.get(resource.id);
      if (!found) throw new SCIMMY.Types.Error(404, null, `User ${resource.id} not found`);
      return found;
    }
    const all = [...store.values()];
    return resource.filter ? resource.filter.match(all) : all;
  });

async function scimmySide(size) {
  store = new Map();
  nextId = 1;
  const ids = [];
  for (let i = 0; i < size; i++) {
    ids.push((await new SCIMMY.Resources.User().write(userBody(i))).id);
  }
  return {
    put: async (i) => JSON.stringify(await new SCIMMY.Resources.User(ids[i % size]).write(userBody(i % size, `T${i}`))),
    get: async (i) => JSON.stringify(await new SCIMMY.Resources.User(ids[i % size]).read()),
    filter: async (i) => {
      const list = await new SCIMMY.Resources.User({ filter: `userName eq "user${i % size}"` }).read();
      if (list.totalResults !== 1) throw new Error(`scimmy filter found ${list.totalResults}`);
      return JSON.stringify(list);
    },
  };
}

// --- run ----------------------------------------------------------------------------------

const loadBefore = os.loadavg()[0].toFixed(1);
const rows = [];
const notes = [];
for (const size of SIZES) {
  const w = wasmSide(size);
  const s = await scimmySide(size);
  for (const op of ["put", "get", "filter"]) {
    const label = { put: "PUT replace", get: "GET by id", filter: 'filter `userName eq`' }[op];
    if (!w[op]) {
      rows.push({ label, size, wasm: null, scimmy: await timeOne(s[op]) });
      notes.push(`filter: the core answered ${w.filterStatus} to GET /Users?filter=... (listing/filtering not routed yet); only scimmy timed.`);
      continue;
    }
    const [wOps, sOps] = await timePair(w[op], s[op]);
    rows.push({ label, size, wasm: wOps, scimmy: sOps });
  }
}

const fmt = (n) => (n === null ? "n/a" : Math.round(n).toLocaleString("en-US"));
const cell = (x) => (x === null ? "n/a" : `${fmt(x.median)} (${fmt(x.min)}–${fmt(x.max)})`);
const cpus = os.cpus();
const machine = `${cpus[0]?.model?.trim() ?? "unknown CPU"} (${cpus.length} logical CPUs), ${os.platform()} ${os.arch()}, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const table = [
  "| operation | users | wasm ops/s, median (min–max) | scimmy ops/s, median (min–max) | wasm / scimmy (medians) |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (r) => `| ${r.label} | ${r.size.toLocaleString("en-US")} | ${cell(r.wasm)} | ${cell(r.scimmy)} | ${r.wasm === null ? "n/a" : (r.wasm.median / r.scimmy.median).toFixed(2) + "×"} |`,
  ),
].join("\n");
const section = [
  HEADING,
  "",
  `Measured ${date} on ${machine} (load average ${loadBefore} at the start, ${os.loadavg()[0].toFixed(1)} at the end: other jobs may share the CPUs,`,
  `so compare ratios within a row rather than absolute numbers), ${ROUNDS} rounds of ${SECONDS} s per side and cell, the two sides`,
  `alternating within each round, by \`cargo xtask bench\``,
  `(\`crates/scim-wasm/bench/bench.mjs\`): the release wasm package through its fast path (\`MockServer.handleText\`: the body`,
  `\`JSON.stringify\`'d inside the timed operation, the response as text, no explanation) against scimmy ${JSON.parse(await readFile(new URL("node_modules/scimmy/package.json", root), "utf8")).version}`,
  "with ingress/egress handlers over a `Map` (its documented in-memory approach; results `JSON.stringify`'d).",
  "The filter row is not like for like: scim-core answers `userName eq` from its uniqueness index (RFC 7643 §7),",
  "while scimmy's `Filter.match` scans every user, so that gap grows with the user count.",
  "",
  table,
  ...[...new Set(notes)].map((n) => `\nNote: ${n}`),
  "",
].join("\n");

console.log(section);

const jsonOut = opt("--json");
if (jsonOut) await writeFile(jsonOut, JSON.stringify({ rows }, null, 2));

if (WRITE) {
  const docs = new URL("docs/", root);
  const file = opt("--doc") ?? new URL("benchmarks.md", docs);
  await mkdir(docs, { recursive: true });
  let text = await readFile(file, "utf8").catch(() => "# Benchmarks\n");
  const start = text.indexOf(HEADING);
  if (start >= 0) {
    const next = text.indexOf("\n## ", start + HEADING.length);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next) : "");
  } else {
    text = text.replace(/\n*$/, "\n\n") + section;
  }
  await writeFile(file, text);
  console.log("wrote docs/benchmarks.md");
}
