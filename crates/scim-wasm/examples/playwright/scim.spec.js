// Mocking SCIM in Playwright end-to-end tests: copy this file into your project
// (npm install --save-dev @playwright/test scim-playground-wasm) and run `npx playwright test`.
// The page below stands in for your app: it calls the SCIM API with fetch and with
// XMLHttpRequest; routeScim answers both from the MockServer, and the app's own page comes
// from another route through route.fallback().
import { test, expect } from "@playwright/test";
import { MockServer, createSession } from "scim-playground-wasm";
import { routeScim } from "scim-playground-wasm/playwright";

const origin = "https://admin.test";
const baseUrl = `${origin}/scim/v2`;
const User = "urn:ietf:params:scim:schemas:core:2.0:User";

const APP = `<!doctype html><meta charset="utf-8"><title>Users</title>
<form id="create"><label>User name <input name="userName"></label><label>Title <input name="title"></label><button>Create</button></form>
<p role="status" id="status"></p><ul aria-label="Users" id="users"></ul>
<script type="module">
  const base = "/scim/v2";
  async function list() {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", base + "/Users");
    xhr.onload = () => {
      const ul = document.getElementById("users");
      ul.replaceChildren(...JSON.parse(xhr.responseText).Resources.map((u) => {
        const li = document.createElement("li");
        li.textContent = u.userName + (u.title ? " (" + u.title + ")" : "");
        return li;
      }));
    };
    xhr.send();
  }
  document.getElementById("create").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const res = await fetch(base + "/Users", {
      method: "POST",
      headers: { "Content-Type": "application/scim+json" },
      body: JSON.stringify({ schemas: ["${User}"], userName: form.get("userName"), title: form.get("title") || undefined }),
    });
    document.getElementById("status").textContent = res.status + " " + ((await res.json()).detail ?? "");
    list();
  });
  list();
</script>`;

test("the admin page creates and lists users against the SCIM mock", async ({ page }) => {
  const server = new MockServer({ profile: "rfc", deterministic: true });
  const session = createSession();
  // Your app's pages (here a stub); routes added later are tried first.
  await page.route(`${origin}/**`, (route) => route.fulfill({ contentType: "text/html", body: APP }));
  const unroute = await routeScim(page, server, { baseUrl, session });

  await page.goto(`${origin}/admin`);
  await page.getByLabel("User name").fill("bjensen");
  await page.getByLabel("Title").fill("Tour Guide");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("list", { name: "Users" }).getByRole("listitem")).toHaveText(["bjensen (Tour Guide)"]);

  // A duplicate userName: the page shows the engine's 409.
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("status")).toContainText("409");

  // The store is the MockServer's: assert on it directly.
  const list = server.handle({ method: "GET", path: "/Users" }).json;
  expect(list.totalResults).toBe(1);
  await expect.poll(() => session.exchanges.length).toBe(5);
  expect(session.exchanges.map((x) => `${x.request.method} ${x.response.status}`)).toEqual([
    "GET 200",
    "POST 201",
    "GET 200",
    "POST 409",
    "GET 200",
  ]);
  await unroute();
});
