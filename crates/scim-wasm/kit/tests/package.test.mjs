// The published package, from the packed tarball: publint (strict, suggestions included),
// the exports map resolved per condition, the version, the files shipped, the peer
// dependencies, and the types compiled by tsc from a consumer's point of view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { publint } from "publint";
import { formatMessage } from "publint/utils";

import { load, manifest, pkgDir, repo } from "./lib.mjs";

const pack = JSON.parse(readFileSync(process.env.KIT_PACK, "utf8"));

test("publint finds nothing, not even a suggestion, in the installed tarball", async () => {
  // pkgDir is the tarball installed in node_modules: exactly the published files.
  const { messages } = await publint({
    pkgDir,
    pack: false,
    level: "suggestion",
    strict: true,
  });
  assert.deepEqual(messages.map((m) => `${m.type}: ${formatMessage(m, manifest)}`), []);
});

test("the version is the Rust workspace's", () => {
  const cargo = readFileSync(join(repo, "Cargo.toml"), "utf8");
  const workspace = /\[workspace\.package\][^[]*?\nversion\s*=\s*"([^"]+)"/.exec(cargo);
  assert.ok(workspace, "Cargo.toml has [workspace.package] version");
  assert.equal(manifest.version, workspace[1]);
  assert.equal(pack.version, workspace[1]);
  assert.match(readFileSync(join(pkgDir, "CHANGELOG.md"), "utf8"), new RegExp(`^## ${workspace[1].replace(/\./g, "\\.")}\\b`, "m"));
});

test("the tarball holds the builds, adapters, types, README, changelog and examples, and nothing else", () => {
  const files = pack.files.map((f) => f.path).sort();
  for (const f of ["README.md", "CHANGELOG.md", "package.json", "web/scim_wasm_bg.wasm", "node/scim_wasm_bg.wasm", "web/scim_wasm.d.ts", "learn/web/scim_learn_wasm_bg.wasm", "learn/node/scim_learn_wasm_bg.wasm", "examples/vitest/scim.test.js", "examples/playwright/scim.spec.js"]) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  const unexpected = files.filter((f) => !/^(README\.md|CHANGELOG\.md|package\.json|[a-z-]+\.(js|d\.ts)|(web|node|learn\/web|learn\/node)\/.+|examples\/.+)$/.test(f));
  assert.deepEqual(unexpected, []);
  // Every export's files exist, and types come first in each condition list.
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const targets = typeof target === "string" ? { default: target } : target;
    for (const file of Object.values(targets)) assert.ok(existsSync(join(pkgDir, file)), `${subpath} → ${file}`);
    if (typeof target !== "string" && subpath !== "./package.json") assert.equal(Object.keys(target)[0], "types", subpath);
  }
});

test("msw and Playwright are optional peers, never bundled or required", () => {
  assert.equal(manifest.dependencies, undefined);
  assert.deepEqual(Object.keys(manifest.peerDependencies).sort(), ["msw", "playwright-core"]);
  for (const name of Object.keys(manifest.peerDependencies)) assert.equal(manifest.peerDependenciesMeta[name].optional, true);
  assert.equal(pack.files.some((f) => f.path.includes("node_modules")), false);
});

test("each entry loads in Node through the exports map", async () => {
  const main = await load();
  for (const name of ["MockServer", "installFetchMock", "createScimListener", "createSession", "toHar", "toPostmanCollection", "fromPostmanCollection", "seedScenario"]) {
    assert.equal(typeof main[name], "function", name);
  }
  assert.equal(typeof (await load("/msw")).scimHandlers, "function");
  assert.equal(typeof (await load("/playwright")).routeScim, "function");
  assert.equal(typeof (await load("/listener")).createScimListener, "function");
  assert.equal(typeof (await load("/archive")).toHar, "function");
  assert.equal(typeof (await load("/fetch-mock")).installFetchMock, "function");
});

test("the types compile in a consumer project (tsc --strict, NodeNext and Bundler resolution)", () => {
  const dir = join(process.cwd(), "types-check");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "use.ts"),
    `import init, { MockServer, createSession, seedScenario, type ScimResponse, type Har } from "scim-playground-wasm";
import { scimHandlers } from "scim-playground-wasm/msw";
import { routeScim, type RoutableLike } from "scim-playground-wasm/playwright";
import { createScimListener } from "scim-playground-wasm/listener";
import { fromPostmanCollection } from "scim-playground-wasm/archive";
await init();
const server = new MockServer({ profile: "veeva", deterministic: true });
const res: ScimResponse = server.handle({ method: "GET", path: "/Users" });
const created = seedScenario(server, { Users: [{ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "b" }] });
const id: string | undefined = created.Users[0].id;
const session = createSession();
const handlers = scimHandlers(() => server, { baseUrl: "https://scim.test/scim/v2", session });
declare const page: RoutableLike;
const unroute: () => Promise<void> = await routeScim(page, server, { baseUrl: new URL("https://scim.test/scim/v2") });
const listener = createScimListener(server, { basePath: "/scim/v2" });
const har: Har = session.toHar();
const t = fromPostmanCollection(session.toPostman({ baseUrl: "https://scim.test/scim/v2" }));
server.handle(t[0].request);
// @ts-expect-error baseUrl is required
scimHandlers(server, {});
export { res, id, handlers, unroute, listener, har };
`,
  );
  const tsc = join(process.cwd(), "node_modules/typescript/bin/tsc");
  for (const [module, resolution] of [["nodenext", "nodenext"], ["esnext", "bundler"]]) {
    const args = [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", module, "--moduleResolution", resolution, "--lib", "es2022,dom", join(dir, "use.ts")];
    try {
      execFileSync(process.execPath, args, { encoding: "utf8", cwd: dir });
    } catch (e) {
      assert.fail(`tsc (${resolution}) failed:\n${e.stdout}${e.stderr}`);
    }
  }
});
