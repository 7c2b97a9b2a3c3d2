// End-to-end tests of the playground in headless Chromium.
//
//   node tests/e2e/playground.spec.mjs [--screenshots] [--only TEXT]
//
// PLAYGROUND_DIST=DIR serves another build (an older one, to see a test fail before a fix);
// --only runs the tests whose name contains TEXT.
//
// Serves dist/playground (build it with `cargo xtask dist scim-playground`) from a tiny
// loopback static server on a free port, drives the page through its accessible names
// (the contract the docs rely on), and prints `N passed, N failed`. With --screenshots it
// also writes docs/screenshots/*.png. Sizes and timings: tests/e2e/measure.mjs (cargo xtask bench).

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, seedStorage, serveDir, withExtraUsers } from "./harness.mjs";
import net from "node:net";
import { execFileSync, spawn } from "node:child_process";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const root = path.resolve(process.env.PLAYGROUND_DIST ?? path.join(repo, "dist/playground"));
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : null;
const shotsDir = path.join(repo, "docs/screenshots");
const takeShots = process.argv.includes("--screenshots");

if (!fs.existsSync(path.join(root, "index.html"))) {
  console.error(`${root}/index.html is missing: run \`cargo xtask dist scim-playground\` first`);
  process.exit(2);
}

const server = await serveDir(root);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium();

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/** A fresh context and page, ready (the app stamps data-ready-ms when mounted). */
async function open(opts = {}, url = base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector("html[data-ready-ms]", { timeout: 15000 });
  return { context, page, errors };
}

const lane = (page, name) => page.getByRole("region", { name, exact: true });
const body = (page) => page.getByRole("textbox", { name: "Request body" });
const send = (page) => page.getByRole("button", { name: "Send", exact: true });

/** Pins both lanes' profiles, so tests do not depend on which built-ins exist. */
async function profiles(page, a = "rfc", b = "rfc (keep omitted)") {
  await lane(page, "Lane A").getByRole("combobox", { name: "Profile" }).selectOption(a);
  await lane(page, "Lane B").getByRole("combobox", { name: "Profile" }).selectOption(b);
}

async function setBody(page, value) {
  await body(page).fill(value);
}

async function expectText(locator, text, what) {
  try {
    // Visible text only: a lane also holds its (closed) profile card, whose sentences
    // mention statuses such as 412.
    await locator.getByText(text, { exact: false }).filter({ visible: true }).first().waitFor({ timeout: 5000 });
  } catch {
    const got = (await locator.innerText().catch(() => "")).slice(0, 400);
    throw new Error(`${what}: expected ${JSON.stringify(text)}; got ${JSON.stringify(got)}`);
  }
}

const MINIMAL = JSON.stringify(
  { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bjensen" },
  null,
  2,
);

/**
 * Checks a downloaded HAR: version 1.2, a creator, `count` entries (any when null) each with
 * request, response and timings, URLs under `urlPrefix`, and no `token`. Returns its log.
 */
function checkHar(text, token, urlPrefix, count, what) {
  assert(!text.includes(token), `${what} holds the token`);
  const { log } = JSON.parse(text);
  assert(log.version === "1.2" && log.creator?.name === "scim-playground", `${what}: ${JSON.stringify(log).slice(0, 200)}`);
  assert(count === null ? log.entries.length > 0 : log.entries.length === count, `${what}: ${log.entries.length} entries, expected ${count}`);
  for (const e of log.entries) {
    assert(e.request?.url?.startsWith(urlPrefix), `${what}: url ${e.request?.url}`);
    assert(e.response?.status >= 200 && typeof e.timings?.wait === "number" && e.startedDateTime.endsWith("Z"), `${what}: entry ${JSON.stringify(e).slice(0, 200)}`);
  }
  return log;
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test("the page exposes its accessible names", async () => {
  const { context, page, errors } = await open();
  for (const [role, name] of [
    ["combobox", "Method"],
    ["textbox", "Path"],
    ["textbox", "Request body"],
    ["button", "Send"],
    ["button", "Share"],
    ["region", "Lane A"],
    ["region", "Lane B"],
    ["region", "Differences"],
    ["list", "History"],
  ]) {
    const n = await page.getByRole(role, { name, exact: true }).count();
    assert(n === 1, `${role} "${name}": found ${n}`);
  }
  for (const l of ["Lane A", "Lane B"]) {
    for (const [role, name] of [
      ["combobox", "Profile"],
      ["button", "Reset"],
      ["region", "Explanation"],
    ]) {
      const n = await lane(page, l).getByRole(role, { name, exact: true }).count();
      assert(n === 1, `${l} ${role} "${name}": found ${n}`);
    }
  }
  assert(errors.length === 0, `console errors: ${errors.join("; ")}`);
  await context.close();
});

test("sends a PUT and shows each lane's status, headers and body", async () => {
  const { context, page } = await open();
  await profiles(page);
  await page.getByRole("combobox", { name: "Method" }).selectOption("PUT");
  await page.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:bjensen}");
  await setBody(page, MINIMAL);
  await send(page).click();
  for (const l of ["Lane A", "Lane B"]) {
    await expectText(lane(page, l), "200 OK", l);
    await expectText(lane(page, l), "/scim/v2/Users/00000000-0000-4000-8000-000000000001", `${l} request line`);
  }
  // Lane A (rfc) cleared attributes, so the version moved; lane B kept them: nothing changed.
  await expectText(lane(page, "Lane A"), 'W/"2"', "lane A ETag");
  await expectText(lane(page, "Lane B"), 'W/"1"', "lane B ETag");
  await context.close();
});

test("differences: rfc clears an omitted attribute, keep-omitted keeps it", async () => {
  const { context, page } = await open();
  await profiles(page);
  await page.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:bjensen}");
  await setBody(page, MINIMAL);
  await send(page).click();
  const diff = page.getByRole("region", { name: "Differences" });
  const row = diff.getByRole("row").filter({ hasText: "title" });
  await row.first().waitFor({ timeout: 5000 });
  const text = await row.first().innerText();
  assert(text.includes("(absent)") && text.includes("Tour Guide"), `title row: ${text}`);
  const explA = lane(page, "Lane A").getByRole("region", { name: "Explanation" });
  const explB = lane(page, "Lane B").getByRole("region", { name: "Explanation" });
  const titleRow = (expl) =>
    expl.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "title", exact: true }) }).first().innerText();
  const titleA = await titleRow(explA);
  const titleB = await titleRow(explB);
  assert(/cleared omitted/.test(titleA), `lane A title: ${titleA}`);
  assert(/kept omitted/.test(titleB), `lane B title: ${titleB}`);
  await context.close();
});

test("default lanes: the first Send shows the omitted-attribute difference", async () => {
  const { context, page } = await open();
  const a = await lane(page, "Lane A").getByRole("combobox", { name: "Profile" }).inputValue();
  const b = await lane(page, "Lane B").getByRole("combobox", { name: "Profile" }).inputValue();
  assert(a === "rfc" && b === "veeva", `default profiles: ${a}, ${b}`);
  await send(page).click();
  await expectText(lane(page, "Lane A"), "PUT /scim/v2/Users/00000000-0000-4000-8000-000000000001", "lane A request line");
  await expectText(lane(page, "Lane B"), "PUT /api/v23.1/scim/v2/Users/93522", "lane B request line");
  const diff = page.getByRole("region", { name: "Differences" });
  const row = diff.getByRole("row").filter({ hasText: "title" });
  await row.first().waitFor({ timeout: 5000 });
  const text = await row.first().innerText();
  assert(text.includes("(absent)") && text.includes("Tour Guide"), `title row: ${text}`);
  await context.close();
});

test("vendor lanes show their documented seed users; templates reach them", async () => {
  const { context, page } = await open();
  await profiles(page, "veeva", "ping");
  const users = async (l) => lane(page, l).getByRole("region", { name: `Users in ${l}` }).innerText();
  const ua = await users("Lane A");
  const ub = await users("Lane B");
  assert(ua.includes("93521") && ua.includes("a.smithn@veepharm.com"), `veeva users: ${ua}`);
  assert(ub.includes("76b4c133-87a7-4b2f-8058-4716e78b0fd4") && ub.includes("pconley"), `ping users: ${ub}`);
  const tpl = page.getByRole("combobox", { name: "Template" });
  await tpl.selectOption("veeva");
  await send(page).click();
  await expectText(lane(page, "Lane A"), "PUT /api/v23.1/scim/v2/Users/93521", "veeva template in the veeva lane");
  await expectText(lane(page, "Lane A"), "200 OK", "veeva template status");
  await tpl.selectOption("ping");
  await send(page).click();
  await expectText(lane(page, "Lane B"), "PUT /scim/v2/Users/76b4c133-87a7-4b2f-8058-4716e78b0fd4", "ping template in the ping lane");
  await expectText(lane(page, "Lane B"), "200 OK", "ping template status");
  await context.close();
});

test("invalid JSON shows line and column; Ctrl+Enter sends", async () => {
  const { context, page } = await open();
  await profiles(page);
  await setBody(page, '{\n  "schemas": [],\n  "userName" "x"\n}');
  await expectText(page.locator("#body-check"), "Line 3, column 14", "body check");
  assert((await body(page).getAttribute("aria-invalid")) === "true", "aria-invalid");
  await setBody(page, MINIMAL);
  await expectText(page.locator("#body-check"), "Valid JSON", "body check");
  await body(page).focus();
  await page.keyboard.press("Control+Enter");
  await expectText(page.getByRole("list", { name: "History" }), "PUT /Users/{userName:bjensen}", "history");
  await expectText(lane(page, "Lane A"), "200 OK", "lane A");
  await context.close();
});

