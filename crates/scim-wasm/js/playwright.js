// routeScim: serves a MockServer to a Playwright page (or browser context) through
// `page.route` and `route.fulfill`, so everything the page sends under the base URL (fetch,
// XMLHttpRequest, forms, a service worker's requests) reaches the engine, with no code in
// the page. Other paths on the same origin go on with `route.fallback()` (to routes added
// earlier, or to the network). Needs no import of Playwright: it uses the page it is given.

import { NULL_BODY, checkServer, scope, serve } from "./core.js";

/**
 * @param {{ route: Function, unroute: Function }} page a Playwright Page or BrowserContext
 * @param {{ handle(request: object): object }} server a MockServer
 * @param {{ baseUrl: string | URL, session?: { record(exchange: object): void }, cors?: boolean }} options
 * @returns {Promise<() => Promise<void>>} removes the route
 */
export async function routeScim(page, server, options) {
  checkServer(server, "routeScim");
  if (!page || typeof page.route !== "function") {
    throw new TypeError("routeScim: the first argument must be a Playwright Page or BrowserContext");
  }
  const sc = scope(options?.baseUrl, "routeScim");
  const session = options?.session;
  const cors = options?.cors !== false;
  // Match the whole origin so that the fallback below is where other paths go on.
  const matcher = (url) => url.origin === sc.base.origin;
  const handler = async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (!sc.covers(url)) {
      return route.fallback();
    }
    const headers = await request.allHeaders();
    const origin = headers.origin;
    const allow = cors && origin && origin !== sc.base.origin ? corsHeaders(origin, headers) : {};
    if (request.method() === "OPTIONS" && allow["access-control-allow-origin"] && headers["access-control-request-method"]) {
      return route.fulfill({ status: 204, headers: allow });
    }
    const res = serve(server, sc, { method: request.method(), url, headers, body: request.postData() ?? undefined }, session);
    return route.fulfill({
      status: res.status,
      headers: { ...res.headers, ...allow },
      body: NULL_BODY.has(res.status) ? undefined : res.body,
    });
  };
  await page.route(matcher, handler);
  return () => page.unroute(matcher, handler);
}

/** Lets a page on another origin call the mock, as scim-mock's open CORS does. */
function corsHeaders(origin, headers) {
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-credentials": "true",
    "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "access-control-allow-headers": headers["access-control-request-headers"] || "*",
    "access-control-expose-headers": "location, etag, content-type, www-authenticate",
    vary: "origin",
  };
}