test("reload keeps composer, lanes and history", async () => {
  const { context, page } = await open();
  await lane(page, "Lane B").getByRole("combobox", { name: "Profile" }).selectOption("rfc (keep omitted)");
  await page.getByRole("combobox", { name: "Method" }).selectOption("DELETE");
  await page.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:pconley}");
  await send(page).click();
  await expectText(lane(page, "Lane A"), "204 No Content", "delete");
  await page.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:kept-after-reload}");
  await page.reload();
  await page.waitForSelector("html[data-ready-ms]");
  const p = await page.getByRole("textbox", { name: "Path" }).inputValue();
  assert(p === "/Users/{userName:kept-after-reload}", `path after reload: ${p}`);
  const m = await page.getByRole("combobox", { name: "Method" }).inputValue();
  assert(m === "DELETE", `method after reload: ${m}`);
  const prof = await lane(page, "Lane B").getByRole("combobox", { name: "Profile" }).inputValue();
  assert(prof === "rfc (keep omitted)", `lane B profile after reload: ${prof}`);
  await expectText(page.getByRole("list", { name: "History" }), "DELETE /Users/{userName:pconley}", "history");
  const users = await lane(page, "Lane A").getByRole("region", { name: "Users in Lane A" }).innerText();
  assert(!users.includes("pconley"), `pconley was deleted before the reload: ${users}`);
  await context.close();
});

test("corrupt saved state is backed up and the page recovers with a notice", async () => {
  const { context, page } = await open();
  await profiles(page);
  // The page saves 250 ms after the last change (and on pagehide): let that happen first.
  await page.waitForFunction(() => localStorage.getItem("scim-playground:state")?.includes("keep omitted"));
  await page.evaluate(() => localStorage.setItem("scim-playground:state", "{broken"));
  await page.reload();
  await page.waitForSelector("html[data-ready-ms]");
  await expectText(page.getByRole("status").first(), "scim-playground:backup", "notice");
  const backup = await page.evaluate(() => localStorage.getItem("scim-playground:backup"));
  assert(backup === "{broken", `backup: ${backup}`);
  await setBody(page, MINIMAL);
  await send(page).click();
  await expectText(lane(page, "Lane A"), "200 OK", "works after recovery");
  await page.waitForFunction(() => localStorage.getItem("scim-playground:state")?.startsWith("{\""));
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("scim-playground:state")).version);
  assert(saved === 4, `saved version ${saved}`);
  await context.close();
});

test("an XSS payload in any field shows as text and never runs", async () => {
  const { context, page } = await open();
  await profiles(page);
  const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  await page.getByRole("combobox", { name: "Method" }).selectOption("POST");
  await page.getByRole("textbox", { name: "Path" }).fill("/Users");
  await setBody(
    page,
    JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: payload, title: payload }),
  );
  await send(page).click();
  await expectText(lane(page, "Lane A"), "201 Created", "post");
  await expectText(lane(page, "Lane A").getByRole("region", { name: "Users in Lane A" }), "<img src=x", "users list");
  await page.getByRole("combobox", { name: "Method" }).selectOption("PUT");
  await page.getByRole("textbox", { name: "Path" }).fill(`/Users/{userName:${payload}}`);
  await send(page).click();
  await page.waitForTimeout(300);
  const injected = await page.evaluate(() => ({
    xss: window.__xss,
    imgs: document.querySelectorAll("main img").length,
    scripts: document.querySelectorAll("main script").length,
  }));
  assert(injected.xss === undefined, `payload ran: ${injected.xss}`);
  assert(injected.imgs === 0 && injected.scripts === 0, `elements injected: ${JSON.stringify(injected)}`);
  await context.close();
});

test("share link carries the composer and the lanes' profiles", async () => {
  const { context, page } = await open();
  await lane(page, "Lane B").getByRole("combobox", { name: "Profile" }).selectOption("rfc (keep omitted)");
  await setBody(page, '{"shared": "yes <b>bold</b>"}');
  await page.getByRole("button", { name: "Share", exact: true }).click();
  const link = await page.getByRole("textbox", { name: "Share link" }).inputValue();
  assert(link.includes("#s="), `link: ${link}`);
  const other = await open({}, link);
  const b = await body(other.page).inputValue();
  assert(b === '{"shared": "yes <b>bold</b>"}', `shared body: ${b}`);
  const prof = await lane(other.page, "Lane B").getByRole("combobox", { name: "Profile" }).inputValue();
  assert(prof === "rfc (keep omitted)", `shared profile: ${prof}`);
  assert(!other.page.url().includes("#s="), "fragment is dropped after loading");
  await other.context.close();
  await context.close();
});

test("another tab's save reloads the state", async () => {
  const { context, page } = await open();
  const page2 = await context.newPage();
  await page2.goto(base);
  await page2.waitForSelector("html[data-ready-ms]");
  await page2.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:from-tab-2}");
  await page.waitForFunction(
    () => document.querySelector("input[type=text]")?.value === "/Users/{userName:from-tab-2}",
    null,
    { timeout: 5000 },
  );
  await context.close();
});

test("history re-runs; reset restores a lane's seed users", async () => {
  const { context, page } = await open();
  await profiles(page);
  await page.getByRole("combobox", { name: "Method" }).selectOption("DELETE");
  await page.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:bjensen}");
  await send(page).click();
  await expectText(lane(page, "Lane A"), "204 No Content", "delete");
  await page.getByRole("button", { name: "Re-run DELETE /Users/{userName:bjensen}" }).first().click();
  await expectText(lane(page, "Lane A"), "404 Not Found", "re-run");
  await lane(page, "Lane A").getByRole("button", { name: "Reset" }).click();
  await expectText(lane(page, "Lane A").getByRole("region", { name: "Users in Lane A" }), "bjensen", "after reset");
  const bUsers = await lane(page, "Lane B").getByRole("region", { name: "Users in Lane B" }).innerText();
  assert(!bUsers.includes("bjensen"), "lane B was not reset");
  await lane(page, "Lane A").getByRole("button", { name: "Edit bjensen as a PUT" }).click();
  const b = await body(page).inputValue();
  assert(b.includes('"Tour Guide"') && !b.includes('"meta"'), `loaded user: ${b.slice(0, 200)}`);
  await context.close();
});

test("templates load, including the current user as a PUT body", async () => {
  const { context, page } = await open();
  await profiles(page);
  const tpl = page.getByRole("combobox", { name: "Template" });
  await tpl.selectOption("ping");
  assert((await body(page).inputValue()).includes("urn:pingidentity:schemas:User:1.0"), "ping body");
  await tpl.selectOption("veeva");
  assert((await body(page).inputValue()).includes("veevavault"), "veeva body");
  await tpl.selectOption("current");
  const b = await body(page).inputValue();
  assert(b.includes('"a.smithn@veepharm.com"') && b.includes('"locale"'), `current user: ${b.slice(0, 200)}`);
  await context.close();
});

test("keyboard only: tab to Send and press Enter", async () => {
  const { context, page } = await open();
  await profiles(page);
  await setBody(page, MINIMAL);
  await body(page).focus();
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.textContent === "Send");
  }
  assert(reached, "Send is reachable with Tab");
  await page.keyboard.press("Enter");
  await expectText(lane(page, "Lane B"), "200 OK", "sent by keyboard");
  await context.close();
});

test("375 px wide: lanes stack and nothing scrolls sideways", async () => {
  const { context, page } = await open({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  await profiles(page);
  await setBody(page, MINIMAL);
  await send(page).click();
  await expectText(lane(page, "Lane B"), "200 OK", "mobile send");
  const layout = await page.evaluate(() => {
    const [a, b] = [...document.querySelectorAll(".lane")].map((e) => e.getBoundingClientRect());
    return { overflow: document.documentElement.scrollWidth, stacked: b.top >= a.bottom };
  });
  assert(layout.overflow <= 375, `page is ${layout.overflow}px wide`);
  assert(layout.stacked, "lanes are stacked");
  await context.close();
});

test("dark theme follows prefers-color-scheme", async () => {
  const { context, page } = await open({ colorScheme: "dark" });
  await profiles(page);
  await setBody(page, MINIMAL);
  await send(page).click();
  await expectText(lane(page, "Lane A"), "200 OK", "dark send");
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  assert(bg === "rgb(22, 24, 28)", `dark background: ${bg}`);
  await context.close();
});

test("embed mode: minimal chrome, session storage only", async () => {
  const { context, page } = await open({}, `${base}?embed=1`);
  const header = await page.locator("header.top").isVisible();
  assert(!header, "header hidden in embed mode");
  await setBody(page, MINIMAL);
  await send(page).click();
  await expectText(lane(page, "Lane A"), "200 OK", "embed send");
  await page.waitForFunction(() => sessionStorage.getItem("scim-playground:embed:embed=1:state") !== null);
  const keys = await page.evaluate(() => ({
    local: localStorage.getItem("scim-playground:state"),
    session: sessionStorage.getItem("scim-playground:embed:embed=1:state"),
  }));
  assert(keys.local === null, "embed mode leaves localStorage alone");
  assert(keys.session !== null, "embed mode saves to sessionStorage");
  await context.close();
});

/** Replaces the parent page with one iframe of `src` and records the heights the embed posts
 *  (`window.__heights`), as a documentation page's resize script would. */
async function embedInParent(page, src, { width, height, border }) {
  await page.evaluate(([src, width, height, border]) => {
    document.body.innerHTML = "";
    window.__heights = [];
    window.addEventListener("message", (e) => {
      if (e.data && e.data.type === "scim-playground:height") window.__heights.push(e.data.height);
    });
    const f = document.createElement("iframe");
    f.src = src;
    f.width = width;
    f.height = height;
    if (border !== undefined) f.style.border = border;
    document.body.append(f);
  }, [src, width, height, border]);
}

test("embed mode posts its height to the parent page", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  await page.goto(`${base}index.html?parent`);
  await embedInParent(page, `${base}?embed=1`, { width: "900", height: "400" });
  await page.waitForFunction(() => window.__heights.length > 0 && window.__heights.at(-1) > 300, null, { timeout: 15000 });
  await context.close();
});

test("export renders the request as cURL", async () => {
  const { context, page } = await open();
  await profiles(page);
  await page.getByRole("combobox", { name: "Template" }).selectOption("minimal");
  await page.getByRole("combobox", { name: "Export as" }).selectOption("curl");
  const text = await page.getByRole("textbox", { name: "Exported request" }).inputValue();
  assert(text.startsWith("curl -X PUT 'https://scim.example.com/scim/v2/Users/00000000-0000-4000-8000-000000000001'"), text);
  assert(text.includes("-H 'Content-Type: application/scim+json'"), text);
  await context.close();
});

test("All profiles: the view gives the shared table; a profile's name opens it in Lane B; names stay text", async () => {
  // tests/compare-all/cases.json: the table scim-core, `scim-mock compare --all` and the JS
  // compareAll are checked against too.
  const cases = JSON.parse(fs.readFileSync(path.join(repo, "tests/compare-all/cases.json"), "utf8")).cases;
  const { context, page, errors } = await open();
  await profiles(page);
  const region = page.getByRole("region", { name: "All profiles" });
  for (const c of cases) {
    await page.getByRole("combobox", { name: "Method" }).selectOption(c.request.method);
    await page.getByRole("textbox", { name: "Path" }).fill(c.request.path);
    await setBody(page, JSON.stringify(c.request.body, null, 2));
    await region.getByRole("button", { name: "Send to all profiles" }).click();
    await region.locator(`caption:text-is("${c.request.method} ${c.request.path}")`).waitFor({ timeout: 5000 });
    const seen = await region.locator("table").evaluate((t) => {
      const paths = [...t.querySelectorAll("thead th")].slice(2, -1).map((th) => th.title);
      const rows = [...t.querySelectorAll("tbody tr")].map((tr) => {
        const cells = [...tr.querySelectorAll("td")].map((td) => td.textContent);
        const outcomes = {};
        paths.forEach((p, i) => {
          if (cells[i + 1] !== "—") outcomes[p] = cells[i + 1];
        });
        return { profile: tr.dataset.profile, status: Number.parseInt(cells[0], 10), outcomes };
      });
      return { paths, rows };
    });
    const rows = seen.rows.slice(0, c.expect.rows.length);
    // Outcomes compared as sets of attribute → word (the file's keys are sorted, the view's in column order).
    const canon = (list) => JSON.stringify(list.map((r) => ({ ...r, outcomes: Object.entries(r.outcomes).sort() })));
    assert(canon(rows) === canon(c.expect.rows), `${c.name}: rows\n${JSON.stringify(rows)}\nexpected\n${JSON.stringify(c.expect.rows)}`);
    const paths = seen.paths.slice(0, c.expect.attributes.length);
    assert(JSON.stringify(paths) === JSON.stringify(c.expect.attributes), `${c.name}: columns ${JSON.stringify(seen.paths)}`);
    assert(seen.rows.at(-1).profile === "rfc (keep omitted)", "the derived variant follows the built-ins");
    const why = await region.locator('tr[data-profile="entra"] td.why').innerText();
    assert(c.expect.rows.find((r) => r.profile === "entra").status < 400 || why.length > 0, `${c.name}: entra's failure has no reason shown`);
    if (takeShots && c === cases[0]) await region.screenshot({ path: path.join(shotsDir, "all-profiles.png") });
  }
  // A profile's name opens it in Lane B.
  await region.getByRole("row").filter({ has: page.getByRole("button", { name: "zoom", exact: true }) }).getByRole("button").click();
  const selected = await lane(page, "Lane B").getByRole("combobox", { name: "Profile" }).inputValue();
  assert(selected === "zoom", `Lane B profile after the click: ${selected}`);
  // An attribute name is user data: a markup name is a column header's text, never an element.
  const payload = '<img src=x onerror="window.__xss=1">';
  await page.getByRole("combobox", { name: "Method" }).selectOption("PUT");
  await page.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:bjensen}");
  await setBody(page, JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bjensen", [payload]: 1 }));
  await region.getByRole("button", { name: "Send to all profiles" }).click();
  await region.locator("thead th").filter({ hasText: "<img src=x" }).first().waitFor({ timeout: 5000 });
  const injected = await page.evaluate(() => ({ xss: window.__xss, imgs: document.querySelectorAll("main img").length }));
  assert(injected.xss === undefined && injected.imgs === 0, `injected: ${JSON.stringify(injected)}`);
  assert(errors.length === 0, `console errors: ${errors.join("; ")}`);
  await context.close();
});

test("profile card: each lane's card says what its service does, with knob values and linked sources", async () => {
  const { context, page, errors } = await open();
  await profiles(page, "rfc", "zoom");
  const cardB = lane(page, "Lane B").locator("details.card");
  await cardB.locator("summary").first().click();
  await expectText(cardB, "Profile card: what zoom does", "card summary");
  await expectText(cardB, "A PUT keeps every attribute the body leaves out", "zoom's omitted sentence");
  await expectText(cardB, "Lists leave the extensions out", "zoom's list sentence");
  const omitted = cardB.locator("dd").filter({ hasText: "A PUT keeps every attribute" });
  const href = await omitted.getByRole("link").first().getAttribute("href");
  assert(href && href.startsWith("https://"), `zoom's omitted sentence links its source: ${href}`);
  const cardA = lane(page, "Lane A").locator("details.card");
  await cardA.locator("summary").first().click();
  await expectText(cardA, "A PUT clears every attribute the body leaves out", "rfc's omitted sentence");
  if (takeShots) await cardB.screenshot({ path: path.join(shotsDir, "profile-card.png") });
  await cardB.locator("details.card-knobs summary").click();
  const knobRows = await cardB.locator("details.card-knobs li").count();
  assert(knobRows > 30, `zoom's knob table: ${knobRows} rows`);
  if (takeShots) await cardB.locator("details.card-knobs").screenshot({ path: path.join(shotsDir, "profile-card-knobs.png") });
  assert(errors.length === 0, `console errors: ${errors.join("; ")}`);
  await context.close();
});

test("without storage the page works in memory and says so", async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
  });
  const page = await context.newPage();
  await page.goto(base);
  await page.waitForSelector("html[data-ready-ms]");
  await expectText(page.getByRole("status").first(), "Browser storage is unavailable", "notice");
  await setBody(page, MINIMAL);
  await send(page).click();
  await expectText(lane(page, "Lane A"), "200 OK", "works in memory");
  await context.close();
});

test("a full quota trims history and says so", async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const real = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (key === "scim-playground:state" && JSON.parse(value).history.length > 3) {
        throw new DOMException("quota", "QuotaExceededError");
      }
      return real.call(this, key, value);
    };
  });
  const page = await context.newPage();
  await page.goto(base);
  await page.waitForSelector("html[data-ready-ms]");
  await page.getByRole("combobox", { name: "Method" }).selectOption("GET");
  for (let i = 0; i < 4; i++) await send(page).click();
  await expectText(page.getByRole("status").first(), "history trimmed from 4 to 2", "quota notice");
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("scim-playground:state")).history.length);
  assert(saved === 2, `saved history: ${saved}`);
  await context.close();
});

test("saved state is split per lane: a Send appends its change, the stored users stay untouched", async () => {
  const { context, page } = await open();
  await profiles(page);
  await page.waitForFunction(() => localStorage.getItem("scim-playground:state")?.includes("keep omitted"));
  const base = await page.evaluate(() => localStorage.getItem("scim-playground:lane0"));
  await page.getByRole("combobox", { name: "Method" }).selectOption("DELETE");
  await page.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:pconley}");
  await send(page).click();
  await expectText(lane(page, "Lane A"), "204 No Content", "delete");
  await page.waitForFunction(() => JSON.parse(localStorage.getItem("scim-playground:lane0:log") ?? "{}").records?.length === 1);
  const after = await page.evaluate(() => ({
    base: localStorage.getItem("scim-playground:lane0"),
    state: JSON.parse(localStorage.getItem("scim-playground:state")),
  }));
  assert(after.base === base, "the lane's stored users were rewritten by a Send");
  assert(after.state.version === 4 && !JSON.stringify(after.state).includes('"store"'), `state: ${JSON.stringify(after.state).slice(0, 200)}`);
  await page.reload();
  await page.waitForSelector("html[data-ready-ms]");
  const users = await lane(page, "Lane A").getByRole("region", { name: "Users in Lane A" }).innerText();
  assert(!users.includes("pconley"), `the replayed deletion: ${users}`);
  await context.close();
});

test("a version 2 state (stores inline) migrates: users kept, written per lane", async () => {
  const { context, page } = await open();
  await profiles(page);
  await page.waitForFunction(() => localStorage.getItem("scim-playground:state")?.includes("keep omitted"));
  // Build a version 2 document from the split keys, with pconley deleted from lane A.
  await page.evaluate(() => {
    const state = JSON.parse(localStorage.getItem("scim-playground:state"));
    const lanes = [0, 1].map((i) => {
      const l = JSON.parse(localStorage.getItem(`scim-playground:lane${i}`));
      if (i === 0) l.store.resources.User = l.store.resources.User.filter((u) => u.userName !== "pconley");
      return { profile: l.profile, store: l.store };
    });
    localStorage.clear();
    localStorage.setItem("scim-playground:state", JSON.stringify({ version: 2, draft: state.draft, lanes, history: [] }));
  });
  await page.reload();
  await page.waitForSelector("html[data-ready-ms]");
  const prof = await lane(page, "Lane B").getByRole("combobox", { name: "Profile" }).inputValue();
  assert(prof === "rfc (keep omitted)", `lane B after migration: ${prof}`);
  const users = await lane(page, "Lane A").getByRole("region", { name: "Users in Lane A" }).innerText();
  assert(!users.includes("pconley") && users.includes("bjensen"), `lane A after migration: ${users}`);
  await setBody(page, MINIMAL);
  await page.waitForFunction(() => JSON.parse(localStorage.getItem("scim-playground:state")).version === 4);
  const lane0 = await page.evaluate(() => localStorage.getItem("scim-playground:lane0"));
  assert(lane0 && !lane0.includes("pconley"), "lane A written to its own key");
  await context.close();
});

test("a corrupt lane store is backed up; that lane starts from its seed users with a notice", async () => {
  const { context, page } = await open();
  await profiles(page);
  await page.waitForFunction(() => localStorage.getItem("scim-playground:state")?.includes("keep omitted"));
  await page.evaluate(() => localStorage.setItem("scim-playground:lane0", "{torn"));
  await page.reload();
  await page.waitForSelector("html[data-ready-ms]");
  await expectText(page.getByRole("status").first(), "scim-playground:backup:lane0", "notice");
  await setBody(page, MINIMAL);
  await send(page).click();
  await expectText(lane(page, "Lane A"), "200 OK", "works after recovery");
  await context.close();
});

// ---- The first minute (issue 17) ----

const TEMPLATE_LANES = {
  minimal: ["rfc", "veeva"],
  ping: ["rfc", "ping"],
  veeva: ["veeva", "rfc (keep omitted)"],
  rfc: ["rfc", "veeva"],
  patch: ["rfc", "entra"],
  group: ["rfc", "aws"],
  filter: ["rfc", "aws"],
};

const profileOf = (page, l) => lane(page, l).getByRole("combobox", { name: "Profile" }).inputValue();
const statusOf = async (page, l) => {
  const loc = lane(page, l).locator(".status").first();
  await loc.waitFor({ timeout: 5000 });
  return loc.innerText();
};
/** Rows of Differences that are not marked server-generated. */
const behaviourRows = (page) =>
  page.getByRole("region", { name: "Differences" }).locator("tbody tr:not(.quiet)");

test("friction 1: every template opens its lanes, says what to look for, and succeeds in both", async () => {
  const { context, page } = await open();
  const tpl = page.getByRole("combobox", { name: "Template" });
  for (const [id, [a, b]] of Object.entries(TEMPLATE_LANES)) {
    await tpl.selectOption(id);
    assert((await profileOf(page, "Lane A")) === a, `${id}: lane A is ${await profileOf(page, "Lane A")}`);
    assert((await profileOf(page, "Lane B")) === b, `${id}: lane B is ${await profileOf(page, "Lane B")}`);
    await expectText(page.getByRole("note"), "Look for:", `${id} look-for sentence`);
    await send(page).click();
    for (const l of ["Lane A", "Lane B"]) {
      const st = await statusOf(page, l);
      assert(/^2\d\d/.test(st), `${id} in ${l}: ${st}`);
    }
    const n = await behaviourRows(page).count();
    assert(n > 0, `${id}: no behaviour difference row`);
    // More than versioning: an ETag or meta.version on one side only is never the point.
    const texts = await behaviourRows(page).allInnerTexts();
    assert(texts.some((t) => !/meta\.version|ETag/.test(t)), `${id}: only ETag rows: ${texts.join(" | ")}`);
  }
  await context.close();
});

test("friction 1: the Ping template in the default lanes is rendered per lane, not a 400", async () => {
  const { context, page } = await open();
  await page.getByRole("combobox", { name: "Template" }).selectOption("ping");
  // Back to the default lanes, keeping the Ping body: both lanes render it in their dialect.
  await profiles(page, "rfc", "veeva");
  await send(page).click();
  await expectText(lane(page, "Lane A"), "200 OK", "ping body in the rfc lane");
  await expectText(lane(page, "Lane B"), "200 OK", "ping body in the veeva lane");
  await lane(page, "Lane A").getByText("Request as sent").first().click();
  const sent = await lane(page, "Lane A").getByLabel("Lane A request as sent").innerText();
  assert(sent.includes("urn:ietf:params:scim:schemas:core:2.0:User") && !sent.includes("pingidentity:schemas:User"), `rendered: ${sent}`);
  // Raw mode sends the body unchanged: the rfc lane rejects Ping's schema URN.
  await page.getByRole("checkbox", { name: "Raw: send exactly as written" }).check();
  await send(page).click();
  await expectText(lane(page, "Lane A"), "400 Bad Request", "raw ping body in the rfc lane");
  await context.close();
});

test("friction 2: the Ping template shows the omitted attribute without editing", async () => {
  const { context, page } = await open();
  await page.getByRole("combobox", { name: "Template" }).selectOption("ping");
  await send(page).click();
  const explB = lane(page, "Lane B").getByRole("region", { name: "Explanation" });
  const row = explB.getByRole("row").filter({ hasText: "emails" }).first();
  await row.waitFor({ timeout: 5000 });
  assert(/kept omitted/.test(await row.innerText()), `ping emails row: ${await row.innerText()}`);
  const diff = page.getByRole("region", { name: "Differences" }).getByRole("row").filter({ hasText: "emails" });
  assert((await diff.count()) > 0, "no emails row in Differences");
  await context.close();
});

test("friction 5: earlier sends do not break later ones; the user picker works in both lanes", async () => {
  const { context, page } = await open();
  await page.getByRole("combobox", { name: "Template" }).selectOption("veeva");
  await send(page).click();
  await expectText(lane(page, "Lane A"), "200 OK", "first veeva send");
  await send(page).click();
  for (const l of ["Lane A", "Lane B"]) {
    const st = await statusOf(page, l);
    assert(st === "200 OK", `second veeva send in ${l}: ${st}`);
  }
  // The picker names users by userName (resolved per lane) and shows each lane's id.
  await profiles(page, "rfc", "veeva");
  const pick = page.getByRole("combobox", { name: "Pick user" });
  const labels = await pick.locator("option").allInnerTexts();
  const bj = labels.find((t) => t.startsWith("bjensen"));
  assert(bj && bj.includes("A id 00000000-0000-4000-8000-000000000001") && bj.includes("B id 93522"), `options: ${labels.join(" | ")}`);
  await pick.selectOption({ label: bj });
  await page.getByRole("combobox", { name: "Method" }).selectOption("GET");
  await send(page).click();
  for (const l of ["Lane A", "Lane B"]) {
    const st = await statusOf(page, l);
    assert(st === "200 OK", `picked user in ${l}: ${st}`);
  }
  // A user an earlier request deleted: the 404 says why and offers Reset.
  await page.getByRole("combobox", { name: "Method" }).selectOption("DELETE");
  await send(page).click();
  await page.getByRole("combobox", { name: "Method" }).selectOption("GET");
  await send(page).click();
  await expectText(lane(page, "Lane A"), "earlier request may have renamed or deleted it", "404 hint");
  await lane(page, "Lane A").getByRole("button", { name: "Back to the seed users" }).click();
  await send(page).click();
  await expectText(lane(page, "Lane A"), "200 OK", "after reset");
  await context.close();
});

test("friction 3: a rejected request says it was not applied; what it would have done stands apart", async () => {
  const { context, page } = await open();
  await profiles(page, "rfc", "rfc (keep omitted)");
  await setBody(page, JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bjensen", nickName: "B", shoeSize: 9 }));
  await send(page).click();
  const expl = lane(page, "Lane A").getByRole("region", { name: "Explanation" });
  await expectText(expl, "Not applied: 400 Bad Request", "400 headline");
  const text = await expl.innerText();
  assert(text.indexOf("Not applied") < text.indexOf("shoeSize"), `headline first: ${text.slice(0, 300)}`);
  const plain = [...text.matchAll(/(would have: )?cleared omitted/g)];
  assert(plain.length > 0 && plain.every((m) => m[1]), `every "cleared omitted" is a "would have": ${text.slice(0, 600)}`);
  assert((await expl.locator("table.would").count()) === 1, "the would-have table is its own table");
  // 409: the userName of another user.
  await page.getByRole("combobox", { name: "Method" }).selectOption("POST");
  await page.getByRole("textbox", { name: "Path" }).fill("/Users");
  await setBody(page, MINIMAL);
  await send(page).click();
  await expectText(expl, "Not applied: 409 Conflict", "409 headline");
  const t409 = await expl.innerText();
  assert(!t409.split("\n").some((l) => /\badded\b/.test(l) && !/would have/.test(l) && !/rejected/.test(l)), `409 shows nothing as done: ${t409}`);
  await context.close();
});

test("friction 7: short names, schema named once, linked rules, notes once, readable at 375 px", async () => {
  const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
  for (const width of [1280, 375]) {
    const { context, page } = await open({ viewport: { width, height: 800 } });
    await profiles(page, "rfc", "veeva");
    await setBody(page, JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ent], userName: "bjensen", [ent]: { department: "Tours" } }));
    await send(page).click();
    const expl = lane(page, "Lane A").getByRole("region", { name: "Explanation" });
    await expectText(expl, "department", "short name");
    const heads = await expl.locator("tbody th").allInnerTexts();
    assert(heads.every((h) => !h.includes("urn:")), `row names without URNs: ${heads.join(", ")}`);
    const text = await expl.innerText();
    assert(text.split(ent).length - 1 === 1, `the schema is named once: ${text.split(ent).length - 1}`);
    assert((await expl.locator('a[href^="https://www.rfc-editor.org/rfc/rfc7644#section-3.5.1"]').count()) > 0, "RFC rules link to the section");
    assert((await expl.locator('a[href="#lane-0-profile"]').count()) > 0, "knob rules link to the profile card");
    const notes = await expl.locator(".note").allInnerTexts();
    assert(new Set(notes).size === notes.length, `notes repeat: ${notes.join(" | ")}`);
    const fits = await expl.evaluate((el) => {
      const over = [...el.querySelectorAll("table")].filter((t) => t.scrollWidth > el.clientWidth + 1).length;
      const cells = [...el.querySelectorAll("tbody tr")].slice(0, 5).flatMap((tr) => [...tr.children].map((c) => c.getBoundingClientRect()));
      let overlap = false;
      for (let i = 0; i < cells.length; i++)
        for (let j = i + 1; j < cells.length; j++) {
          const a = cells[i], b = cells[j];
          if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlap = true;
        }
      return { over, overlap };
    });
    assert(fits.over === 0 && !fits.overlap, `at ${width} px: ${JSON.stringify(fits)}`);
    await context.close();
  }
});

test("friction 4: Differences compare like with like and show behaviour by default", async () => {
  const { context, page } = await open();
  const diff = page.getByRole("region", { name: "Differences" });
  const rows = () => diff.locator("tbody tr");
  // A 400 next to a 200: the verdict, not an error body diffed against a resource.
  await profiles(page, "rfc", "veeva");
  await setBody(page, JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bjensen", shoeSize: 9 }));
  await send(page).click();
  await expectText(diff, "not applied", "verdict row");
  const n400 = await rows().count();
  assert(n400 <= 2, `400 next to 200: ${n400} rows: ${await diff.innerText()}`);
  // A no-op PUT (a user's own GET body): no behaviour rows; seed and server-generated rows behind a toggle.
  await lane(page, "Lane A").getByRole("button", { name: "Reset" }).click();
  await lane(page, "Lane B").getByRole("button", { name: "Reset" }).click();
  await lane(page, "Lane A").getByRole("button", { name: "Edit a.smithn@veepharm.com as a PUT" }).click();
  await send(page).click();
  await expectText(diff, "Both lanes behaved the same", "no-op PUT");
  assert((await diff.locator("tr.volatile").count()) === 0, "server-generated rows hidden by default");
  const toggle = diff.getByRole("checkbox", { name: /^Show \d+ more/ });
  await toggle.check();
  await expectText(diff, "differed before the request", "seed rows behind the toggle");
  assert((await diff.locator("tr.volatile").count()) > 0, "server-generated rows shown on demand");
  await toggle.uncheck();
  // GET /Users: the same user compared with the same user.
  await profiles(page, "rfc", "ping");
  await page.getByRole("combobox", { name: "Method" }).selectOption("GET");
  await page.getByRole("textbox", { name: "Path" }).fill("/Users");
  await send(page).click();
  // Ping keeps no ETags: meta.version is the only behaviour left, one row per user.
  const behaviour = await diff.locator("tbody tr:not(.quiet) th").allInnerTexts();
  assert(behaviour.length <= 3 && behaviour.every((p) => p.endsWith("meta.version")), `list behaviour rows: ${behaviour.join(", ")}`);
  await toggle.check();
  const paths = await diff.locator("tbody th").allInnerTexts();
  assert(paths.length > 0 && paths.every((p) => !p.includes("Resources[")), `list rows: ${paths.slice(0, 5).join(", ")}`);
  assert(paths.some((p) => p.startsWith("Resources.pconley.")), `keyed by userName: ${paths.slice(0, 5).join(", ")}`);
  await context.close();
});

test("friction 8: exports are runnable: encoded URL, the lane's base path, id and auth, a Copy button", async () => {
  const { context, page } = await open();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await profiles(page, "veeva", "rfc");
  await page.getByRole("combobox", { name: "Method" }).selectOption("GET");
  await page.getByRole("textbox", { name: "Path" }).fill('/Users?filter=userName eq "bjensen"');
  await page.getByRole("combobox", { name: "Export as" }).selectOption("curl");
  const out = page.getByRole("textbox", { name: "Exported request" });
  let text = await out.inputValue();
  assert(
    text.startsWith("curl -X GET 'https://scim.example.com/api/v23.1/scim/v2/Users?filter=userName%20eq%20%22bjensen%22'"),
    `veeva export: ${text}`,
  );
  assert(text.includes("-H 'Authorization: YOUR_TOKEN'"), `veeva auth placeholder: ${text}`);
  await page.getByRole("button", { name: "Copy request" }).click();
  await expectText(page.getByRole("status").first(), "Copied to the clipboard", "copy notice");
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert(clip === text, `clipboard: ${clip.slice(0, 80)}`);
  await page.getByRole("combobox", { name: "for" }).selectOption({ label: "Lane B" });
  text = await out.inputValue();
  assert(text.startsWith("curl -X GET 'https://scim.example.com/scim/v2/Users?filter="), `rfc export: ${text}`);
  assert(!text.includes("Authorization"), `rfc names no auth scheme: ${text}`);
  // A PUT names the lane's own id.
  await page.getByRole("combobox", { name: "Template" }).selectOption("veeva");
  await page.getByRole("combobox", { name: "for" }).selectOption({ label: "Lane A" });
  text = await out.inputValue();
  assert(text.includes("/api/v23.1/scim/v2/Users/93521'"), `veeva id: ${text.slice(0, 120)}`);
  await context.close();
});

test("a template that replaces nothing typed offers no Undo (the first draft, an untouched template)", async () => {
  const { context, page } = await open();
  await page.getByRole("combobox", { name: "Template" }).selectOption("ping");
  await page.getByRole("combobox", { name: "Template" }).selectOption("veeva");
  assert((await page.getByRole("button", { name: "Undo" }).count()) === 0, "no Undo after replacing an untouched draft");
  await context.close();
});

test("friction 6: loading into the composer moves focus there; Undo after a template; the answer comes into view on narrow screens", async () => {
  const { context, page } = await open();
  await profiles(page);
  const bodyFocused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-describedby") === "body-check");
  const composerInView = () =>
    page.evaluate(() => {
      const r = document.getElementById("composer").getBoundingClientRect();
      return r.top < window.innerHeight && r.bottom > 0;
    });
  await setBody(page, MINIMAL);
  await send(page).click();
  // History "Edit", far below the composer.
  await page.getByRole("button", { name: "Edit PUT /Users/{userName:bjensen}" }).first().scrollIntoViewIfNeeded();
  await page.getByRole("button", { name: "Edit PUT /Users/{userName:bjensen}" }).first().click();
  assert(await bodyFocused(), "History Edit focuses the body");
  assert(await composerInView(), "History Edit brings the composer into view");
  // A user link.
  const link = lane(page, "Lane B").getByRole("button", { name: "Edit pconley as a PUT" });
  await link.scrollIntoViewIfNeeded();
  await link.click();
  assert(await bodyFocused(), "a user link focuses the body");
  assert(await composerInView(), "a user link brings the composer into view");
  // A template replaces edits; Undo brings them back.
  await setBody(page, '{"my": "edits"}');
  await page.getByRole("combobox", { name: "Template" }).selectOption("ping");
  assert((await body(page).inputValue()).includes("pconley"), "template loaded");
  await page.getByRole("button", { name: "Undo" }).click();
  const back = await body(page).inputValue();
  assert(back === '{"my": "edits"}', `undo: ${back}`);
  await context.close();
  // 375 px: after Send the first answer is in view.
  const narrow = await open({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  await narrow.page.getByRole("combobox", { name: "Template" }).selectOption("minimal");
  await send(narrow.page).click();
  await expectText(lane(narrow.page, "Lane A"), "200 OK", "narrow send");
  await narrow.page.waitForTimeout(300);
  const visible = await narrow.page.evaluate(() => {
    const r = document.querySelector("#lane-0 .status").getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  assert(visible, "the answer is in view after Send at 375 px");
  await narrow.context.close();
});

test("the first minute, as the screenshots show it (desktop, 375 px, dark, embed at 600 px)", async () => {
  const shot = async (page, name, opts = {}) => {
    if (!takeShots) return;
    fs.mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, name), fullPage: false, ...opts });
  };
  // Desktop: the Ping template, sent as loaded.
  {
    const { context, page } = await open({ viewport: { width: 1280, height: 900 } });
    await page.getByRole("combobox", { name: "Template" }).selectOption("ping");
    await send(page).click();
    await expectText(lane(page, "Lane B"), "200 OK", "ping lane");
    await expectText(page.getByRole("region", { name: "Differences" }), "emails", "emails row");
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, "desktop.png");
    await shot(page, "desktop-full.png", { fullPage: true });
    await page.getByRole("region", { name: "Differences" }).scrollIntoViewIfNeeded();
    await shot(page, "desktop-differences.png");
    await context.close();
  }
  // 375 px: the Veeva template; Send brings the answer into view.
  {
    const { context, page } = await open({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await page.getByRole("combobox", { name: "Template" }).selectOption("veeva");
    await shot(page, "mobile.png");
    await send(page).click();
    await expectText(lane(page, "Lane A"), "200 OK", "veeva lane");
    await page.waitForTimeout(300);
    await shot(page, "mobile-lane.png");
    await context.close();
  }
  // Dark: a rejected request (unknown attribute under rfc), not applied.
  {
    const { context, page } = await open({ colorScheme: "dark", viewport: { width: 1280, height: 900 } });
    await profiles(page, "rfc", "veeva");
    await setBody(page, JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bjensen", nickName: "Babs", shoeSize: 9 }, null, 2));
    await send(page).click();
    await expectText(lane(page, "Lane A"), "Not applied", "rejected");
    await lane(page, "Lane A").getByRole("region", { name: "Explanation" }).scrollIntoViewIfNeeded();
    await shot(page, "dark.png");
    await context.close();
  }
  // A lesson: its text, its two lanes run on load, the rows it names marked.
  {
    const { context, page } = await open({ viewport: { width: 1280, height: 900 } }, `${base}?lesson=omitted`);
    await expectText(lane(page, "Lane B"), "200 OK", "lesson runs on load");
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, "lesson.png");
    await page.getByRole("region", { name: "Differences" }).scrollIntoViewIfNeeded();
    await shot(page, "lesson-differences.png");
    await context.close();
  }
  // Embed at 600 px.
  {
    const { context, page } = await open({ viewport: { width: 600, height: 900 } }, `${base}?embed=1&template=ping&run=1`);
    await expectText(lane(page, "Lane B"), "200 OK", "embed runs on load");
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, "embed-600.png");
    await context.close();
  }
});

test("friction 10: with 2,000 users per lane the Users lists and the picker stay short and searchable", async () => {
  const { ctx, pg } = await openWithUsers(2000);
  const users = pg.getByRole("region", { name: "Users in Lane A" });
  assert((await users.locator("li").count()) <= 20, `users listed: ${await users.locator("li").count()}`);
  await expectText(users, "Showing 20 of 2003", "count line");
  await users.getByRole("searchbox", { name: "Find a user in Lane A" }).fill("user1999");
  await expectText(users, "user1999", "search finds the last user");
  const options = await pg.getByRole("combobox", { name: "Pick user" }).locator("option").count();
  assert(options <= 22, `picker options: ${options}`);
  await pg.getByRole("searchbox", { name: "Find user" }).fill("user1999");
  const labels = await pg.getByRole("combobox", { name: "Pick user" }).locator("option").allInnerTexts();
  assert(labels.some((l) => l.startsWith("user1999 (A id")), `picker after search: ${labels.join(" | ")}`);
  const nodes = await pg.evaluate(() => document.getElementsByTagName("*").length);
  assert(nodes < 1500, `DOM nodes: ${nodes}`);
  await ctx.close();
});

test("friction 9: an embed at 600 px runs on load, is compact, reports its height after every change; the builder writes the snippet", async () => {
  const context = await browser.newContext({ viewport: { width: 700, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}index.html?parent`);
  const frameUrl = `${base}?embed=1&template=veeva&run=1`;
  await embedInParent(page, frameUrl, { width: "600", height: "900", border: "0" });
  const frame = page.frameLocator("iframe");
  // run=1: both lanes answered without a click; template=veeva opened its lanes.
  await frame.getByText("200 OK").first().waitFor({ timeout: 15000 });
  const profA = await frame.getByRole("region", { name: "Lane A", exact: true }).getByRole("combobox", { name: "Profile" }).inputValue();
  assert(profA === "veeva", `template lanes in the embed: ${profA}`);
  const f = page.frames().find((x) => x.url().includes("embed=1"));
  const top = await f.evaluate(() => document.querySelector("#lane-0 .status").getBoundingClientRect().top);
  assert(top < 900, `the first answer starts at ${top} px`);
  await page.waitForFunction(() => window.__heights.length > 0);
  const reported = await page.evaluate(() => window.__heights.at(-1));
  const actual = await f.evaluate(() => document.documentElement.scrollHeight);
  assert(reported === actual && reported < 4000, `reported ${reported} px, page ${actual} px`);
  // A change (typing in the body) is reported right after.
  const before = await page.evaluate(() => window.__heights.length);
  await frame.getByRole("textbox", { name: "Request body" }).fill("{}");
  await page.waitForFunction((n) => window.__heights.length > n, before, { timeout: 5000 });
  await context.close();
  // The builder on the full page.
  const { context: c2, page: p2 } = await open();
  await p2.getByText("Embed this request in your docs").click();
  const snippet = await p2.getByRole("textbox", { name: "Embed snippet" }).inputValue();
  assert(snippet.startsWith("<iframe src=") && snippet.includes("?embed=1&run=1#s=") && snippet.includes('height="600"'), snippet.slice(0, 200));
  assert(snippet.includes("scim-playground:height"), "the snippet resizes the iframe");
  await c2.close();
});

// Run.
// The remote lane ("Your server"), against a real `scim-mock serve` behind `scim-mock relay`
// (SCIM_MOCK_BIN names the binary; else it is built with cargo), and against a server that
// sends no CORS headers.
function scimMockBin() {
  if (process.env.SCIM_MOCK_BIN) return process.env.SCIM_MOCK_BIN;
  execFileSync("cargo", ["build", "-q", "-p", "scim-mock", "--bin", "scim-mock"], { cwd: repo, stdio: "inherit" });
  const target = path.resolve(repo, process.env.CARGO_TARGET_DIR ?? "target");
  return path.join(target, "debug", "scim-mock");
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts `bin args` and waits until `url` answers; the caller kills it. */
async function startAndWait(bin, args, url) {
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error(`${path.basename(bin)} ${args.join(" ")} did not answer at ${url}: ${log.slice(0, 400)}`);
}

test("remote lane: Send through the relay, observed explanation, the token stays out of storage, share links and exports; no CORS gives the relay advice", async () => {
  const TOKEN = "e2e-secret-token-7f3a";
  const bin = scimMockBin();
  const [servePort, relayPort] = [await freePort(), await freePort()];
  const upstream = `http://127.0.0.1:${servePort}/scim/v2`;
  const serveArgs = ["serve", "--port", String(servePort), "--seed", "demo", "--token", TOKEN, "--deterministic"];
  const mock = await startAndWait(bin, serveArgs, `${upstream}/ServiceProviderConfig`);
  const relay = await startAndWait(bin, ["relay", "--to", upstream, "--port", String(relayPort)], `http://127.0.0.1:${relayPort}/scim/v2/ServiceProviderConfig`);
  const noCors = http.createServer((req, res) => res.writeHead(200, { "content-type": "application/scim+json" }).end("{}"));
  await new Promise((r) => noCors.listen(0, "127.0.0.1", r));
  const { context, page, errors } = await open();
  try {
    await profiles(page);
    const remote = page.getByRole("region", { name: "Your server", exact: true });
    await page.getByRole("combobox", { name: "Method" }).selectOption("PUT");
    await page.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:bjensen}");
    await setBody(page, MINIMAL);
    const relayBase = `http://127.0.0.1:${relayPort}/scim/v2`;
    await remote.getByRole("textbox", { name: "Base URL" }).fill(relayBase);
    await remote.getByLabel("Authorization (optional)").fill(`Bearer ${TOKEN}`);
    assert((await page.evaluate(() => JSON.stringify(sessionStorage))).indexOf("e2e-secret") < 0, "token in sessionStorage without opting in");
    await remote.getByRole("button", { name: "Send to your server", exact: true }).click();
    await expectText(remote, "200 OK", "remote status");
    await expectText(remote, `PUT 127.0.0.1:${relayPort}/scim/v2/Users/`, "the request line names the host");
    await expectText(remote.locator("#remote-observed"), "cleared omitted", "observed explanation");
    const rows = await remote.locator("#remote-observed tbody tr").count();
    assert(rows >= 3, `observed rows: ${rows}`);
    await expectText(remote.locator(".remote-history"), `127.0.0.1:${relayPort}`, "remote history line");
    // Lookup, read before, the PUT, read after: four exchanges, none with the token.
    const [sendsHar] = await Promise.all([page.waitForEvent("download"), remote.getByRole("button", { name: "Download (HAR)" }).click()]);
    checkHar(fs.readFileSync(await sendsHar.path(), "utf8"), TOKEN, `http://127.0.0.1:${relayPort}/scim/v2/Users`, 4, "Your server HAR");
    // The mock lanes too (history gets entries), then compare.
    await send(page).click();
    await expectText(lane(page, "Lane A"), "200 OK", "lane A");
    await expectText(remote, "Differences from Lane A", "differences with lane A");
    if (takeShots) await remote.screenshot({ path: path.join(shotsDir, "remote-lane-observed.png") });
    // Opt in: sessionStorage only.
    await remote.getByRole("checkbox", { name: "Remember in this tab (sessionStorage)" }).check();
    await page.waitForFunction((t) => JSON.stringify(sessionStorage).includes(t), TOKEN);
    await page.waitForTimeout(600); // the deferred save
    const local = await page.evaluate(() => JSON.stringify(localStorage));
    assert(local.length > 10 && !local.includes(TOKEN), "token in localStorage (or nothing saved)");
    await page.getByRole("button", { name: "Share", exact: true }).click();
    const link = await page.getByRole("textbox", { name: "Share link" }).inputValue();
    assert(link.includes("#s=") && !link.includes(TOKEN) && !decodeURIComponent(link).includes(TOKEN), "token in the share link");
    for (const name of ["Export as HAR", "Export as Postman collection"]) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
      const text = fs.readFileSync(await download.path(), "utf8");
      assert(text.includes("bjensen") && !text.includes(TOKEN), `${name}: token present or history missing`);
    }
    // Learn: the dry-run list first, then the probes on a click, then a profile to download.
    await remote.getByRole("button", { name: "List the requests", exact: true }).click();
    await remote.locator("#learn-requests li").first().waitFor(); // the learner's module loads on this click
    const listed = await remote.locator("#learn-requests li").count();
    assert(listed > 10, `dry run lists ${listed} requests`);
    await remote.getByRole("button", { name: "Run the probes against your server", exact: true }).click();
    await remote.locator("#learn-done").waitFor({ timeout: 60000 });
    const learned = await remote.locator("details pre").last().textContent();
    assert(JSON.parse(learned).behaviour?.omitted === "clear", `learned profile: ${learned.slice(0, 300)}`);
    const [profileDownload] = await Promise.all([page.waitForEvent("download"), remote.getByRole("link", { name: "Download the profile (JSON)" }).click()]);
    assert(JSON.parse(fs.readFileSync(await profileDownload.path(), "utf8")).behaviour?.omitted === "clear", "downloaded profile");
    // A server without CORS: the lane says so and gives the relay command and URL.
    const plain = `http://127.0.0.1:${noCors.address().port}/scim/v2`;
    await remote.getByRole("textbox", { name: "Base URL" }).fill(plain);
    await remote.getByRole("button", { name: "Send to your server", exact: true }).click();
    await expectText(remote, "no CORS headers", "CORS failure");
    const command = await remote.locator("#remote-relay-command").innerText();
    assert(command === `scim-mock relay --to ${plain} --port 8090`, `relay command: ${command}`);
    await expectText(remote.locator("#remote-advice"), "http://127.0.0.1:8090/scim/v2", "relay URL");
    if (takeShots) await remote.screenshot({ path: path.join(shotsDir, "remote-lane.png") });
    assert(!errors.some((e) => e.includes("panicked")), `page errors: ${errors.join("; ")}`);
  } finally {
    await context.close();
    noCors.close();
    mock.kill();
    relay.kill();
  }
});

test("remote lane: replay Okta's full-PUT habits through the relay, every step reported, nothing sent before Run, no token in the report", async () => {
  const TOKEN = "e2e-replay-token-91c2";
  const bin = scimMockBin();
  const [servePort, relayPort] = [await freePort(), await freePort()];
  // The okta profile's base path, with its default connection id.
  const root = "/0oa1example/scim/v2";
  const upstream = `http://127.0.0.1:${servePort}${root}`;
  const relayBase = `http://127.0.0.1:${relayPort}${root}`;
  const mock = await startAndWait(bin, ["serve", "--port", String(servePort), "--profile", "okta", "--token", TOKEN], `${upstream}/ServiceProviderConfig`);
  const relay = await startAndWait(bin, ["relay", "--to", upstream, "--port", String(relayPort)], `${relayBase}/ServiceProviderConfig`);
  const { context, page, errors } = await open();
  const relayed = [];
  page.on("request", (r) => r.url().includes(`127.0.0.1:${relayPort}`) && relayed.push(`${r.method()} ${r.url()}`));
  try {
    const remote = page.getByRole("region", { name: "Your server", exact: true });
    await remote.getByRole("textbox", { name: "Base URL" }).fill(relayBase);
    await remote.getByLabel("Authorization (optional)").fill(`Bearer ${TOKEN}`);
    await remote.getByRole("button", { name: "Show the scenarios", exact: true }).click();
    const picker = remote.getByRole("combobox", { name: "Scenario" });
    await picker.waitFor(); // the learner's module (which holds the scenarios) loads on this click
    const names = await picker.locator("option").evaluateAll((os) => os.map((o) => o.value));
    assert(names.length === 6 && names.includes("okta-full-put") && names.includes("entra-flag"), `scenarios: ${names}`);
    await picker.selectOption("okta-full-put");
    assert(relayed.length === 0, `sent before Run: ${relayed.join("; ")}`);
    await remote.getByRole("button", { name: "Run the scenario against your server", exact: true }).click();
    await remote.locator("#replay-done").waitFor({ timeout: 30000 });
    const verdict = await remote.locator("#replay-done").innerText();
    assert(verdict.includes("okta-full-put: passed"), `verdict: ${verdict}; ${(await remote.locator("#replay-steps").innerText()).slice(0, 800)}`);
    const steps = remote.locator("#replay-steps > li");
    assert((await steps.count()) === 10, `steps shown: ${await steps.count()}`);
    for (const [i, [name, line]] of [
      ["look up the user by userName", "GET 127.0.0.1:"],
      ["create the user", "POST 127.0.0.1:"],
      ["PUT the whole user with a changed attribute", "PUT 127.0.0.1:"],
      ["PUT the group with its members", "PUT 127.0.0.1:"],
      ["delete the test user (housekeeping)", "DELETE 127.0.0.1:"],
    ].entries()) {
      const step = steps.filter({ hasText: name }).first();
      await expectText(step, "passed", `step ${i}: ${name} passed`);
      await expectText(step, `${line}${relayPort}${root}/`, `step ${i}: request line with the host`);
      await expectText(step, "The client concludes:", `step ${i}: conclusion`);
    }
    const text = await remote.locator("#replay-steps").innerText();
    assert(!text.includes("broken") && !text.includes("skipped") && text.includes("201 Created") && text.includes("204"), `steps: ${text.slice(0, 600)}`);
    assert(relayed.length >= 10, `requests relayed: ${relayed.length}`);
    const [download] = await Promise.all([page.waitForEvent("download"), remote.getByRole("link", { name: "Download the report (JSON)" }).click()]);
    const saved = fs.readFileSync(await download.path(), "utf8");
    const report = JSON.parse(saved);
    assert(report.scenario === "okta-full-put" && report.passed === true && report.steps.length === 10, `report: ${saved.slice(0, 300)}`);
    assert(report.server === relayBase, `report server: ${report.server}`);
    assert(!saved.includes(TOKEN) && !/authorization/i.test(saved), "the downloaded report holds the token or an Authorization header");
    const [harDownload] = await Promise.all([page.waitForEvent("download"), remote.locator("#replay-har").click()]);
    checkHar(fs.readFileSync(await harDownload.path(), "utf8"), TOKEN, relayBase, report.exchanges.length, "replay HAR");
    // A scenario file of one's own: checked against the scenario schema (its problems as
    // text), then listed and run like a built-in.
    const scenarioInput = remote.getByLabel("Scenario JSON file");
    const badScenario = JSON.stringify({ name: "Not A Name", title: "t", steps: [{ name: "s", method: "FETCH" }] });
    await scenarioInput.setInputFiles({ name: "bad.json", mimeType: "application/json", buffer: Buffer.from(badScenario) });
    await expectText(remote.locator("#replay-file-errors"), "The scenario file was not loaded", "scenario file errors");
    const problems = await remote.locator("#replay-file-errors li").allInnerTexts();
    assert(problems.length >= 3 && problems.some((p) => p.includes("/steps/0")), `problems: ${problems.join(" | ")}`);
    const own = JSON.parse(fs.readFileSync(path.join(repo, "tests/scenarios/jumpcloud-test-connection.json"), "utf8"));
    own.name = "my-test-connection";
    own.title = "My own test connection";
    await scenarioInput.setInputFiles({ name: "mine.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(own)) });
    await page.waitForFunction(() => document.querySelector("#replay-scenario")?.value === "file:my-test-connection");
    assert((await remote.locator("#replay-file-errors").count()) === 0, "the errors are gone");
    const ownLabel = await picker.locator("option:checked").innerText();
    assert(ownLabel === "My own test connection (my-test-connection, your file)", `label: ${ownLabel}`);
    await remote.getByRole("button", { name: "Run the scenario against your server", exact: true }).click();
    await expectText(remote.locator("#replay-done"), "my-test-connection: passed", "own scenario passes");
    assert((await remote.locator("#replay-steps > li").count()) === own.steps.length, "every step of the file reported");
    const stored = await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage));
    assert(!stored.includes(TOKEN), "token in storage without opting in");
    if (takeShots) await remote.screenshot({ path: path.join(shotsDir, "remote-replay.png") });
    assert(!errors.some((e) => e.includes("panicked")), `page errors: ${errors.join("; ")}`);
  } finally {
    await context.close();
    mock.kill();
    relay.kill();
  }
});

test("own server: a learned profile opens in Lane B, answers there, survives a reload and joins All profiles; a profile file loads or says why", async () => {
  const TOKEN = "e2e-learn-token-5d1e";
  const bin = scimMockBin();
  const [servePort, relayPort] = [await freePort(), await freePort()];
  const upstream = `http://127.0.0.1:${servePort}/scim/v2`;
  // Ping keeps what a PUT omits: a learned Lane B keeps bjensen's title where the rfc lane clears it.
  const mock = await startAndWait(bin, ["serve", "--port", String(servePort), "--profile", "ping", "--token", TOKEN], `${upstream}/ServiceProviderConfig`);
  const relay = await startAndWait(bin, ["relay", "--to", upstream, "--port", String(relayPort)], `http://127.0.0.1:${relayPort}/scim/v2/ServiceProviderConfig`);
  const { context, page, errors } = await open();
  try {
    const remote = page.getByRole("region", { name: "Your server", exact: true });
    await remote.getByRole("textbox", { name: "Base URL" }).fill(`http://127.0.0.1:${relayPort}/scim/v2`);
    await remote.getByLabel("Authorization (optional)").fill(`Bearer ${TOKEN}`);
    await remote.getByRole("button", { name: "List the requests", exact: true }).click();
    await remote.getByRole("button", { name: "Run the probes against your server", exact: true }).click();
    await remote.locator("#learn-done").waitFor({ timeout: 60000 });
    const [learnHar] = await Promise.all([page.waitForEvent("download"), remote.locator("#learn-har").click()]);
    const learnLog = checkHar(fs.readFileSync(await learnHar.path(), "utf8"), TOKEN, `http://127.0.0.1:${relayPort}/scim/v2/`, null, "learn HAR");
    assert(learnLog.entries.length > 30, `learn HAR entries: ${learnLog.entries.length}`);
    await remote.getByRole("button", { name: "Open in Lane B", exact: true }).click();
    const learnedName = `127.0.0.1:${relayPort}`;
    assert((await profileOf(page, "Lane B")) === learnedName, `Lane B runs ${await profileOf(page, "Lane B")}`);
    const label = await lane(page, "Lane B").getByRole("combobox", { name: "Profile" }).locator("option:checked").innerText();
    assert(label === `${learnedName} (learned)`, `option label: ${label}`);
    await expectText(lane(page, "Lane B"), "learned from a live server", "the learned profile's description");
    // The learned profile is also a dialect for sends to the server it came from.
    const dialects = await remote.getByRole("combobox", { name: "Dialect" }).locator("option").allInnerTexts();
    assert(dialects.includes(`${learnedName} (learned)`), `Dialect list: ${dialects.slice(-3).join(", ")}`);
    await page.getByRole("combobox", { name: "Method" }).selectOption("PUT");
    await page.getByRole("textbox", { name: "Path" }).fill("/Users/{userName:bjensen}");
    await setBody(page, MINIMAL);
    await send(page).click();
    assert(/^200/.test(await statusOf(page, "Lane B")), `Lane B: ${await statusOf(page, "Lane B")}`);
    const bodyB = await lane(page, "Lane B").locator("pre.body").last().innerText();
    assert(bodyB.includes("Tour Guide"), `the learned lane keeps the omitted title: ${bodyB.slice(0, 300)}`);
    if (takeShots) await lane(page, "Lane B").screenshot({ path: path.join(shotsDir, "learned-lane.png") });
    // Saved state keeps the profile (no token), so a reload brings Lane B back on it.
    await page.waitForFunction((n) => localStorage.getItem("scim-playground:state")?.includes(n), learnedName);
    const stored = await page.evaluate(() => JSON.stringify(localStorage));
    assert(!stored.includes(TOKEN), "token in localStorage");
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.readyMs);
    assert((await profileOf(page, "Lane B")) === learnedName, `after reload Lane B runs ${await profileOf(page, "Lane B")}`);
    // All profiles has a row for it.
    await page.getByRole("button", { name: "Send to all profiles", exact: true }).click();
    await page.locator(`#all-profiles tr[data-profile="${learnedName}"]`).waitFor({ timeout: 5000 });
    // A profile file with a mistake: the lane says why, as text, and keeps its profile.
    const fileInput = lane(page, "Lane A").getByLabel("Lane A: profile JSON file");
    const bad = '{"extends": "rfc", "name": "mine", "behaviour": {"omitted": "sometimes"}}';
    await fileInput.setInputFiles({ name: "mine.json", mimeType: "application/json", buffer: Buffer.from(bad) });
    await expectText(lane(page, "Lane A"), "the profile file was not loaded", "file error");
    await expectText(lane(page, "Lane A"), "behaviour.omitted", "the error names the field");
    assert((await profileOf(page, "Lane A")) === "rfc", "Lane A keeps its profile");
    const good = '{"extends": "rfc", "name": "hand-made", "behaviour": {"omitted": "keep"}}';
    await fileInput.setInputFiles({ name: "hand-made.json", mimeType: "application/json", buffer: Buffer.from(good) });
    await page.waitForFunction(() => document.querySelector("#lane-0 select")?.value === "hand-made");
    const labelA = await lane(page, "Lane A").getByRole("combobox", { name: "Profile" }).locator("option:checked").innerText();
    assert(labelA === "hand-made (custom)", `option label: ${labelA}`);
    assert((await lane(page, "Lane A").locator(".profile-file-error").count()) === 0, "the error is gone");
    // Removed again: Lane A starts over on rfc, neither list offers it.
    await lane(page, "Lane A").getByRole("button", { name: "Remove profile", exact: true }).click();
    await page.waitForFunction(() => document.querySelector("#lane-0 select")?.value === "rfc");
    const left = await lane(page, "Lane B").getByRole("combobox", { name: "Profile" }).locator("option").allInnerTexts();
    assert(!left.includes("hand-made (custom)") && left.includes(`${learnedName} (learned)`), `Lane B options: ${left.slice(-3)}`);
    assert(!errors.some((e) => e.includes("panicked")), `page errors: ${errors.join("; ")}`);
  } finally {
    await context.close();
    mock.kill();
    relay.kill();
  }
});

let passed = 0;
// ---- Lessons (issue 17, deliver 2), read-only embeds and the live example page ----

const LESSONS = {
  "put-replaces": ["rfc", "veeva", /^200/, /^200/],
  omitted: ["rfc", "veeva", /^200/, /^200/],
  "null-and-empty": ["rfc", "veeva", /^200/, /^200/],
  readonly: ["rfc", "strict-clear", /^200/, /^400/],
  unknown: ["rfc", "veeva", /^400/, /^200/],
  etag: ["rfc", "ping", /^412/, /^200/],
  "put-vs-patch": ["rfc", "veeva", /^200/, /^200/],
};

test("lessons: each opens by URL, runs on load with its lanes, answers as intended and marks rows", async () => {
  for (const [id, [a, b, stA, stB]] of Object.entries(LESSONS)) {
    const { context, page, errors } = await open({}, `${base}?lesson=${id}`);
    await expectText(page.getByRole("region", { name: /^Lesson \d of 7/ }), "Previous", `${id} panel`);
    assert((await profileOf(page, "Lane A")) === a && (await profileOf(page, "Lane B")) === b, `${id}: lanes`);
    const sa = await statusOf(page, "Lane A");
    const sb = await statusOf(page, "Lane B");
    assert(stA.test(sa) && stB.test(sb), `${id}: statuses ${sa} / ${sb}`);
    const marked = await page.locator("tr.lesson").count();
    assert(marked > 0, `${id}: no highlighted row`);
    assert(errors.length === 0, `${id}: ${errors.join("; ")}`);
    await context.close();
  }
});

test("lessons: Next and Previous walk the path and keep the URL shareable", async () => {
  const { context, page } = await open();
  await page.getByRole("button", { name: /Start the lessons/ }).click();
  const panel = page.getByRole("region", { name: /^Lesson \d of 7/ });
  await expectText(panel, "Lesson 1 of 7: PUT replaces", "first lesson");
  await expectText(lane(page, "Lane A"), "200 OK", "runs at once");
  assert(page.url().includes("lesson=put-replaces"), page.url());
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await expectText(panel, "Lesson 2 of 7: Omitted attributes", "next");
  assert(page.url().includes("lesson=omitted"), page.url());
  for (let i = 0; i < 4; i++) await page.getByRole("button", { name: "Next", exact: true }).click();
  await expectText(panel, "ETags and 412", "sixth");
  await expectText(lane(page, "Lane A"), "412", "the intended error");
  await page.getByRole("button", { name: "Previous", exact: true }).click();
  await expectText(panel, "Unknown attributes", "previous");
  await page.getByRole("button", { name: "Leave the lessons" }).click();
  assert(!page.url().includes("lesson="), page.url());
  assert((await page.locator("tr.lesson").count()) === 0, "no marks outside a lesson");
  // The embed builder offers lessons.
  await page.getByText("Embed this request in your docs").click();
  await page.getByRole("combobox", { name: "Start from" }).selectOption("etag");
  const snippet = await page.getByRole("textbox", { name: "Embed snippet" }).inputValue();
  assert(snippet.includes("?embed=1&lesson=etag") && !snippet.includes("#s="), snippet.slice(0, 160));
  await context.close();
});

test("readonly=1 embeds: the composer and every dropdown are locked, Send still works", async () => {
  const { context, page } = await open({}, `${base}?embed=1&template=minimal&readonly=1`);
  // ("Pick user" is hidden in embeds; the full page with readonly=1 checks it below.)
  for (const name of ["Method", "Template"]) {
    assert(await page.getByRole("combobox", { name }).isDisabled(), `${name} is enabled`);
  }
  for (const l of ["Lane A", "Lane B"]) {
    assert(await lane(page, l).getByRole("combobox", { name: "Profile" }).isDisabled(), `${l} profile is enabled`);
  }
  assert(!(await body(page).isEditable()), "the body is editable");
  assert(await page.getByRole("checkbox", { name: "Raw: send exactly as written" }).isDisabled(), "raw is enabled");
  await send(page).click();
  await expectText(lane(page, "Lane A"), "200 OK", "send in a read-only embed");
  await context.close();
  const full = await open({}, `${base}?readonly=1`);
  assert(await full.page.getByRole("combobox", { name: "Pick user" }).isDisabled(), "Pick user is enabled");
  await full.context.close();
});

test("the live example page embeds two playgrounds that answer and are sized to their height", async () => {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}embed-example.html`);
  const frames = page.locator("iframe");
  assert((await frames.count()) === 2, "two embeds");
  for (let i = 0; i < 2; i++) {
    await frames.nth(i).scrollIntoViewIfNeeded();
    // Both lanes answered (a status line such as "200 OK", not the "No request sent yet." placeholder).
    const f = await (await frames.nth(i).elementHandle()).contentFrame();
    await f.waitForFunction(
      () => [...document.querySelectorAll(".lane .status")].filter((e) => /^\d{3} /.test(e.textContent)).length === 2,
      null,
      { timeout: 15000 },
    );
  }
  await page.waitForFunction(() => [...document.querySelectorAll("iframe")].every((f) => Number(f.height) !== 600));
  const lessonFrame = page.frames().find((x) => x.url().includes("lesson=etag"));
  const st = await lessonFrame.evaluate(() => document.querySelector("#lane-0 .status").textContent);
  assert(st.startsWith("412"), `lesson embed lane A: ${st}`);
  await context.close();
});

test("the body editor highlights JSON, formats it and completes attribute names from the lanes' schemas", async () => {
  const { context, page } = await open();
  await profiles(page, "rfc", "ping");
  await setBody(page, '{"userName":"<b>x</b>","active":true}');
  const keys = await page.locator("pre.hl .tk-key").allInnerTexts();
  assert(keys.join() === '"userName","active"', `keys: ${keys}`);
  assert((await page.locator("pre.hl b").count()) === 0, "user text rendered as HTML");
  await page.getByRole("button", { name: "Format", exact: true }).click();
  const formatted = await body(page).inputValue();
  assert(formatted === '{\n  "userName": "<b>x</b>",\n  "active": true\n}', `formatted: ${JSON.stringify(formatted)}`);
  // Completion: typing a key offers names from both lanes' schemas (Ping's birthDate too).
  await setBody(page, "{");
  await body(page).press("End");
  await body(page).pressSequentially('"birth');
  const group = page.getByRole("group", { name: "Attribute completions" });
  await group.getByRole("button", { name: "birthDate" }).click();
  const completed = await body(page).inputValue();
  assert(completed === '{"birthDate": ', `completed: ${JSON.stringify(completed)}`);
  await context.close();
});

let failed = 0;
for (const t of tests.filter((t) => !only || t.name.includes(only))) {
  const started = Date.now();
  try {
    await t.fn();
    passed++;
    console.log(`ok - ${t.name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${t.name}\n  ${String(e.stack || e).split("\n").slice(0, 4).join("\n  ")}`);
  }
}

/** A page whose lanes (rfc, rfc keep omitted) hold n extra users each, restored from saved state. */
async function openWithUsers(n) {
  const { context, page } = await open();
  await profiles(page, "rfc", "rfc (keep omitted)");
  await page.waitForFunction(() => localStorage.getItem("scim-playground:state")?.includes("keep omitted"));
  let keys = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
  await context.close();
  keys = withExtraUsers(keys, n);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Seed the storage once, before the app reads it; count what each later write costs.
  await seedStorage(ctx, keys);
  const pg = await ctx.newPage();
  await pg.goto(base);
  await pg.waitForSelector("html[data-ready-ms]", { timeout: 60000 });
  return { ctx, pg, chars: Object.values(keys).reduce((a, v) => a + v.length, 0) };
}

await browser.close();
server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
